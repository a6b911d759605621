package dev.netfence.policy.model;

import dev.netfence.policy.net.IpAddress;
import java.util.List;
import java.util.Map;

/**
 * A node, its addresses ({@code status.addresses} of type InternalIP/ExternalIP) and its labels
 * (what a ClusterNetworkPolicy {@code nodes} peer selects).
 */
public record Node(String name, List<IpAddress> ips, Map<String, String> labels) {
    public Node {
        ips = ips == null ? List.of() : List.copyOf(ips);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** A node without labels. */
    public Node(String name, List<IpAddress> ips) {
        this(name, ips, Map.of());
    }
}
