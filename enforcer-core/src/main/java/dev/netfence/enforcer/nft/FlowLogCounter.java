package dev.netfence.enforcer.nft;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads the named counter {@link FlowLogRules#LOST_COUNTER} of the table: the packets a logging rule
 * did not log because the node's flow-log budget was spent. One nf_tables netlink dump of the
 * table's counter objects ({@code NFT_MSG_GETOBJ}, filtered by table and {@code NFT_OBJECT_COUNTER}),
 * a few hundred bytes whatever the size of the table (a libnftables listing would build its cache of
 * the whole table first).
 */
public final class FlowLogCounter {
    private static final int NFT_MSG_GETOBJ = 19;
    private static final int NFTA_OBJ_TABLE = 1;
    private static final int NFTA_OBJ_NAME = 2;
    private static final int NFTA_OBJ_TYPE = 3;
    private static final int NFTA_OBJ_DATA = 4;
    private static final int NFT_OBJECT_COUNTER = 1;
    private static final int NFTA_COUNTER_PACKETS = 2;

    private FlowLogCounter() {
    }

    /** Packets over the flow log's rate limit so far, in the calling thread's namespace; 0 without the table or counter. */
    public static long lost() {
        byte[] request = NfNetlink.message(NfNetlink.type(NFT_MSG_GETOBJ),
                (short) (NfNetlink.NLM_F_REQUEST | NfNetlink.NLM_F_DUMP), 1, NfNetlink.NFPROTO_INET, 0,
                NfNetlink.concat(NfNetlink.attr(NFTA_OBJ_TABLE, NfNetlink.cstring(RenderedTable.NAME)),
                        NfNetlink.attr(NFTA_OBJ_TYPE, NfNetlink.be32(NFT_OBJECT_COUNTER))));
        long[] packets = {0};
        try (NfNetlink.Socket socket = new NfNetlink.Socket()) {
            socket.dump(request, object -> {
                String name = null;
                long value = 0;
                while (object.remaining() >= 4) {
                    int start = object.position();
                    int len = object.getShort() & 0xffff;
                    int type = object.getShort() & NfNetlink.NLA_TYPE_MASK;
                    if (len < 4 || start + len > object.limit()) {
                        break;
                    }
                    if (type == NFTA_OBJ_NAME) {
                        byte[] raw = new byte[len - 5];
                        object.get(raw);
                        name = new String(raw, StandardCharsets.US_ASCII);
                    } else if (type == NFTA_OBJ_DATA) {
                        // duplicate() starts big-endian: the attribute headers are in host order
                        value = packets(object.duplicate().order(ByteOrder.nativeOrder()).limit(start + len).position(start + 4));
                    }
                    object.position(Math.min(start + NfNetlink.align(len), object.limit()));
                }
                if (FlowLogRules.LOST_COUNTER.equals(name)) {
                    packets[0] = value;
                }
            });
        } catch (NftablesException e) {
            if (e.getMessage().contains("errno 2 ")) {
                return 0;
            }
            throw e;
        }
        return packets[0];
    }

    private static long packets(ByteBuffer nested) {
        while (nested.remaining() >= 4) {
            int start = nested.position();
            int len = nested.getShort() & 0xffff;
            int type = nested.getShort() & NfNetlink.NLA_TYPE_MASK;
            if (len < 4 || start + len > nested.limit()) {
                return 0;
            }
            if (type == NFTA_COUNTER_PACKETS && len >= 12) {
                return nested.duplicate().order(ByteOrder.BIG_ENDIAN).getLong(start + 4);
            }
            nested.position(Math.min(start + NfNetlink.align(len), nested.limit()));
        }
        return 0;
    }
}
