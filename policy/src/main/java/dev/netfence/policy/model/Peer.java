package dev.netfence.policy.model;

/**
 * One {@code from}/{@code to} entry. Exactly one of {@code ipBlock} or the selectors must be set
 * (the validator enforces it). Absent ({@code null}) and empty selectors differ:
 * <ul>
 *   <li>{@code podSelector} only: pods of the policy's own namespace matching it;</li>
 *   <li>{@code namespaceSelector} only: every pod of the matching namespaces;</li>
 *   <li>both: pods matching {@code podSelector} in namespaces matching {@code namespaceSelector} (AND).</li>
 * </ul>
 */
public record Peer(LabelSelector podSelector, LabelSelector namespaceSelector, IpBlock ipBlock) {

    public static Peer pods(LabelSelector podSelector) {
        return new Peer(podSelector, null, null);
    }

    public static Peer namespaces(LabelSelector namespaceSelector) {
        return new Peer(null, namespaceSelector, null);
    }

    public static Peer podsInNamespaces(LabelSelector podSelector, LabelSelector namespaceSelector) {
        return new Peer(podSelector, namespaceSelector, null);
    }

    public static Peer ipBlock(String cidr, String... except) {
        return new Peer(null, null, new IpBlock(cidr, java.util.List.of(except)));
    }
}
