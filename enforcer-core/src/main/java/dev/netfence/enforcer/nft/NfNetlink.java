package dev.netfence.enforcer.nft;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The nf_tables netlink socket ({@code NETLINK_NETFILTER}, libc through JNA) and the message and
 * attribute encoding the enforcer's direct kernel calls share: element batches, the ruleset
 * generation, the rule dump for counters. A socket is opened per call in the calling thread's
 * network namespace (the kernel binds a netlink socket to the namespace of the thread that creates
 * it), so a thread that entered a namespace with {@code setns(2)} talks to that namespace.
 *
 * <p>Layout (netlink(7), nfnetlink): {@code nlmsghdr} (length, type = subsystem &lt;&lt; 8 | message,
 * flags, sequence, port id; host byte order) + {@code nfgenmsg} (family, version, resource id in
 * network byte order) + attributes ({@code nlattr}: length, type, value, each padded to 4 bytes).
 * Numbers inside nf_tables attributes are big-endian.
 */
final class NfNetlink {
    static final int AF_NETLINK = 16;
    static final int NETLINK_NETFILTER = 12;
    static final int NFNL_SUBSYS_NFTABLES = 10;
    static final byte NFPROTO_INET = 1;

    static final short NLM_F_REQUEST = 0x1;
    static final short NLM_F_MULTI = 0x2;
    static final short NLM_F_ACK = 0x4;
    static final short NLM_F_DUMP = 0x300;
    static final short NLM_F_DUMP_INTR = 0x10;
    static final short NLM_F_CREATE = 0x400;
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int NLA_F_NESTED = 0x8000;
    static final int NLA_TYPE_MASK = 0x3fff;

    private static final int SOCK_RAW = 3;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final int SO_SNDBUFFORCE = 32;
    private static final int SO_RCVBUFFORCE = 33;
    private static final int SOL_NETLINK = 270;
    private static final int NETLINK_CAP_ACK = 10;

    interface LibC extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        long sendto(int fd, byte[] buf, long len, int flags, byte[] addr, int addrLen) throws LastErrorException;

        /** Into native memory: a Java array would be copied in and out whole on every call. */
        long recv(int fd, Pointer buf, long len, int flags) throws LastErrorException;

        int setsockopt(int fd, int level, int name, byte[] value, int len) throws LastErrorException;

        int close(int fd);
    }

    private static volatile LibC libc;

    private NfNetlink() {
    }

    /** A socket of the calling thread's namespace; errors as NftablesException. */
    static final class Socket implements AutoCloseable {
        /** Larger than the 32 KiB the kernel puts into one dump datagram at most. */
        private static final int BUFFER = 64 * 1024;
        private final LibC c = libc();
        private final int fd;
        private Memory receiveBuffer;

        Socket() {
            try {
                fd = c.socket(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER);
                // an error answer carries only the header of the failing message, not the whole batch
                c.setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, le32(1), 4);
                c.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, ByteBuffer.allocate(16).order(ByteOrder.nativeOrder())
                        .putLong(5).putLong(0).array(), 16);
            } catch (LastErrorException e) {
                throw new NftablesException("netlink error talking to nf_tables: errno " + e.getErrorCode());
            }
        }

        /**
         * Socket buffers of at least these sizes: one nf_tables batch must arrive in one datagram
         * (the kernel reads BATCH_BEGIN to BATCH_END from one message), which a send buffer smaller
         * than the batch refuses (EMSGSIZE). Root may exceed net.core.wmem_max (SO_SNDBUFFORCE), as nft does.
         */
        void buffers(int send, int receive) {
            try {
                c.setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, le32(send), 4);
                c.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, le32(receive), 4);
            } catch (LastErrorException e) {
                throw new NftablesException("netlink socket buffers of " + send + " bytes refused: errno " + e.getErrorCode()
                        + " (needs CAP_NET_ADMIN)");
            }
        }

        /** How long a receive waits for the kernel (a whole table's commit can take seconds). */
        void timeout(int seconds) {
            try {
                c.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, ByteBuffer.allocate(16).order(ByteOrder.nativeOrder())
                        .putLong(seconds).putLong(0).array(), 16);
            } catch (LastErrorException e) {
                throw new NftablesException("netlink error talking to nf_tables: errno " + e.getErrorCode());
            }
        }

        void send(byte[] message) {
            send(message, message.length);
        }

        void send(byte[] message, int length) {
            byte[] kernel = new byte[12];
            kernel[0] = AF_NETLINK; // sockaddr_nl: family, pad, pid 0 (the kernel), groups 0
            try {
                c.sendto(fd, message, length, 0, kernel, kernel.length);
            } catch (LastErrorException e) {
                throw new NftablesException("netlink error talking to nf_tables: errno " + e.getErrorCode());
            }
        }

        /** Receives one datagram (one or more messages) into {@code buf}; its length. */
        int recv(byte[] buf) {
            if (receiveBuffer == null) {
                receiveBuffer = new Memory(BUFFER);
            }
            try {
                int n = (int) c.recv(fd, receiveBuffer, Math.min(buf.length, BUFFER), 0);
                receiveBuffer.read(0, buf, 0, n);
                return n;
            } catch (LastErrorException e) {
                throw new NftablesException("netlink error talking to nf_tables: errno " + e.getErrorCode());
            }
        }

        /**
         * Sends a dump request and hands every answer message to {@code each} (positioned at the
         * first attribute after {@code nfgenmsg}, limited to the message) until NLMSG_DONE.
         *
         * @return false when the kernel flagged the dump as interrupted (NLM_F_DUMP_INTR: the ruleset
         *         changed during it, so the parts may not be from one generation); the caller retries
         */
        boolean dump(byte[] request, Consumer<ByteBuffer> each) {
            send(request);
            byte[] buf = new byte[BUFFER];
            boolean consistent = true;
            while (true) {
                int n = recv(buf);
                ByteBuffer in = ByteBuffer.wrap(buf, 0, n).order(ByteOrder.nativeOrder());
                while (in.remaining() >= 16) {
                    int start = in.position();
                    int len = in.getInt();
                    int type = in.getShort() & 0xffff;
                    int flags = in.getShort() & 0xffff;
                    if (len < 16 || start + len > n) {
                        throw new NftablesException("malformed netlink answer from nf_tables");
                    }
                    if (type == NLMSG_DONE) {
                        return consistent;
                    }
                    if (type == NLMSG_ERROR) {
                        int error = in.getInt(start + 16);
                        throw new NftablesException("kernel refused the dump: errno " + (-error) + " " + errnoName(-error));
                    }
                    if ((flags & NLM_F_DUMP_INTR) != 0) {
                        consistent = false;
                    }
                    ByteBuffer message = in.duplicate().order(ByteOrder.nativeOrder());
                    message.limit(start + len).position(start + 20);
                    each.accept(message);
                    in.position(Math.min(start + align(len), n));
                }
            }
        }

        /** One answer to a request of a batch (NLMSG_ERROR): its sequence number and errno (0: acknowledged). */
        @FunctionalInterface
        interface Answers {
            /** @return true when every answer the caller waits for has come */
            boolean answered(int seq, int errno);
        }

        /**
         * Receives datagrams and hands every NLMSG_ERROR message (an error, or an acknowledgement when its
         * error is 0) to {@code answers} until it says it has seen enough; other messages are skipped. The
         * answers of one batch may span several datagrams and arrive in its order.
         */
        void awaitAnswers(Answers answers) {
            byte[] buf = new byte[BUFFER];
            while (true) {
                int n = recv(buf);
                int start = 0;
                ByteBuffer in = ByteBuffer.wrap(buf, 0, n).order(ByteOrder.nativeOrder());
                while (n - start >= 16) {
                    int len = in.getInt(start);
                    int type = in.getShort(start + 4) & 0xffff;
                    int seq = in.getInt(start + 8);
                    if (len < 16) {
                        throw new NftablesException("malformed netlink answer from nf_tables");
                    }
                    if (type == NLMSG_ERROR && len >= 20 && answers.answered(seq, -in.getInt(start + 16))) {
                        return;
                    }
                    start += align(len);
                }
            }
        }

        @Override
        public void close() {
            c.close(fd);
            if (receiveBuffer != null) {
                receiveBuffer.close();
            }
        }
    }

    static String errnoName(int errno) {
        return switch (errno) {
            case 2 -> "(ENOENT: no such table, set, chain or element)";
            case 17 -> "(EEXIST: element exists)";
            case 16 -> "(EBUSY)";
            case 22 -> "(EINVAL)";
            case 1 -> "(EPERM: needs CAP_NET_ADMIN)";
            default -> "";
        };
    }

    static short type(int message) {
        return (short) ((NFNL_SUBSYS_NFTABLES << 8) | message);
    }

    static byte[] message(short type, short flags, int seq, byte family, int resId, byte[] payload) {
        int len = 16 + 4 + payload.length;
        ByteBuffer b = ByteBuffer.allocate(align(len)).order(ByteOrder.nativeOrder());
        b.putInt(len).putShort(type).putShort(flags).putInt(seq).putInt(0);
        b.put(family).put((byte) 0).order(ByteOrder.BIG_ENDIAN).putShort((short) resId).order(ByteOrder.nativeOrder());
        b.put(payload);
        return b.array();
    }

    static byte[] attr(int type, byte[] value) {
        int len = 4 + value.length;
        ByteBuffer b = ByteBuffer.allocate(align(len)).order(ByteOrder.nativeOrder());
        b.putShort((short) len).putShort((short) type).put(value);
        return b.array();
    }

    static int align(int len) {
        return (len + 3) & ~3;
    }

    static byte[] cstring(String s) {
        byte[] raw = s.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[raw.length + 1];
        System.arraycopy(raw, 0, out, 0, raw.length);
        return out;
    }

    static byte[] be32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN).putInt(v).array();
    }

    static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static LibC libc() {
        if (libc == null) {
            libc = Native.load("c", LibC.class);
        }
        return libc;
    }
}
