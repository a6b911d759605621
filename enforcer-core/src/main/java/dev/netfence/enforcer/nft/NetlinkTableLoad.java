package dev.netfence.enforcer.nft;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Replaces the table {@code inet netfence} in one nf_tables netlink transaction built here, without
 * libnftables: BATCH_BEGIN, NEWTABLE + DELTABLE + NEWTABLE (the table is new, whether it existed or
 * not, as {@code add table; delete table; table {...}} does), every chain, every set with its
 * elements, every rule, BATCH_END. The kernel applies all of it or nothing: a refused message
 * aborts the transaction and the table in force stays as it was.
 *
 * <p>Why: libnftables 1.0.6 first lists the old table into its cache (every rule and element: at
 * 10,000 pods most of the kernel time of a full load) and parses and evaluates the whole script
 * (1.2 s of user time); this encoder writes the ~10 MB batch in tens of milliseconds, and the kernel
 * does only the work of the transaction itself. Order as nft sends it (the handles the kernel gives
 * follow it): chains first (rules and verdict map elements refer to them), named objects, then each
 * set and its elements, then the rules.
 *
 * <p>Only what {@link NetlinkRuleEncoder} and {@link NetlinkSetEncoder} know is encoded;
 * {@link #encode} throws {@link NetlinkRuleEncoder.Unsupported} for anything else, and the caller
 * uses libnftables for that table. The encoding is checked against libnftables' in
 * {@code NetlinkTableLoadIT}: both loads list back identically.
 */
public final class NetlinkTableLoad {
    private static final int NFNL_SUBSYS_NFTABLES = NfNetlink.NFNL_SUBSYS_NFTABLES;
    private static final short NFNL_MSG_BATCH_BEGIN = 16;
    private static final short NFNL_MSG_BATCH_END = 17;
    private static final int NFT_MSG_NEWTABLE = 0;
    private static final int NFT_MSG_DELTABLE = 2;
    private static final int NFT_MSG_NEWCHAIN = 3;
    private static final int NFT_MSG_NEWRULE = 6;
    private static final int NFT_MSG_NEWSET = 9;
    private static final int NFT_MSG_NEWSETELEM = 12;
    private static final int NFT_MSG_DELSETELEM = 14;
    private static final int NFT_MSG_NEWOBJ = 18;
    private static final short NLM_F_APPEND = 0x800;
    /** Elements per NEWSETELEM message: the nested element list's length is 16 bits. */
    private static final int ELEMENT_BUDGET = 60_000;

    /**
     * A batch at most this big is sent with the socket's own buffers and receive timeout; a bigger one raises the
     * send buffer to its size (the kernel refuses a datagram larger than the buffer: EMSGSIZE) and waits longer.
     */
    private static final int SMALL_BATCH = 64 * 1024;

    /** An encoded transaction: the bytes and what each message was, for error messages. */
    public static final class Batch {
        private final NetlinkWriter out;
        private final List<String> what;
        private final int firstSeq;
        /** What the kernel refuses when it refuses this batch ("the table", "the element change"). */
        private final String subject;

        private Batch(NetlinkWriter out, List<String> what, int firstSeq, String subject) {
            this.out = out;
            this.what = what;
            this.firstSeq = firstSeq;
            this.subject = subject;
        }

        public int bytes() {
            return out.size();
        }

        public int messages() {
            return what.size();
        }

        /** The encoded messages, {@link #bytes()} of them (for tests that decode the batch). */
        byte[] array() {
            return out.array();
        }
    }

    private NetlinkTableLoad() {
    }

    /** True when this machine's byte order is the one the encoder writes headers in (little-endian). */
    public static boolean available() {
        return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    }

    /** Encodes the whole replacement; throws {@link NetlinkRuleEncoder.Unsupported} for what it does not know. */
    public static Batch encode(RenderedTable table) {
        if (!available()) {
            throw new NetlinkRuleEncoder.Unsupported("big-endian host");
        }
        NetlinkWriter out = new NetlinkWriter(64 * 1024 + table.elementCount() * 40 + table.ruleCount() * 200);
        List<String> what = new ArrayList<>();
        int seq = (int) (System.nanoTime() & 0x3fffffff);
        int first = seq;
        String name = RenderedTable.NAME;
        byte inet = NfNetlink.NFPROTO_INET;
        short create = (short) (NfNetlink.NLM_F_REQUEST | NfNetlink.NLM_F_CREATE);

        int m = out.beginMessage(NFNL_MSG_BATCH_BEGIN, NfNetlink.NLM_F_REQUEST, seq++, (byte) 0, NFNL_SUBSYS_NFTABLES);
        out.endMessage(m);
        what.add("batch begin");
        for (int type : new int[]{NFT_MSG_NEWTABLE, NFT_MSG_DELTABLE, NFT_MSG_NEWTABLE}) {
            m = out.beginMessage(NfNetlink.type(type), type == NFT_MSG_DELTABLE ? NfNetlink.NLM_F_REQUEST : create,
                    seq++, inet, 0);
            out.string(1, name); // NFTA_TABLE_NAME
            if (type != NFT_MSG_DELTABLE) {
                out.be32(2, 0); // NFTA_TABLE_FLAGS
            }
            out.endMessage(m);
            what.add(type == NFT_MSG_DELTABLE ? "delete table " + RenderedTable.TABLE : "table " + RenderedTable.TABLE);
        }
        for (NftChain c : table.chains()) {
            m = out.beginMessage(NfNetlink.type(NFT_MSG_NEWCHAIN), create, seq++, inet, 0);
            out.string(1, name);      // NFTA_CHAIN_TABLE
            out.string(3, c.name());  // NFTA_CHAIN_NAME
            if (c.hook() != null) {
                Hook h = Hook.parse(c.hook());
                out.string(7, h.type());            // NFTA_CHAIN_TYPE
                out.be32(5, h.policy());            // NFTA_CHAIN_POLICY
                int hook = out.beginNested(4);      // NFTA_CHAIN_HOOK
                out.be32(1, h.hook());              // NFTA_HOOK_HOOKNUM
                out.be32(2, h.priority());          // NFTA_HOOK_PRIORITY
                out.endNested(hook);
            }
            if (c.comment() != null) {
                out.attr(12, NetlinkRuleEncoder.commentUserData(unquoted(RenderedTable.quote(c.comment())))); // USERDATA
            }
            out.endMessage(m);
            what.add("chain " + c.name());
        }
        for (String declaration : table.objects()) {
            m = out.beginMessage(NfNetlink.type(NFT_MSG_NEWOBJ), create, seq++, inet, 0);
            NamedObject o = NamedObject.parse(declaration);
            out.string(1, name);          // NFTA_OBJ_TABLE
            out.string(2, o.name());      // NFTA_OBJ_NAME
            out.be32(3, o.type());        // NFTA_OBJ_TYPE
            int data = out.beginNested(4); // NFTA_OBJ_DATA
            if (o.type() == NamedObject.LIMIT) {
                out.be64(1, o.rate());    // NFTA_LIMIT_RATE
                out.be64(2, o.unit());    // NFTA_LIMIT_UNIT (seconds)
                out.be32(3, o.burst());   // NFTA_LIMIT_BURST
                out.be32(4, 0);           // NFTA_LIMIT_TYPE: packets
                out.be32(5, 0);           // NFTA_LIMIT_FLAGS
            } else {
                out.be64(1, 0);           // NFTA_COUNTER_BYTES
                out.be64(2, 0);           // NFTA_COUNTER_PACKETS
            }
            out.endNested(data);
            out.endMessage(m);
            what.add("object " + o.name());
        }
        Map<String, NftSet> sets = new HashMap<>();
        int setId = 1;
        for (NftSet s : table.sets()) {
            sets.put(s.name(), s);
            NetlinkSetEncoder.Shape shape = NetlinkSetEncoder.shape(s);
            m = out.beginMessage(NfNetlink.type(NFT_MSG_NEWSET), create, seq++, inet, 0);
            out.string(1, name);                 // NFTA_SET_TABLE
            out.string(2, s.name());             // NFTA_SET_NAME
            out.be32(3, shape.flags());          // NFTA_SET_FLAGS
            out.be32(4, shape.keyType());        // NFTA_SET_KEY_TYPE
            out.be32(5, shape.keyLen());         // NFTA_SET_KEY_LEN
            if ((shape.flags() & NetlinkSetEncoder.NFT_SET_MAP) != 0) {
                out.be32(6, shape.dataType());   // NFTA_SET_DATA_TYPE
                out.be32(7, shape.dataLen());    // NFTA_SET_DATA_LEN
            }
            if (shape.concatFields() != null) {
                int desc = out.beginNested(9);   // NFTA_SET_DESC
                int concat = out.beginNested(2); // NFTA_SET_DESC_CONCAT
                for (int len : shape.concatFields()) {
                    int f = out.beginNested(1);  // NFTA_LIST_ELEM
                    out.be32(1, len);            // NFTA_SET_FIELD_LEN
                    out.endNested(f);
                }
                out.endNested(concat);
                out.endNested(desc);
            }
            out.be32(10, setId++);               // NFTA_SET_ID
            out.attr(13, shape.userData());      // NFTA_SET_USERDATA
            out.endMessage(m);
            what.add("set " + s.name());
            boolean leadingZeroEnd = NetlinkSetEncoder.needsLeadingZeroEnd(s, shape);
            int next = 0;
            while (next < s.elements().size()) {
                m = out.beginMessage(NfNetlink.type(NFT_MSG_NEWSETELEM), create, seq++, inet, 0);
                out.string(1, name);             // NFTA_SET_ELEM_LIST_TABLE
                out.string(2, s.name());         // NFTA_SET_ELEM_LIST_SET
                int list = out.beginNested(3);   // NFTA_SET_ELEM_LIST_ELEMENTS
                int from = next;
                next = NetlinkSetEncoder.writeElements(out, s, shape, s.elements(), next, ELEMENT_BUDGET,
                        leadingZeroEnd && from == 0);
                out.endNested(list);
                out.endMessage(m);
                what.add("elements " + (from + 1) + "-" + next + " of set " + s.name());
            }
        }
        for (NftChain c : table.chains()) {
            int n = 0;
            for (String rule : c.rules()) {
                n++;
                NetlinkRuleEncoder.Encoded e = NetlinkRuleEncoder.encode(rule, sets);
                m = out.beginMessage(NfNetlink.type(NFT_MSG_NEWRULE), (short) (create | NLM_F_APPEND), seq++, inet, 0);
                out.string(1, name);     // NFTA_RULE_TABLE
                out.string(2, c.name()); // NFTA_RULE_CHAIN
                int exprs = out.beginNested(4); // NFTA_RULE_EXPRESSIONS
                out.append(e.expressions());
                out.endNested(exprs);
                if (e.comment() != null) {
                    out.attr(7, NetlinkRuleEncoder.commentUserData(e.comment())); // NFTA_RULE_USERDATA
                }
                out.endMessage(m);
                what.add("rule " + n + " of chain " + c.name() + " (" + rule + ")");
            }
        }
        // only the last command asks for an acknowledgement: errors come back for any message that fails
        patchAck(out, m);
        m = out.beginMessage(NFNL_MSG_BATCH_END, NfNetlink.NLM_F_REQUEST, seq, (byte) 0, NFNL_SUBSYS_NFTABLES);
        out.endMessage(m);
        what.add("batch end");
        return new Batch(out, what, first, "the table");
    }

    /**
     * Element changes only, as one transaction: every set's deletions (DELSETELEM), then every set's additions
     * (NEWSETELEM), each set's elements in messages of at most ~60 KB as in {@link #encode}, so a delta of any
     * size is one batch the kernel applies whole or not at all (deletions first, so a map key given a new value or
     * a reshaped interval is replaced within it). Map elements to delete may be given by their key alone. Throws
     * {@link NetlinkRuleEncoder.Unsupported} for a set type or element the encoder does not know, before anything
     * is sent.
     */
    static Batch encodeElements(String table, List<NetlinkSetElements.SetChange> changes) {
        if (!available()) {
            throw new NetlinkRuleEncoder.Unsupported("big-endian host");
        }
        int count = 0;
        List<NetlinkSetEncoder.Shape> shapes = new ArrayList<>(changes.size());
        for (NetlinkSetElements.SetChange c : changes) {
            shapes.add(NetlinkSetEncoder.shape(c.set()));
            count += c.removed().size() + c.added().size();
        }
        NetlinkWriter out = new NetlinkWriter(256 + changes.size() * 128 + count * 48);
        List<String> what = new ArrayList<>();
        int seq = (int) (System.nanoTime() & 0x3fffffff);
        int first = seq;
        byte inet = NfNetlink.NFPROTO_INET;
        int m = out.beginMessage(NFNL_MSG_BATCH_BEGIN, NfNetlink.NLM_F_REQUEST, seq++, (byte) 0, NFNL_SUBSYS_NFTABLES);
        out.endMessage(m);
        what.add("batch begin");
        int last = -1;
        for (boolean delete : new boolean[]{true, false}) {
            for (int k = 0; k < changes.size(); k++) {
                NetlinkSetElements.SetChange c = changes.get(k);
                List<String> elements = delete ? c.removed() : c.added();
                int next = 0;
                while (next < elements.size()) {
                    last = out.beginMessage(NfNetlink.type(delete ? NFT_MSG_DELSETELEM : NFT_MSG_NEWSETELEM),
                            delete ? NfNetlink.NLM_F_REQUEST : (short) (NfNetlink.NLM_F_REQUEST | NfNetlink.NLM_F_CREATE),
                            seq++, inet, 0);
                    out.string(1, table);            // NFTA_SET_ELEM_LIST_TABLE
                    out.string(2, c.set().name());   // NFTA_SET_ELEM_LIST_SET
                    int list = out.beginNested(3);   // NFTA_SET_ELEM_LIST_ELEMENTS
                    int from = next;
                    next = NetlinkSetEncoder.writeElements(out, c.set(), shapes.get(k), elements, next, ELEMENT_BUDGET,
                            false, delete);
                    out.endNested(list);
                    out.endMessage(last);
                    what.add((delete ? "delete" : "add") + " elements " + (from + 1) + "-" + next + " of " + elements.size()
                            + " of set " + c.set().name());
                }
            }
        }
        if (last >= 0) {
            patchAck(out, last); // as in encode: errors come back for any message, the last one acknowledges the rest
        }
        m = out.beginMessage(NFNL_MSG_BATCH_END, NfNetlink.NLM_F_REQUEST, seq, (byte) 0, NFNL_SUBSYS_NFTABLES);
        out.endMessage(m);
        what.add("batch end");
        return new Batch(out, what, first, "the element change");
    }

    /** Sends the transaction in the calling thread's network namespace; throws with the kernel's error. */
    public static void load(Batch batch) {
        try (NfNetlink.Socket socket = new NfNetlink.Socket()) {
            load(socket, batch);
        }
    }

    /** The same over {@code socket}, which stays open. */
    static void load(NfNetlink.Socket socket, Batch batch) {
        if (batch.what.size() <= 2) {
            return; // begin and end only: nothing to send
        }
        {
            // a small batch (a pod change's elements) as the socket is: four setsockopt calls fewer per change
            boolean big = batch.bytes() > SMALL_BATCH;
            if (big) {
                socket.buffers(batch.bytes() + 4096, 1 << 20);
                socket.timeout(600);
            }
            socket.send(batch.out.array(), batch.out.size());
            int lastCommand = batch.firstSeq + batch.what.size() - 2;
            String[] firstError = {null};
            socket.awaitAnswers((seq, errno) -> {
                int index = seq - batch.firstSeq;
                if (index < 0 || index >= batch.what.size()) {
                    return false; // an answer to an earlier request on this socket
                }
                if (errno != 0 && firstError[0] == null) {
                    firstError[0] = "kernel refused " + batch.subject + " (" + batch.what.get(index) + "): errno " + errno + " "
                            + NfNetlink.errnoName(errno);
                }
                // only the last command asks for an acknowledgement; an error answers earlier (or on BATCH_BEGIN)
                return seq == lastCommand || seq == batch.firstSeq;
            });
            if (big) {
                socket.timeout(5);
            }
            if (firstError[0] != null) {
                throw new NftablesException(firstError[0]);
            }
        }
    }

    private static void patchAck(NetlinkWriter out, int messageStart) {
        byte[] a = out.array();
        int flags = (a[messageStart + 6] & 0xff) | (a[messageStart + 7] & 0xff) << 8;
        flags |= NfNetlink.NLM_F_ACK;
        a[messageStart + 6] = (byte) flags;
        a[messageStart + 7] = (byte) (flags >>> 8);
    }

    private static String unquoted(String quoted) {
        return quoted.substring(1, quoted.length() - 1);
    }

    /**
     * A named stateful object as the renderers declare it: {@code limit NAME { rate N/second burst B packets }}
     * or {@code counter NAME { }}; anything else is loaded through libnftables.
     */
    record NamedObject(String name, int type, long rate, long unit, int burst) {
        static final int COUNTER = 1;
        static final int LIMIT = 4;
        private static final java.util.regex.Pattern LIMIT_DECL = java.util.regex.Pattern.compile(
                "limit ([A-Za-z0-9_]+) \\{ rate ([0-9]+)/(second|minute|hour|day) burst ([0-9]+) packets \\}");
        private static final java.util.regex.Pattern COUNTER_DECL = java.util.regex.Pattern.compile(
                "counter ([A-Za-z0-9_]+) \\{ \\}");

        static NamedObject parse(String declaration) {
            java.util.regex.Matcher m = LIMIT_DECL.matcher(declaration.strip());
            if (m.matches()) {
                long unit = switch (m.group(3)) {
                    case "second" -> 1;
                    case "minute" -> 60;
                    case "hour" -> 3600;
                    default -> 86400;
                };
                return new NamedObject(m.group(1), LIMIT, Long.parseLong(m.group(2)), unit, Integer.parseInt(m.group(4)));
            }
            m = COUNTER_DECL.matcher(declaration.strip());
            if (m.matches()) {
                return new NamedObject(m.group(1), COUNTER, 0, 0, 0);
            }
            throw new NetlinkRuleEncoder.Unsupported("object " + declaration);
        }
    }

    /** A base chain's {@code type filter hook forward priority filter + 1; policy accept;}. */
    record Hook(String type, int hook, int priority, int policy) {
        static Hook parse(String spec) {
            List<String> t = NetlinkRuleEncoder.tokenize(spec.replace(";", " ; "));
            int i = 0;
            String type = null;
            Integer hook = null;
            Integer priority = null;
            int policy = 1;
            while (i < t.size()) {
                String k = t.get(i++);
                switch (k) {
                    case ";" -> {
                    }
                    case "type" -> type = t.get(i++);
                    case "hook" -> hook = switch (t.get(i++)) {
                        case "prerouting" -> 0;
                        case "input" -> 1;
                        case "forward" -> 2;
                        case "output" -> 3;
                        case "postrouting" -> 4;
                        default -> throw new NetlinkRuleEncoder.Unsupported("hook " + t.get(i - 1));
                    };
                    case "priority" -> {
                        String p = t.get(i++);
                        int base = switch (p) {
                            case "raw" -> -300;
                            case "mangle" -> -150;
                            case "dstnat" -> -100;
                            case "filter" -> 0;
                            case "security" -> 50;
                            case "srcnat" -> 100;
                            default -> {
                                try {
                                    yield Integer.parseInt(p);
                                } catch (NumberFormatException e) {
                                    throw new NetlinkRuleEncoder.Unsupported("priority " + p);
                                }
                            }
                        };
                        if (i + 1 < t.size() && (t.get(i).equals("+") || t.get(i).equals("-"))) {
                            int d = Integer.parseInt(t.get(i + 1));
                            base += t.get(i).equals("+") ? d : -d;
                            i += 2;
                        }
                        priority = base;
                    }
                    case "policy" -> policy = switch (t.get(i++)) {
                        case "accept" -> 1;
                        case "drop" -> 0;
                        default -> throw new NetlinkRuleEncoder.Unsupported("policy " + t.get(i - 1));
                    };
                    default -> throw new NetlinkRuleEncoder.Unsupported("chain spec " + k);
                }
            }
            if (type == null || hook == null || priority == null) {
                throw new NetlinkRuleEncoder.Unsupported("base chain without type, hook or priority");
            }
            return new Hook(type, hook, priority, policy);
        }
    }
}
