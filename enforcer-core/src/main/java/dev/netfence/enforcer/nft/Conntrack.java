package dev.netfence.enforcer.nft;

import static dev.netfence.enforcer.nft.NfNetlink.NLA_F_NESTED;
import static dev.netfence.enforcer.nft.NfNetlink.NLA_TYPE_MASK;
import static dev.netfence.enforcer.nft.NfNetlink.NLM_F_ACK;
import static dev.netfence.enforcer.nft.NfNetlink.NLM_F_DUMP;
import static dev.netfence.enforcer.nft.NfNetlink.NLM_F_REQUEST;
import static dev.netfence.enforcer.nft.NfNetlink.NLMSG_ERROR;
import static dev.netfence.enforcer.nft.NfNetlink.align;
import static dev.netfence.enforcer.nft.NfNetlink.attr;
import static dev.netfence.enforcer.nft.NfNetlink.be32;
import static dev.netfence.enforcer.nft.NfNetlink.concat;

import dev.netfence.policy.net.IpAddress;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The connection tracking table of the calling thread's network namespace over ctnetlink
 * ({@code NETLINK_NETFILTER}, subsystem {@code NFNL_SUBSYS_CTNETLINK}, libc through JNA, the same
 * sockets as {@link NfNetlink}): a dump filtered in the kernel by one address, and deletes of given
 * entries. This is what {@code conntrack -L -s ADDR} and {@code conntrack -D} do, without the tool.
 *
 * <p>The filter ({@code CTA_FILTER}, Linux 5.8+) names which fields of the tuple in the request must
 * match: {@code CTA_FILTER_ORIG_FLAGS} against {@code CTA_TUPLE_ORIG}, {@code CTA_FILTER_REPLY_FLAGS}
 * against {@code CTA_TUPLE_REPLY}. A delete names the entry by its original tuple and its
 * {@code CTA_ID}: an entry that was replaced by a new connection with the same tuple since the dump
 * has another id and is left alone (the kernel answers ENOENT, counted as not deleted).
 */
public final class Conntrack {
    static final int NFNL_SUBSYS_CTNETLINK = 1;
    static final int IPCTNL_MSG_CT_GET = 1;
    static final int IPCTNL_MSG_CT_DELETE = 2;

    static final int CTA_TUPLE_ORIG = 1;
    static final int CTA_TUPLE_REPLY = 2;
    static final int CTA_ID = 12;
    static final int CTA_ZONE = 18;
    static final int CTA_FILTER = 25;
    static final int CTA_TUPLE_IP = 1;
    static final int CTA_TUPLE_PROTO = 2;
    static final int CTA_IP_V4_SRC = 1;
    static final int CTA_IP_V4_DST = 2;
    static final int CTA_IP_V6_SRC = 3;
    static final int CTA_IP_V6_DST = 4;
    static final int CTA_PROTO_NUM = 1;
    static final int CTA_PROTO_SRC_PORT = 2;
    static final int CTA_PROTO_DST_PORT = 3;
    static final int CTA_FILTER_ORIG_FLAGS = 1;
    static final int CTA_FILTER_REPLY_FLAGS = 2;
    /** {@code CTA_FILTER_F_CTA_IP_SRC}: the filter compares the tuple's source address. */
    static final int CTA_FILTER_F_CTA_IP_SRC = 1;

    static final byte AF_INET = 2;
    static final byte AF_INET6 = 10;
    private static final int ENOENT = 2;
    /** Deletes per datagram: each is its own message with its own acknowledgement. */
    private static final int DELETES_PER_SEND = 64;

    /** Which source address a dump matches: the connection's initiator, or the responder (the reply's source, after DNAT). */
    public enum Side { INITIATOR, RESPONDER }

    /**
     * One tracked connection. {@code initiator}:{@code initiatorPort} opened it to
     * {@code responder}:{@code responderPort}, the address that answers (the reply tuple's source, so a
     * ClusterIP translated by DNAT is the pod behind it, as the policies see it).
     */
    public record Entry(int protocol, IpAddress initiator, int initiatorPort, IpAddress responder, int responderPort,
                        long id, int zone, byte[] originalTuple) {
        public String describe() {
            return protocolName(protocol) + " " + initiator + ":" + initiatorPort + " -> " + responder + ":" + responderPort;
        }
    }

    private Conntrack() {
    }

    /**
     * One ctnetlink socket kept open for dumps and deletes (in the namespace of the thread that first uses it; only
     * that thread may use it), closed by {@link #close}, and after a failure (the next call opens a new one). Why:
     * closing a netfilter netlink socket makes nf_tables wait for the release of its last transaction (an RCU grace
     * period, 4-14 ms or more under load), so a socket per revocation right after a pod change's batch made the
     * next change wait.
     */
    public static final class Session implements AutoCloseable {
        private NfNetlink.Socket socket;

        public List<Entry> dump(IpAddress address, Side side) {
            return over(s -> Conntrack.dump(s, dumpRequest(address, side), address.v6()));
        }

        public List<Entry> dumpAll(boolean v6) {
            return over(s -> Conntrack.dump(s, dumpAllRequest(v6), v6));
        }

        public int delete(List<Entry> entries) {
            return over(s -> Conntrack.delete(s, entries));
        }

        private <T> T over(java.util.function.Function<NfNetlink.Socket, T> call) {
            if (socket == null) {
                socket = new NfNetlink.Socket();
            }
            try {
                return call.apply(socket);
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        @Override
        public void close() {
            if (socket != null) {
                NfNetlink.Socket s = socket;
                socket = null;
                s.close();
            }
        }
    }

    /** The entries whose initiator (or responder) is {@code address}, in the calling thread's namespace. */
    public static List<Entry> dump(IpAddress address, Side side) {
        try (NfNetlink.Socket socket = new NfNetlink.Socket()) {
            return dump(socket, dumpRequest(address, side), address.v6());
        }
    }

    private static byte[] dumpRequest(IpAddress address, Side side) {
        byte family = address.v6() ? AF_INET6 : AF_INET;
        int srcAttr = address.v6() ? CTA_IP_V6_SRC : CTA_IP_V4_SRC;
        byte[] ip = nested(CTA_TUPLE_IP, attr(srcAttr, bytes(address)));
        boolean initiator = side == Side.INITIATOR;
        byte[] filter = nested(CTA_FILTER, attr(initiator ? CTA_FILTER_ORIG_FLAGS : CTA_FILTER_REPLY_FLAGS,
                NfNetlink.le32(CTA_FILTER_F_CTA_IP_SRC)));
        byte[] payload = concat(nested(initiator ? CTA_TUPLE_ORIG : CTA_TUPLE_REPLY, ip), filter);
        return NfNetlink.message(type(IPCTNL_MSG_CT_GET), (short) (NLM_F_REQUEST | NLM_F_DUMP), 1, family, 0, payload);
    }

    /**
     * Every entry of one family (the kernel filters by the request's family only): for a revocation with
     * many targets, where one walk of the table is cheaper than one filtered walk per target.
     */
    public static List<Entry> dumpAll(boolean v6) {
        try (NfNetlink.Socket socket = new NfNetlink.Socket()) {
            return dump(socket, dumpAllRequest(v6), v6);
        }
    }

    private static byte[] dumpAllRequest(boolean v6) {
        byte family = v6 ? AF_INET6 : AF_INET;
        return NfNetlink.message(type(IPCTNL_MSG_CT_GET), (short) (NLM_F_REQUEST | NLM_F_DUMP), 1, family, 0, new byte[0]);
    }

    private static List<Entry> dump(NfNetlink.Socket socket, byte[] request, boolean v6) {
        List<Entry> out = new ArrayList<>();
        try {
            socket.dump(request, m -> {
                Entry e = parse(m, v6);
                if (e != null) {
                    out.add(e);
                }
            });
        } catch (NftablesException e) {
            throw new NftablesException("cannot list the connection tracking table (ctnetlink): "
                    + e.getMessage().replace("netlink error talking to nf_tables: ", ""));
        }
        return out;
    }

    /** Deletes these entries; the number the kernel deleted (one already gone, or replaced since, is not counted). */
    public static int delete(List<Entry> entries) {
        try (NfNetlink.Socket socket = new NfNetlink.Socket()) {
            return delete(socket, entries);
        }
    }

    private static int delete(NfNetlink.Socket socket, List<Entry> entries) {
        int deleted = 0;
        for (int from = 0; from < entries.size(); from += DELETES_PER_SEND) {
            List<Entry> chunk = entries.subList(from, Math.min(entries.size(), from + DELETES_PER_SEND));
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            int seq = 1;
            for (Entry e : chunk) {
                byte[] payload = concat(attr(CTA_TUPLE_ORIG | NLA_F_NESTED, e.originalTuple()), attr(CTA_ID, be32((int) e.id())),
                        e.zone() == 0 ? new byte[0] : attr(CTA_ZONE, be16(e.zone())));
                batch.writeBytes(NfNetlink.message(type(IPCTNL_MSG_CT_DELETE), (short) (NLM_F_REQUEST | NLM_F_ACK), seq++,
                        e.initiator().v6() ? AF_INET6 : AF_INET, 0, payload));
            }
            deleted += send(socket, batch.toByteArray(), chunk.size());
        }
        return deleted;
    }

    private static int send(NfNetlink.Socket socket, byte[] messages, int expected) {
        if (expected == 0) {
            return 0;
        }
        int[] deleted = {0};
        try {
            socket.send(messages);
            int[] answers = {0};
            socket.awaitAnswers((seq, errno) -> {
                if (errno == 0) {
                    deleted[0]++;
                } else if (errno != ENOENT) { // ENOENT: the entry ended since the dump, nothing to cut
                    throw new NftablesException("the kernel refused to delete a connection tracking entry: errno "
                            + errno + " " + NfNetlink.errnoName(errno));
                }
                return ++answers[0] == expected;
            });
        } catch (NftablesException e) {
            throw new NftablesException(e.getMessage().replace("netlink error talking to nf_tables", "ctnetlink error"));
        }
        return deleted[0];
    }

    /** One dump message (positioned at its first attribute), or null for a protocol without ports. */
    static Entry parse(ByteBuffer m, boolean v6) {
        Tuple orig = null;
        Tuple reply = null;
        byte[] origRaw = null;
        long id = 0;
        int zone = 0;
        while (m.remaining() >= 4) {
            int start = m.position();
            int len = m.getShort() & 0xffff;
            int type = m.getShort() & NLA_TYPE_MASK;
            if (len < 4 || start + len > m.limit()) {
                break;
            }
            ByteBuffer value = m.duplicate().order(ByteOrder.nativeOrder());
            value.position(start + 4).limit(start + len);
            switch (type) {
                case CTA_TUPLE_ORIG -> {
                    origRaw = new byte[len - 4];
                    value.duplicate().get(origRaw);
                    orig = Tuple.parse(value, v6);
                }
                case CTA_TUPLE_REPLY -> reply = Tuple.parse(value, v6);
                case CTA_ID -> id = value.order(ByteOrder.BIG_ENDIAN).getInt() & 0xffffffffL;
                case CTA_ZONE -> zone = value.order(ByteOrder.BIG_ENDIAN).getShort() & 0xffff;
                default -> {
                }
            }
            m.position(Math.min(start + align(len), m.limit()));
        }
        if (orig == null || reply == null || orig.src == null || reply.src == null || !orig.ports) {
            return null;
        }
        return new Entry(orig.protocol, orig.src, orig.srcPort, reply.src, reply.srcPort, id, zone, origRaw);
    }

    private static final class Tuple {
        IpAddress src;
        int protocol;
        int srcPort;
        boolean ports;

        static Tuple parse(ByteBuffer b, boolean v6) {
            Tuple t = new Tuple();
            forEach(b, (type, value) -> {
                if (type == CTA_TUPLE_IP) {
                    forEach(value, (ipType, ip) -> {
                        if (ipType == (v6 ? CTA_IP_V6_SRC : CTA_IP_V4_SRC)) {
                            t.src = address(ip, v6);
                        }
                    });
                } else if (type == CTA_TUPLE_PROTO) {
                    forEach(value, (pt, pv) -> {
                        if (pt == CTA_PROTO_NUM) {
                            t.protocol = pv.get() & 0xff;
                        } else if (pt == CTA_PROTO_SRC_PORT) {
                            t.srcPort = pv.order(ByteOrder.BIG_ENDIAN).getShort() & 0xffff;
                            t.ports = true;
                        }
                    });
                }
            });
            return t;
        }
    }

    private interface AttrVisitor {
        void visit(int type, ByteBuffer value);
    }

    private static void forEach(ByteBuffer b, AttrVisitor v) {
        ByteBuffer in = b.duplicate().order(ByteOrder.nativeOrder());
        while (in.remaining() >= 4) {
            int start = in.position();
            int len = in.getShort() & 0xffff;
            int type = in.getShort() & NLA_TYPE_MASK;
            if (len < 4 || start + len > in.limit()) {
                return;
            }
            ByteBuffer value = in.duplicate().order(ByteOrder.nativeOrder());
            value.position(start + 4).limit(start + len);
            v.visit(type, value);
            in.position(Math.min(start + align(len), in.limit()));
        }
    }

    static IpAddress address(ByteBuffer b, boolean v6) {
        ByteBuffer big = b.duplicate().order(ByteOrder.BIG_ENDIAN);
        if (v6) {
            return new IpAddress(true, big.getLong(), big.getLong());
        }
        return new IpAddress(false, 0, big.getInt() & 0xffffffffL);
    }

    static byte[] bytes(IpAddress a) {
        ByteBuffer b = ByteBuffer.allocate(a.v6() ? 16 : 4).order(ByteOrder.BIG_ENDIAN);
        if (a.v6()) {
            b.putLong(a.hi()).putLong(a.lo());
        } else {
            b.putInt((int) a.lo());
        }
        return b.array();
    }

    private static byte[] nested(int type, byte[] value) {
        return attr(type | NLA_F_NESTED, value);
    }

    private static byte[] be16(int v) {
        return ByteBuffer.allocate(2).order(ByteOrder.BIG_ENDIAN).putShort((short) v).array();
    }

    private static short type(int message) {
        return (short) ((NFNL_SUBSYS_CTNETLINK << 8) | message);
    }

    static String protocolName(int protocol) {
        return switch (protocol) {
            case 6 -> "tcp";
            case 17 -> "udp";
            case 132 -> "sctp";
            default -> "proto " + protocol;
        };
    }
}
