package dev.netfence.policy.compile;

import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import java.util.Comparator;

/**
 * A named port resolved against one destination pod: traffic to {@code address} on
 * {@code protocol}/{@code port}. Named ports depend on the destination pod, so they cannot be
 * a plain port set: for egress the destination is the peer, for ingress the local pod.
 *
 * @param address the destination pod's IP, canonical text
 */
public record DestinationPort(String address, Protocol protocol, int port) implements Comparable<DestinationPort> {
    private static final Comparator<DestinationPort> ORDER = Comparator
            .comparing((DestinationPort d) -> IpAddress.parse(d.address()))
            .thenComparing(DestinationPort::protocol).thenComparingInt(DestinationPort::port);

    @Override
    public int compareTo(DestinationPort o) {
        return ORDER.compare(this, o);
    }
}
