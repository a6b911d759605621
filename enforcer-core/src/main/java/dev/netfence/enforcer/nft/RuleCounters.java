package dev.netfence.enforcer.nft;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the per-rule counters of the table and sums them by rule comment, which names the policy
 * and rule ({@code NetworkPolicy shop/web spec.ingress[0]}) or the drop of a profile
 * ({@code ingress isolated by shop/web}).
 *
 * <p>One nf_tables netlink dump of the table's rules (NFT_MSG_GETRULE with NLM_F_DUMP, filtered by
 * table): each answer carries the rule's expressions, of which only {@code counter}'s packets and
 * bytes are read, and its user data, where nft keeps the comment (a TLV list, type 0 =
 * NFTNL_UDATA_RULE_COMMENT, a NUL-terminated string). Nothing is rendered as text or JSON: with a
 * 10,000-pod table a JSON listing cost ~2 s of CPU (libnftables builds its whole cache and prints
 * every rule), the dump costs what the kernel needs to copy the rules out. A dump the kernel
 * flags as interrupted (the ruleset changed during it) is read again.
 */
public final class RuleCounters {

    /** Packets and bytes counted for one policy rule. */
    public record Count(long packets, long bytes) {
        Count plus(long p, long b) {
            return new Count(packets + p, bytes + b);
        }
    }

    private static final int NFT_MSG_GETRULE = 7;
    private static final int NFTA_RULE_TABLE = 1;
    private static final int NFTA_RULE_EXPRESSIONS = 4;
    private static final int NFTA_RULE_USERDATA = 7;
    private static final int NFTA_LIST_ELEM = 1;
    private static final int NFTA_EXPR_NAME = 1;
    private static final int NFTA_EXPR_DATA = 2;
    private static final int NFTA_COUNTER_BYTES = 1;
    private static final int NFTA_COUNTER_PACKETS = 2;
    private static final int NFTNL_UDATA_RULE_COMMENT = 0;
    private static final byte[] COUNTER = "counter".getBytes(StandardCharsets.US_ASCII);

    private RuleCounters() {
    }

    /**
     * The counters of table {@code inet netfence} in the calling thread's network namespace;
     * empty when the table does not exist.
     */
    public static Map<String, Count> read() {
        for (int attempt = 1; ; attempt++) {
            Map<String, Count> out = new HashMap<>();
            byte[] request = NfNetlink.message(NfNetlink.type(NFT_MSG_GETRULE),
                    (short) (NfNetlink.NLM_F_REQUEST | NfNetlink.NLM_F_DUMP), 1, NfNetlink.NFPROTO_INET, 0,
                    NfNetlink.attr(NFTA_RULE_TABLE, NfNetlink.cstring(RenderedTable.NAME)));
            boolean consistent;
            try (NfNetlink.Socket socket = new NfNetlink.Socket()) {
                consistent = socket.dump(request, rule -> rule(rule, out));
            } catch (NftablesException e) {
                if (e.getMessage().contains("errno 2 ")) {
                    return Map.of(); // no such table
                }
                throw e;
            }
            if (consistent || attempt == 3) {
                return new TreeMap<>(out);
            }
        }
    }

    /** One NFT_MSG_NEWRULE answer: adds its counter to its comment's sum (rules without either are skipped). */
    private static void rule(ByteBuffer in, Map<String, Count> out) {
        String comment = null;
        long packets = -1;
        long bytes = 0;
        while (in.remaining() >= 4) {
            int start = in.position();
            int len = in.getShort() & 0xffff;
            int type = in.getShort() & NfNetlink.NLA_TYPE_MASK;
            if (len < 4 || start + len > in.limit()) {
                break;
            }
            if (type == NFTA_RULE_USERDATA) {
                comment = comment(in, start + 4, start + len);
            } else if (type == NFTA_RULE_EXPRESSIONS) {
                long[] c = counter(in, start + 4, start + len);
                if (c != null) {
                    packets = (packets < 0 ? 0 : packets) + c[0];
                    bytes += c[1];
                }
            }
            in.position(Math.min(start + NfNetlink.align(len), in.limit()));
        }
        if (comment != null && packets >= 0) {
            long p = packets;
            long b = bytes;
            out.merge(comment, new Count(p, b), (x, y) -> x.plus(y.packets(), y.bytes()));
        }
    }

    /** The comment in nft's rule user data (TLVs of one type byte and one length byte), or null. */
    private static String comment(ByteBuffer in, int from, int to) {
        int i = from;
        while (i + 2 <= to) {
            int type = in.get(i) & 0xff;
            int len = in.get(i + 1) & 0xff;
            if (i + 2 + len > to) {
                return null;
            }
            if (type == NFTNL_UDATA_RULE_COMMENT) {
                int end = i + 2;
                while (end < i + 2 + len && in.get(end) != 0) {
                    end++;
                }
                byte[] text = new byte[end - i - 2];
                in.get(i + 2, text);
                return new String(text, StandardCharsets.UTF_8);
            }
            i += 2 + len;
        }
        return null;
    }

    /** Packets and bytes of the counter expressions in a rule's expression list (summed), or null. */
    private static long[] counter(ByteBuffer in, int from, int to) {
        long[] sum = null;
        for (int e = from; e + 4 <= to; ) {
            int elen = in.getShort(e) & 0xffff;
            if (elen < 4 || e + elen > to) {
                break;
            }
            if ((in.getShort(e + 2) & NfNetlink.NLA_TYPE_MASK) == NFTA_LIST_ELEM) {
                boolean isCounter = false;
                int data = -1;
                int dataEnd = -1;
                for (int a = e + 4; a + 4 <= e + elen; ) {
                    int alen = in.getShort(a) & 0xffff;
                    int atype = in.getShort(a + 2) & NfNetlink.NLA_TYPE_MASK;
                    if (alen < 4 || a + alen > e + elen) {
                        break;
                    }
                    if (atype == NFTA_EXPR_NAME) {
                        isCounter = named(in, a + 4, a + alen, COUNTER);
                    } else if (atype == NFTA_EXPR_DATA) {
                        data = a + 4;
                        dataEnd = a + alen;
                    }
                    a += NfNetlink.align(alen);
                }
                if (isCounter && data >= 0) {
                    long packets = 0;
                    long bytes = 0;
                    for (int c = data; c + 4 <= dataEnd; ) {
                        int clen = in.getShort(c) & 0xffff;
                        int ctype = in.getShort(c + 2) & NfNetlink.NLA_TYPE_MASK;
                        if (clen < 4 || c + clen > dataEnd) {
                            break;
                        }
                        if (clen >= 12 && (ctype == NFTA_COUNTER_PACKETS || ctype == NFTA_COUNTER_BYTES)) {
                            long v = in.duplicate().order(ByteOrder.BIG_ENDIAN).getLong(c + 4);
                            if (ctype == NFTA_COUNTER_PACKETS) {
                                packets = v;
                            } else {
                                bytes = v;
                            }
                        }
                        c += NfNetlink.align(clen);
                    }
                    sum = sum == null ? new long[]{packets, bytes} : new long[]{sum[0] + packets, sum[1] + bytes};
                }
            }
            e += NfNetlink.align(elen);
        }
        return sum;
    }

    private static boolean named(ByteBuffer in, int from, int to, byte[] name) {
        if (to - from < name.length + 1) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            if (in.get(from + i) != name[i]) {
                return false;
            }
        }
        return in.get(from + name.length) == 0;
    }
}
