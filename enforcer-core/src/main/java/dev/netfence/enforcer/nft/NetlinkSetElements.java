package dev.netfence.enforcer.nft;

import dev.netfence.policy.net.IpAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Sends set-element additions and deletions straight to the kernel as one nf_tables netlink
 * batch (NFT_MSG_DELSETELEM / NFT_MSG_NEWSETELEM between BATCH_BEGIN and BATCH_END: one
 * transaction, all or nothing), encoded by {@link NetlinkTableLoad#encodeElements} with the full
 * load's element encoder ({@link NetlinkSetEncoder}), in messages of at most ~60 KB, so a delta of any
 * size is one batch (the send buffer is raised for a big one, as for a full load).
 *
 * <p>Why not libnftables: nftables 1.0.6 fills its cache with every element of every set of the
 * table before any {@code add element}, so a one-pod change costs time in proportion to the whole
 * rule set (about 0.7 s with 100,000 elements), and a big delta costs the parsing and evaluation of
 * every element command on top (see {@code enforcer/README.md}, *Full loads over netlink*). This writer
 * only encodes the changed elements. It handles every set type the full load's encoder knows; anything
 * else goes through libnftables ({@link #supports}). An interval is a start element and one flagged
 * INTERVAL_END, as nft writes it for a set without auto-merge, without the leading INTERVAL_END at address 0
 * that a full load writes; the kernel lists the same intervals either way ({@code BigElementDeltaIT} compares
 * a delta's listing with a full load's).
 */
public final class NetlinkSetElements {
    private static final int NFNL_SUBSYS_NFTABLES = NfNetlink.NFNL_SUBSYS_NFTABLES;
    private static final short NLM_F_REQUEST = NfNetlink.NLM_F_REQUEST;
    private static final int NLMSG_ERROR = NfNetlink.NLMSG_ERROR;

    /** One set's changes: its declaration (type, interval) and the elements to delete and to add. */
    public record SetChange(NftSet set, List<String> removed, List<String> added) {
    }

    private NetlinkSetElements() {
    }

    /** True when this writer can encode changes of this set: a set type the full load's encoder knows. */
    public static boolean supports(NftSet set) {
        try {
            NetlinkSetEncoder.shape(set);
            return true;
        } catch (NetlinkRuleEncoder.Unsupported e) {
            return false;
        }
    }

    /**
     * Applies the changes in one transaction, deletions first, over a socket of its own; throws with the kernel's
     * error (naming the refused message) or, before sending anything, for an element it cannot encode.
     */
    public static void apply(String table, List<SetChange> changes) {
        try (NfNetlink.Socket socket = new NfNetlink.Socket()) {
            apply(socket, table, changes);
        }
    }

    /** The same over {@code socket} (kept open by the caller: see {@link RuleSetApplier} on why). */
    static void apply(NfNetlink.Socket socket, String table, List<SetChange> changes) {
        NetlinkTableLoad.load(socket, NetlinkTableLoad.encodeElements(table, changes));
    }

    private static final int NFT_MSG_GETGEN = 16;
    private static final int NFTA_GEN_ID = 1;

    /**
     * The ruleset generation of the calling thread's network namespace (NFT_MSG_GETGEN): nf_tables
     * increments it on every committed transaction, by anyone, on any table. Equal generations mean
     * nothing was changed in between; the enforcer's resync reads the whole table only when it moved.
     */
    public static long generation() {
        try (NfNetlink.Socket socket = new NfNetlink.Socket()) {
            return generation(socket);
        }
    }

    static long generation(NfNetlink.Socket socket) {
        {
            socket.send(message((short) ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN), NLM_F_REQUEST, 1, (byte) 0, 0,
                    new byte[0]));
            byte[] buf = new byte[8192];
            int n = socket.recv(buf);
            ByteBuffer in = ByteBuffer.wrap(buf, 0, n).order(ByteOrder.nativeOrder());
            int len = in.getInt();
            int type = in.getShort() & 0xffff;
            in.position(16);
            if (type == NLMSG_ERROR) {
                throw new NftablesException("kernel refused NFT_MSG_GETGEN: errno " + (-in.getInt()));
            }
            in.position(16 + 4); // nfgenmsg
            while (in.position() + 4 <= Math.min(len, n)) {
                int start = in.position();
                int alen = in.getShort() & 0xffff;
                int atype = in.getShort() & 0x3fff;
                if (atype == NFTA_GEN_ID && alen >= 8) {
                    return in.order(ByteOrder.BIG_ENDIAN).getInt() & 0xffffffffL;
                }
                if (alen < 4) {
                    break;
                }
                in.position(start + align(alen));
            }
            throw new NftablesException("no generation id in the kernel's NFT_MSG_NEWGEN answer");
        }
    }

    static byte[] bytes(IpAddress ip) {
        if (!ip.v6()) {
            return NfNetlink.be32((int) ip.lo());
        }
        return ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN).putLong(ip.hi()).putLong(ip.lo()).array();
    }

    private static byte[] message(short type, short flags, int seq, byte family, int resId, byte[] payload) {
        return NfNetlink.message(type, flags, seq, family, resId, payload);
    }

    private static int align(int len) {
        return NfNetlink.align(len);
    }
}
