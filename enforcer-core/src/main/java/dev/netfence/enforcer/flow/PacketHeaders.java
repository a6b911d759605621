package dev.netfence.enforcer.flow;

import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * The addresses, transport protocol and ports of a logged packet (pure), from its network header on
 * (what NFLOG's payload holds): IPv4 (RFC 791, header length from IHL; a non-first fragment has no
 * transport header) or IPv6 (RFC 8200, skipping hop-by-hop, routing, destination options and
 * fragment extension headers), then TCP, UDP or SCTP, whose first four bytes are the source and
 * destination ports in all three. Another protocol, or a payload cut before the ports, gives the
 * addresses with protocol or ports unknown (null, -1).
 */
public record PacketHeaders(IpAddress source, IpAddress destination, Protocol protocol, int protocolNumber,
                            int sourcePort, int destinationPort) {

    static final int TCP = 6;
    static final int UDP = 17;
    static final int SCTP = 132;

    /** Empty when not even the addresses are there (not IP, or cut inside the IP header). */
    public static Optional<PacketHeaders> parse(byte[] p) {
        if (p.length < 1) {
            return Optional.empty();
        }
        int version = (p[0] & 0xf0) >> 4;
        if (version == 4) {
            return v4(p);
        }
        if (version == 6) {
            return v6(p);
        }
        return Optional.empty();
    }

    private static Optional<PacketHeaders> v4(byte[] p) {
        if (p.length < 20) {
            return Optional.empty();
        }
        int ihl = (p[0] & 0x0f) * 4;
        int proto = p[9] & 0xff;
        int fragmentOffset = ((p[6] & 0x1f) << 8) | (p[7] & 0xff);
        IpAddress src = address(p, 12, 4);
        IpAddress dst = address(p, 16, 4);
        if (ihl < 20 || fragmentOffset != 0) {
            return Optional.of(of(src, dst, proto, p, -1));
        }
        return Optional.of(of(src, dst, proto, p, ihl));
    }

    private static Optional<PacketHeaders> v6(byte[] p) {
        if (p.length < 40) {
            return Optional.empty();
        }
        IpAddress src = address(p, 8, 16);
        IpAddress dst = address(p, 24, 16);
        int next = p[6] & 0xff;
        int at = 40;
        for (int hops = 0; hops < 8; hops++) {
            if (next == 0 || next == 43 || next == 60) {   // hop-by-hop, routing, destination options
                if (p.length < at + 2) {
                    return Optional.of(of(src, dst, next, p, -1));
                }
                int following = p[at] & 0xff;
                at += ((p[at + 1] & 0xff) + 1) * 8;
                next = following;
            } else if (next == 44) {                       // fragment: ports only in the first fragment
                if (p.length < at + 8) {
                    return Optional.of(of(src, dst, next, p, -1));
                }
                int following = p[at] & 0xff;
                int offset = (((p[at + 2] & 0xff) << 8) | (p[at + 3] & 0xf8)) >> 3;
                at += 8;
                next = following;
                if (offset != 0) {
                    return Optional.of(of(src, dst, next, p, -1));
                }
            } else {
                break;
            }
        }
        return Optional.of(of(src, dst, next, p, at));
    }

    private static PacketHeaders of(IpAddress src, IpAddress dst, int proto, byte[] p, int l4) {
        Protocol protocol = switch (proto) {
            case TCP -> Protocol.TCP;
            case UDP -> Protocol.UDP;
            case SCTP -> Protocol.SCTP;
            default -> null;
        };
        int sport = -1;
        int dport = -1;
        if (protocol != null && l4 >= 0 && p.length >= l4 + 4) {
            sport = ((p[l4] & 0xff) << 8) | (p[l4 + 1] & 0xff);
            dport = ((p[l4 + 2] & 0xff) << 8) | (p[l4 + 3] & 0xff);
        }
        return new PacketHeaders(src, dst, protocol, proto, sport, dport);
    }

    private static IpAddress address(byte[] p, int at, int len) {
        byte[] raw = new byte[len];
        System.arraycopy(p, at, raw, 0, len);
        try {
            return IpAddress.parse(InetAddress.getByAddress(raw).getHostAddress());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address of " + len + " bytes is always valid", e);
        }
    }
}
