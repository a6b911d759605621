package dev.netfence.enforcer.nft;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A netlink socket bound to one NFLOG group ({@code NETLINK_NETFILTER}, subsystem
 * {@code NFNL_SUBSYS_ULOG}), in the network namespace of the thread that opens it (the kernel binds
 * the socket to the creating thread's namespace: the enforcer opens it on a thread that entered the
 * node's namespace). One {@code NFULNL_MSG_CONFIG} request binds the group
 * ({@code NFULNL_CFG_CMD_BIND}), asks for the packets' first {@code copyRange} bytes
 * ({@code NFULNL_COPY_PACKET}: enough for the IPv6 header, extension headers and the ports), lets the
 * kernel batch up to 32 packets or 100 ms into one datagram ({@code NFULA_CFG_QTHRESH},
 * {@code NFULA_CFG_TIMEOUT}), and is acknowledged or refused ({@code EBUSY}: another socket has the group).
 */
public final class NflogSocket implements AutoCloseable {
    private static final int NFNL_SUBSYS_ULOG = 4;
    private static final int NFULNL_MSG_CONFIG = 1;
    private static final int NFULA_CFG_CMD = 1;
    private static final int NFULA_CFG_MODE = 2;
    private static final int NFULA_CFG_NLBUFSIZ = 3;
    private static final int NFULA_CFG_TIMEOUT = 4;
    private static final int NFULA_CFG_QTHRESH = 5;
    private static final byte NFULNL_CFG_CMD_BIND = 1;
    private static final byte NFULNL_CFG_CMD_UNBIND = 2;
    private static final byte NFULNL_COPY_PACKET = 2;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVBUF = 8;
    private static final int SO_RCVTIMEO = 20;
    private static final int ENOBUFS = 105;
    private static final int EAGAIN = 11;
    private static final int EINTR = 4;
    public static final int BUFFER = 256 * 1024;

    interface LibC extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        int bind(int fd, byte[] addr, int len) throws LastErrorException;

        long sendto(int fd, byte[] buf, long len, int flags, byte[] addr, int addrLen) throws LastErrorException;

        long recv(int fd, Pointer buf, long len, int flags) throws LastErrorException;

        int setsockopt(int fd, int level, int name, byte[] value, int len) throws LastErrorException;

        int close(int fd);
    }

    private static volatile LibC libc;
    private final LibC c;
    private final int fd;
    private final int group;
    private final Memory buffer = new Memory(BUFFER);

    /** What one {@link #receive} got: a datagram's length, a timeout (0), or a kernel-side overrun (-1). */
    public static final int TIMEOUT = 0;
    public static final int OVERRUN = -1;

    /**
     * Binds {@code group} in the calling thread's namespace; {@code pollMillis} bounds a receive, so the
     * reader can notice it was closed.
     */
    public NflogSocket(int group, int copyRange, int pollMillis) {
        this.c = libc();
        this.group = group;
        try {
            fd = c.socket(NfNetlink.AF_NETLINK, 3 /* SOCK_RAW */, NfNetlink.NETLINK_NETFILTER);
        } catch (LastErrorException e) {
            throw new NftablesException("cannot open a netlink socket for the flow log: errno " + e.getErrorCode());
        }
        try {
            c.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, NfNetlink.le32(4 * 1024 * 1024), 4);
            c.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, ByteBuffer.allocate(16).order(ByteOrder.nativeOrder())
                    .putLong(pollMillis / 1000).putLong((pollMillis % 1000) * 1000L).array(), 16);
            byte[] local = new byte[12];
            local[0] = NfNetlink.AF_NETLINK;   // nl_pid 0: the kernel assigns the port id
            c.bind(fd, local, local.length);
            byte[] mode = ByteBuffer.allocate(6).order(ByteOrder.BIG_ENDIAN).putInt(copyRange).put(NFULNL_COPY_PACKET)
                    .put((byte) 0).array();
            request(NfNetlink.concat(
                    NfNetlink.attr(NFULA_CFG_CMD, new byte[] {NFULNL_CFG_CMD_BIND}),
                    NfNetlink.attr(NFULA_CFG_MODE, mode),
                    NfNetlink.attr(NFULA_CFG_NLBUFSIZ, NfNetlink.be32(64 * 1024)),
                    NfNetlink.attr(NFULA_CFG_TIMEOUT, NfNetlink.be32(10)),
                    NfNetlink.attr(NFULA_CFG_QTHRESH, NfNetlink.be32(32))));
        } catch (LastErrorException e) {
            c.close(fd);
            throw new NftablesException("cannot bind NFLOG group " + group + ": errno " + e.getErrorCode());
        } catch (NftablesException e) {
            c.close(fd);
            throw e;
        }
    }

    /** Sends one config request and reads its acknowledgement. */
    private void request(byte[] attrs) {
        byte[] msg = NfNetlink.message((short) ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG),
                (short) (NfNetlink.NLM_F_REQUEST | NfNetlink.NLM_F_ACK), 1, (byte) 0, group, attrs);
        byte[] kernel = new byte[12];
        kernel[0] = NfNetlink.AF_NETLINK;
        c.sendto(fd, msg, msg.length, 0, kernel, kernel.length);
        for (int attempt = 0; attempt < 16; attempt++) {
            int n = (int) c.recv(fd, buffer, BUFFER, 0);
            ByteBuffer in = buffer.getByteBuffer(0, n).order(ByteOrder.nativeOrder());
            if (n >= 20 && (in.getShort(4) & 0xffff) == NfNetlink.NLMSG_ERROR) {
                int error = -in.getInt(16);
                if (error == 0) {
                    return;
                }
                throw new NftablesException("the kernel refused to bind NFLOG group " + group + ": errno " + error
                        + (error == 16 ? " (EBUSY: another process reads this group; set netfence.enforcer.flow-log.group"
                        + " to a free one)" : error == 1 ? " (EPERM: needs CAP_NET_ADMIN)" : ""));
            }
            // a packet logged before the ack: skip it, the ack follows
        }
        throw new NftablesException("no answer from the kernel to the NFLOG bind of group " + group);
    }

    /**
     * Receives one datagram into {@code into}: its length, {@link #TIMEOUT} when nothing came within
     * the poll interval, or {@link #OVERRUN} when the kernel dropped messages because the socket's
     * buffer was full (ENOBUFS: those packets are lost, and counted by the caller).
     */
    public int receive(byte[] into) {
        try {
            int n = (int) c.recv(fd, buffer, Math.min(into.length, BUFFER), 0);
            buffer.read(0, into, 0, n);
            return n;
        } catch (LastErrorException e) {
            return switch (e.getErrorCode()) {
                case EAGAIN, EINTR -> TIMEOUT;
                case ENOBUFS -> OVERRUN;
                default -> throw new NftablesException("reading the flow log's NFLOG group " + group + " failed: errno "
                        + e.getErrorCode());
            };
        }
    }

    @Override
    public void close() {
        try {
            byte[] msg = NfNetlink.message((short) ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG), NfNetlink.NLM_F_REQUEST, 2,
                    (byte) 0, group, NfNetlink.attr(NFULA_CFG_CMD, new byte[] {NFULNL_CFG_CMD_UNBIND}));
            byte[] kernel = new byte[12];
            kernel[0] = NfNetlink.AF_NETLINK;
            c.sendto(fd, msg, msg.length, 0, kernel, kernel.length);
        } catch (LastErrorException e) {
            // closing the socket unbinds the group anyway
        }
        c.close(fd);
        buffer.close();
    }

    private static LibC libc() {
        if (libc == null) {
            libc = Native.load("c", LibC.class);
        }
        return libc;
    }
}
