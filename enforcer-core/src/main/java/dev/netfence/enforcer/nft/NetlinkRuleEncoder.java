package dev.netfence.enforcer.nft;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Encodes one rule of the rendered table as the nf_tables expressions nft 1.0.6 would send for it
 * (the same registers, dependencies and order, so that {@code nft list} reads the rule back as the
 * text it came from). It knows the statements the enforcer's renderers write and nothing else:
 * <pre>
 *   ct state established,related,new,invalid,untracked
 *   ip|ip6 saddr|daddr [. meta l4proto . th dport] [!=] @set
 *   ip|ip6 saddr|daddr . 0x.. @set     (address and a constant: netlink only, see matchesAddressAndConstant)
 *   meta l4proto . th dport @set
 *   meta nfproto ipv4|ipv6
 *   meta mark [!=] 0x..   meta mark set 0x..   meta mark set ip|ip6 saddr|daddr map @map   meta mark vmap @map
 *   meta mark set 0x.. meta mark vmap @map   (the mark looked up, then cleared: see clearedVmap)
 *   tcp flags &amp; (fin|syn|rst|ack) != syn (or ==)
 *   counter   counter name "obj"   limit name "obj"   log [group N] [prefix "..."]
 *   accept | drop | return | continue | jump C | goto C   comment "..."
 * </pre>
 * Anything else throws {@link Unsupported}, and the caller loads the table through libnftables,
 * which reads every statement nft knows: a new statement in a renderer is correct at once and only
 * slower until it is taught here.
 *
 * <p>Encodings as nft 1.0.6 emits them (see {@code nft --debug=netlink}): an address match in the
 * inet family loads {@code meta nfproto} and compares it first (once per family per rule); a
 * concatenation is loaded into consecutive 4-byte register slots (NFT_REG_1 = slot 8); before an
 * interval set keyed by {@code meta l4proto . th dport} nft adds a 2-byte, length-1 {@code byteorder}
 * (a no-op in the kernel, but part of how the rule lists back).
 */
final class NetlinkRuleEncoder {

    /** A rule this encoder does not know: load through libnftables instead. */
    static final class Unsupported extends RuntimeException {
        Unsupported(String message) {
            super(message);
        }
    }

    private static final int NFTA_LIST_ELEM = 1;
    private static final int NFTA_EXPR_NAME = 1;
    private static final int NFTA_EXPR_DATA = 2;
    private static final int NFTA_DATA_VALUE = 1;
    private static final int NFTA_DATA_VERDICT = 2;
    private static final int NFTA_VERDICT_CODE = 1;
    private static final int NFTA_VERDICT_CHAIN = 2;

    private static final int NFT_META_MARK = 3;
    private static final int NFT_META_NFPROTO = 15;
    private static final int NFT_META_L4PROTO = 16;
    private static final int NFT_PAYLOAD_NETWORK = 1;
    private static final int NFT_PAYLOAD_TRANSPORT = 2;
    private static final int NFT_CMP_EQ = 0;
    private static final int NFT_CMP_NEQ = 1;
    private static final int NFT_LOOKUP_F_INV = 1;
    private static final int NFT_REG_VERDICT = 0;
    private static final int NFT_REG_1 = 1;
    private static final int NFT_REG_2 = 2;

    static final int NF_DROP = 0;
    static final int NF_ACCEPT = 1;
    static final int NFT_CONTINUE = -1;
    static final int NFT_JUMP = -3;
    static final int NFT_GOTO = -4;
    static final int NFT_RETURN = -5;

    /** The rule's expressions (the value of NFTA_RULE_EXPRESSIONS) and its comment, or null. */
    record Encoded(NetlinkWriter expressions, String comment) {
    }

    private final Map<String, NftSet> sets;
    private final NetlinkWriter out = new NetlinkWriter(512);
    private final List<String> tokens;
    private int at;
    private boolean v4Checked;
    private boolean v6Checked;
    private String comment;
    /** Where the open expression's NFTA_EXPR_DATA starts (expressions do not nest). */
    private int dataStart;

    private NetlinkRuleEncoder(String rule, Map<String, NftSet> sets) {
        this.sets = sets;
        this.tokens = tokenize(rule);
    }

    /** The expressions of {@code rule}; {@code sets} are the table's sets by name (their flags decide encodings). */
    static Encoded encode(String rule, Map<String, NftSet> sets) {
        NetlinkRuleEncoder e = new NetlinkRuleEncoder(rule, sets);
        e.statements();
        return new Encoded(e.out, e.comment);
    }

    private void statements() {
        while (at < tokens.size()) {
            String t = next();
            switch (t) {
                case "ct" -> ctState();
                case "ip" -> address(false);
                case "ip6" -> address(true);
                case "meta" -> meta();
                case "tcp" -> tcpFlags();
                case "counter" -> {
                    if ("name".equals(peek())) {
                        next();
                        objref(1, unquote(next()));   // NFT_OBJECT_COUNTER
                    } else {
                        counter();
                    }
                }
                case "limit" -> {
                    expect("name");
                    objref(4, unquote(next()));       // NFT_OBJECT_LIMIT
                }
                case "log" -> log();
                case "accept" -> verdict(NF_ACCEPT, null);
                case "drop" -> verdict(NF_DROP, null);
                case "return" -> verdict(NFT_RETURN, null);
                case "continue" -> verdict(NFT_CONTINUE, null);
                case "jump" -> verdict(NFT_JUMP, name(next()));
                case "goto" -> verdict(NFT_GOTO, name(next()));
                case "comment" -> comment = unquote(next());
                default -> throw new Unsupported("statement " + t);
            }
        }
    }

    // ---- matches

    private void ctState() {
        expect("state");
        int bits = 0;
        for (String s : next().split(",")) {
            bits |= switch (s) {
                case "invalid" -> 1;
                case "established" -> 2;
                case "related" -> 4;
                case "new" -> 8;
                case "untracked" -> 64;
                default -> throw new Unsupported("ct state " + s);
            };
        }
        int e = begin("ct");
        out.be32(1, NFT_REG_1); // NFTA_CT_DREG
        out.be32(2, 0);         // NFTA_CT_KEY: NFT_CT_STATE
        end(e);
        e = begin("bitwise");
        out.be32(1, NFT_REG_1); // SREG
        out.be32(2, NFT_REG_1); // DREG
        out.be32(3, 4);         // LEN
        value(4, le32(bits));   // MASK
        value(5, le32(0));      // XOR
        end(e);
        cmp(NFT_CMP_NEQ, le32(0));
    }

    /** {@code ip|ip6 saddr|daddr [. meta l4proto . th dport | . 0x...] [!=] @set}. */
    private void address(boolean v6) {
        int offset = field(v6, next());
        List<Runnable> loads = new ArrayList<>();
        loads.add(() -> payload(NFT_PAYLOAD_NETWORK, offset, v6 ? 16 : 4, NFT_REG_1));
        int width = v6 ? 16 : 4;
        if (".".equals(peek()) && at + 1 < tokens.size() && tokens.get(at + 1).startsWith("0x")) {
            // address . constant (a mark-typed value, host byte order, as nft holds marks) in the next slot
            next();
            byte[] constant = le32(number(next()));
            int slot = register(width);
            loads.add(() -> {
                int e = begin("immediate");
                out.be32(1, slot);        // DREG
                value(2, constant);       // DATA
                end(e);
            });
        } else if (".".equals(peek())) {
            next();
            expect("meta");
            expect("l4proto");
            expect(".");
            expect("th");
            expect("dport");
            int protoSlot = width;
            int portSlot = width + 4;
            loads.add(() -> meta(NFT_META_L4PROTO, register(protoSlot)));
            loads.add(() -> payload(NFT_PAYLOAD_TRANSPORT, 2, 2, register(portSlot)));
        }
        boolean inverted = false;
        if ("!=".equals(peek())) {
            next();
            inverted = true;
        }
        String set = setRef(next());
        nfproto(v6);
        loads.forEach(Runnable::run);
        lookup(set, NFT_REG_1, -1, inverted);
    }

    /**
     * Whether a rule matches an address concatenated with a constant ({@code ip daddr . 0x00000002
     * @ingress_pod_ids_v4 jump in_...}, the marked path), which nft 1.0.6 cannot parse ("Can't parse symbolic
     * invalid expressions": it cannot type a constant on the left of a concatenation) but the kernel takes; nft
     * lists it as {@code ip daddr . 0x2000000 [invalid type] @ingress_pod_ids_v4 ...} (the constant's host-order
     * bytes read as a number of no type) and cannot read that back either. Such a table is loaded only by this
     * encoder ({@link RenderedTable#netlinkOnly}).
     */
    static boolean matchesAddressAndConstant(String rule) {
        return rule.startsWith("ip saddr . 0x") || rule.startsWith("ip daddr . 0x") || rule.startsWith("ip6 saddr . 0x")
                || rule.startsWith("ip6 daddr . 0x");
    }

    /** {@code tcp flags & (f|g|...) != h} or {@code ==}: the TCP dependency, then the masked flags byte. */
    private void tcpFlags() {
        expect("flags");
        expect("&");
        String mask = next();
        if (!mask.startsWith("(") || !mask.endsWith(")")) {
            throw new Unsupported("tcp flags mask " + mask);
        }
        int m = flags(mask.substring(1, mask.length() - 1));
        String op = next();
        if (!op.equals("!=") && !op.equals("==")) {
            throw new Unsupported("tcp flags operator " + op);
        }
        int v = flags(next());
        meta(NFT_META_L4PROTO, NFT_REG_1);
        cmp(NFT_CMP_EQ, new byte[]{6});
        payload(NFT_PAYLOAD_TRANSPORT, 13, 1, NFT_REG_1);
        int e = begin("bitwise");
        out.be32(1, NFT_REG_1);      // SREG
        out.be32(2, NFT_REG_1);      // DREG
        out.be32(3, 1);              // LEN
        value(4, new byte[]{(byte) m}); // MASK
        value(5, new byte[]{0});     // XOR
        end(e);
        cmp(op.equals("!=") ? NFT_CMP_NEQ : NFT_CMP_EQ, new byte[]{(byte) v});
    }

    private static int flags(String list) {
        int bits = 0;
        for (String f : list.split("\\|")) {
            bits |= switch (f) {
                case "fin" -> 0x01;
                case "syn" -> 0x02;
                case "rst" -> 0x04;
                case "psh" -> 0x08;
                case "ack" -> 0x10;
                case "urg" -> 0x20;
                case "ecn" -> 0x40;
                case "cwr" -> 0x80;
                default -> throw new Unsupported("tcp flag " + f);
            };
        }
        return bits;
    }

    private void meta() {
        String key = next();
        if (key.equals("l4proto")) {
            // meta l4proto . th dport @set
            expect(".");
            expect("th");
            expect("dport");
            String set = setRef(next());
            meta(NFT_META_L4PROTO, NFT_REG_1);
            NftSet s = sets.get(set);
            if (s != null && s.interval()) {
                int e = begin("byteorder");
                out.be32(1, NFT_REG_1); // SREG
                out.be32(2, NFT_REG_1); // DREG
                out.be32(3, 1);         // OP: hton
                out.be32(4, 1);         // LEN
                out.be32(5, 2);         // SIZE
                end(e);
            }
            payload(NFT_PAYLOAD_TRANSPORT, 2, 2, register(4));
            lookup(set, NFT_REG_1, -1, false);
            return;
        }
        if (key.equals("nfproto")) {
            // meta nfproto ipv4|ipv6: the family dispatch of the base chains, one byte as nft compares it
            String family = next();
            byte proto = switch (family) {
                case "ipv4" -> 2;
                case "ipv6" -> 10;
                default -> throw new Unsupported("meta nfproto " + family);
            };
            meta(NFT_META_NFPROTO, NFT_REG_1);
            cmp(NFT_CMP_EQ, new byte[]{proto});
            return;
        }
        if (!key.equals("mark")) {
            throw new Unsupported("meta " + key);
        }
        String t = next();
        switch (t) {
            case "set" -> {
                String v = next();
                if (v.equals("ip") || v.equals("ip6")) {
                    boolean v6 = v.equals("ip6");
                    int offset = field(v6, next());
                    expect("map");
                    String map = setRef(next());
                    nfproto(v6);
                    payload(NFT_PAYLOAD_NETWORK, offset, v6 ? 16 : 4, NFT_REG_1);
                    lookup(map, NFT_REG_1, NFT_REG_1, false);
                } else if ("meta".equals(peek()) && at + 2 < tokens.size() && tokens.get(at + 1).equals("mark")
                        && tokens.get(at + 2).equals("vmap")) {
                    clearedVmap(v);
                    return;
                } else {
                    int e = begin("immediate");
                    out.be32(1, NFT_REG_1);
                    value(2, le32(number(v)));
                    end(e);
                }
                int e = begin("meta");
                out.be32(2, NFT_META_MARK); // KEY
                out.be32(3, NFT_REG_1);     // SREG
                end(e);
            }
            case "vmap" -> {
                String map = setRef(next());
                meta(NFT_META_MARK, NFT_REG_1);
                lookup(map, NFT_REG_1, NFT_REG_VERDICT, false);
            }
            case "!=" -> {
                meta(NFT_META_MARK, NFT_REG_1);
                cmp(NFT_CMP_NEQ, le32(number(next())));
            }
            default -> {
                meta(NFT_META_MARK, NFT_REG_1);
                cmp(NFT_CMP_EQ, le32(number(t)));
            }
        }
    }

    /**
     * {@code meta mark set 0x00000000 meta mark vmap @map}: the pod chains' profile dispatch. The mark (the profile id
     * the rule before wrote into a packet whose mark was 0) is loaded into register 1 first, then the mark is set to
     * {@code value}, then register 1 is looked up in the verdict map: the id reaches the map, and the packet leaves
     * the rule with its mark cleared whether the map jumps or not, so the profile chain needs no trampoline chain of
     * its own to clear it (one chain per profile and direction fewer: every nf_tables commit walks every chain).
     * This is the order of the expressions in the kernel; nft 1.0.6 prints the two statements in the order of their
     * last expression (the set, then the lookup), which is the text here, and reads that text back as set-then-look-up
     * (a lookup of the cleared mark). The rule carries a comment that says so, and a table with profiles is loaded
     * over netlink only ({@link RenderedTable#netlinkOnly}), never from that text.
     */
    private void clearedVmap(String value) {
        expect("meta");
        expect("mark");
        expect("vmap");
        String map = setRef(next());
        meta(NFT_META_MARK, NFT_REG_1);
        int e = begin("immediate");
        out.be32(1, NFT_REG_2);
        value(2, le32(number(value)));
        end(e);
        e = begin("meta");
        out.be32(2, NFT_META_MARK); // KEY
        out.be32(3, NFT_REG_2);     // SREG
        end(e);
        lookup(map, NFT_REG_1, NFT_REG_VERDICT, false);
    }

    // ---- statements

    private void counter() {
        int e = begin("counter");
        out.be64(1, 0); // BYTES
        out.be64(2, 0); // PACKETS
        end(e);
    }

    /** A reference to a named object of the table ({@code limit name "x"}, {@code counter name "x"}). */
    private void objref(int type, String name) {
        int e = begin("objref");
        out.be32(1, type);         // NFTA_OBJREF_IMM_TYPE
        out.string(2, name(name)); // NFTA_OBJREF_IMM_NAME
        end(e);
    }

    private void log() {
        Integer group = null;
        String prefix = null;
        while (true) {
            String p = peek();
            if ("group".equals(p)) {
                next();
                group = number(next());
            } else if ("prefix".equals(p)) {
                next();
                prefix = unquote(next());
            } else {
                break;
            }
        }
        if (group == null) {
            throw new Unsupported("log without group (kernel log)");
        }
        int e = begin("log");
        if (prefix != null) {
            out.string(2, prefix);   // PREFIX
        }
        out.be16(1, group);          // GROUP (no SNAPLEN: its presence alone sets NF_LOG_F_COPY_LEN)
        end(e);
    }

    private void verdict(int code, String chain) {
        int e = begin("immediate");
        out.be32(1, NFT_REG_VERDICT);
        int data = out.beginNested(2);           // NFTA_IMMEDIATE_DATA
        int v = out.beginNested(NFTA_DATA_VERDICT);
        out.be32(NFTA_VERDICT_CODE, code);
        if (chain != null) {
            out.string(NFTA_VERDICT_CHAIN, chain);
        }
        out.endNested(v);
        out.endNested(data);
        end(e);
    }

    // ---- expressions

    private int begin(String name) {
        int elem = out.beginNested(NFTA_LIST_ELEM);
        out.string(NFTA_EXPR_NAME, name);
        dataStart = out.beginNested(NFTA_EXPR_DATA);
        return elem;
    }

    private void end(int elem) {
        out.endNested(dataStart);
        out.endNested(elem);
    }

    private void meta(int key, int dreg) {
        int e = begin("meta");
        out.be32(2, key);  // KEY
        out.be32(1, dreg); // DREG
        end(e);
    }

    private void payload(int base, int offset, int len, int dreg) {
        int e = begin("payload");
        out.be32(1, dreg);   // DREG
        out.be32(2, base);   // BASE
        out.be32(3, offset); // OFFSET
        out.be32(4, len);    // LEN
        end(e);
    }

    private void cmp(int op, byte[] data) {
        int e = begin("cmp");
        out.be32(1, NFT_REG_1); // SREG
        out.be32(2, op);        // OP
        value(3, data);         // DATA
        end(e);
    }

    private void lookup(String set, int sreg, int dreg, boolean inverted) {
        int e = begin("lookup");
        out.string(1, set);     // SET
        out.be32(2, sreg);      // SREG
        if (dreg >= 0) {
            out.be32(3, dreg);  // DREG
        }
        if (inverted) {
            out.be32(5, NFT_LOOKUP_F_INV);
        }
        end(e);
    }

    /** The nfproto dependency of an address match, once per family per rule (as nft emits it). */
    private void nfproto(boolean v6) {
        if (v6 ? v6Checked : v4Checked) {
            return;
        }
        meta(NFT_META_NFPROTO, NFT_REG_1);
        cmp(NFT_CMP_EQ, new byte[]{(byte) (v6 ? 10 : 2)});
        if (v6) {
            v6Checked = true;
        } else {
            v4Checked = true;
        }
    }

    private void value(int type, byte[] data) {
        int n = out.beginNested(type);
        out.attr(NFTA_DATA_VALUE, data);
        out.endNested(n);
    }

    /** The register of a 4-byte slot at this byte offset of a concatenation (nft numbering). */
    private static int register(int offset) {
        return offset % 16 == 0 ? NFT_REG_1 + offset / 16 : 8 + offset / 4;
    }

    private static int field(boolean v6, String f) {
        return switch (f) {
            case "saddr" -> v6 ? 8 : 12;
            case "daddr" -> v6 ? 24 : 16;
            default -> throw new Unsupported((v6 ? "ip6 " : "ip ") + f);
        };
    }

    // ---- tokens

    private String next() {
        if (at >= tokens.size()) {
            throw new Unsupported("rule ends early");
        }
        return tokens.get(at++);
    }

    private String peek() {
        return at < tokens.size() ? tokens.get(at) : null;
    }

    private void expect(String token) {
        String t = next();
        if (!t.equals(token)) {
            throw new Unsupported("expected " + token + ", got " + t);
        }
    }

    private static String setRef(String t) {
        if (!t.startsWith("@")) {
            throw new Unsupported("expected a set reference, got " + t);
        }
        return name(t.substring(1));
    }

    private static String name(String n) {
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.')) {
                throw new Unsupported("name " + n);
            }
        }
        if (n.isEmpty()) {
            throw new Unsupported("empty name");
        }
        return n;
    }

    private static int number(String v) {
        try {
            return v.startsWith("0x") ? Integer.parseUnsignedInt(v.substring(2), 16) : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new Unsupported("number " + v);
        }
    }

    private static String unquote(String t) {
        if (t.length() < 2 || t.charAt(0) != '"' || t.charAt(t.length() - 1) != '"') {
            throw new Unsupported("expected a quoted string, got " + t);
        }
        String s = t.substring(1, t.length() - 1);
        if (s.indexOf('"') >= 0 || s.indexOf('\\') >= 0) {
            throw new Unsupported("quoted string with escapes");
        }
        return s;
    }

    static byte[] le32(int v) {
        return new byte[]{(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    /** Splits on spaces; a double-quoted string (no escapes) is one token, quotes kept. */
    static List<String> tokenize(String rule) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = rule.length();
        while (i < n) {
            char c = rule.charAt(i);
            if (c == ' ' || c == '\t') {
                i++;
                continue;
            }
            int start = i;
            if (c == '"') {
                int close = rule.indexOf('"', i + 1);
                if (close < 0) {
                    throw new Unsupported("unterminated string");
                }
                i = close + 1;
            } else {
                while (i < n && rule.charAt(i) != ' ' && rule.charAt(i) != '\t') {
                    i++;
                }
            }
            out.add(rule.substring(start, i));
        }
        return out;
    }

    /** A comment as the rule's user data: nftnl's TLV (type 0, length, NUL-terminated text). */
    static byte[] commentUserData(String comment) {
        byte[] raw = comment.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[2 + raw.length + 1];
        out[0] = 0;
        out[1] = (byte) (raw.length + 1);
        System.arraycopy(raw, 0, out, 2, raw.length);
        return out;
    }
}
