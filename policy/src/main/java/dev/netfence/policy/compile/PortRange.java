package dev.netfence.policy.compile;

import dev.netfence.policy.model.Protocol;

/**
 * Destination ports {@code first..last} (inclusive) of one protocol; a single port has
 * {@code first == last}, a whole protocol is {@code 0..65535}.
 */
public record PortRange(Protocol protocol, int first, int last) implements Comparable<PortRange> {
    public PortRange {
        if (first < 0 || last > 65535 || first > last) {
            throw new IllegalArgumentException("invalid port range " + first + "-" + last);
        }
    }

    public boolean contains(Protocol p, int port) {
        return p == protocol && port >= first && port <= last;
    }

    @Override
    public int compareTo(PortRange o) {
        int c = protocol.compareTo(o.protocol);
        if (c != 0) {
            return c;
        }
        c = Integer.compare(first, o.first);
        return c != 0 ? c : Integer.compare(last, o.last);
    }
}
