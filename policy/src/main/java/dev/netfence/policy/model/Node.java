package dev.netfence.policy.model;

import dev.netfence.policy.net.IpAddress;
import java.util.List;

/** A node and its addresses ({@code status.addresses} of type InternalIP/ExternalIP). */
public record Node(String name, List<IpAddress> ips) {
    public Node {
        ips = ips == null ? List.of() : List.copyOf(ips);
    }
}
