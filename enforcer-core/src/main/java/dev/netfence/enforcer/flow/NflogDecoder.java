package dev.netfence.enforcer.flow;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the datagrams of an NFLOG socket (pure). Layout (linux/netfilter/nfnetlink_log.h): each
 * message is an {@code nlmsghdr} (host byte order) of type {@code NFNL_SUBSYS_ULOG << 8 |
 * NFULNL_MSG_PACKET}, an {@code nfgenmsg} (family = the packet's protocol family), then attributes
 * ({@code nlattr}, 4-byte aligned), of which this reads {@code NFULA_PREFIX} (a NUL-terminated
 * string), {@code NFULA_PAYLOAD} (the packet from its network header) and {@code NFULA_TIMESTAMP}
 * ({@code struct nfulnl_msg_packet_timestamp}: seconds and microseconds, big-endian 64-bit). Other
 * attributes (hardware header, interfaces, mark, uid, conntrack, ...) and future ones are skipped
 * by their length. A message whose lengths do not add up is counted as malformed and the rest of its
 * datagram dropped (a length that lies cannot be trusted to find the next message); answers to our
 * own requests (acks, errors) are ignored.
 */
public final class NflogDecoder {
    static final int NFNL_SUBSYS_ULOG = 4;
    static final int NFULNL_MSG_PACKET = 0;
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int NFULA_TIMESTAMP = 3;
    static final int NFULA_PAYLOAD = 9;
    static final int NFULA_PREFIX = 10;
    static final int NLA_TYPE_MASK = 0x3fff;

    /** The packets of one datagram, and how many of its messages could not be read. */
    public record Decoded(List<NflogPacket> packets, int malformed) {
    }

    private NflogDecoder() {
    }

    public static Decoded decode(byte[] buf, int length) {
        ByteBuffer in = ByteBuffer.wrap(buf, 0, length).order(ByteOrder.nativeOrder());
        List<NflogPacket> out = new ArrayList<>();
        int malformed = 0;
        while (in.remaining() >= 16) {
            int start = in.position();
            int len = in.getInt();
            int type = in.getShort() & 0xffff;
            in.getShort();   // flags
            in.getInt();     // sequence
            in.getInt();     // port id
            if (len < 16 || start + len > length) {
                malformed++;
                break;
            }
            if (type == ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET)) {
                NflogPacket p = packet(in, start, len);
                if (p == null) {
                    malformed++;
                } else {
                    out.add(p);
                }
            } else if (type != NLMSG_ERROR && type != NLMSG_DONE) {
                malformed++;
            }
            int next = start + align(len);
            if (next > length) {
                break;
            }
            in.position(next);
        }
        return new Decoded(out, malformed);
    }

    /** One NFULNL_MSG_PACKET, positioned after its nlmsghdr; null when its attributes do not fit it. */
    private static NflogPacket packet(ByteBuffer in, int start, int len) {
        int end = start + len;
        if (end - in.position() < 4) {
            return null;
        }
        int family = in.get() & 0xff;
        in.get();        // version
        in.getShort();   // resource id (the group)
        String prefix = null;
        byte[] payload = new byte[0];
        Instant time = null;
        while (end - in.position() >= 4) {
            int at = in.position();
            int alen = in.getShort() & 0xffff;
            int atype = in.getShort() & NLA_TYPE_MASK;
            if (alen < 4 || at + alen > end) {
                return null;
            }
            int vlen = alen - 4;
            switch (atype) {
                case NFULA_PREFIX -> {
                    byte[] raw = new byte[vlen];
                    in.get(raw);
                    int n = 0;
                    while (n < raw.length && raw[n] != 0) {
                        n++;
                    }
                    prefix = new String(raw, 0, n, StandardCharsets.US_ASCII);
                }
                case NFULA_PAYLOAD -> {
                    payload = new byte[vlen];
                    in.get(payload);
                }
                case NFULA_TIMESTAMP -> {
                    if (vlen >= 16) {
                        ByteBuffer be = in.duplicate().order(ByteOrder.BIG_ENDIAN);
                        long sec = be.getLong();
                        long usec = be.getLong();
                        time = Instant.ofEpochSecond(sec, usec * 1000);
                    }
                }
                default -> {
                    // skipped by its length
                }
            }
            in.position(Math.min(at + align(alen), end));
        }
        return new NflogPacket(family, prefix, payload, time);
    }

    static int align(int len) {
        return (len + 3) & ~3;
    }
}
