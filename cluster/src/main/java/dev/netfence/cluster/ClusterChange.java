package dev.netfence.cluster;

/**
 * One keyed change of the {@link ClusterModel}: the object of this kind and key was added, changed
 * or removed (or its refusal reason changed). Listeners read the current value from the model.
 *
 * @param key {@code namespace/name} for namespaced kinds, {@code name} otherwise; empty for {@link Kind#SETTINGS}
 */
public record ClusterChange(Kind kind, String key) {

    public enum Kind {
        NAMESPACE, POD, NODE, NETWORK_POLICY, DEFAULT_DENY, CRITICAL_FLOW,
        /** A {@code policy.networking.k8s.io} ClusterNetworkPolicy (cluster-scoped: keyed by name). */
        CLUSTER_NETWORK_POLICY,
        /** The {@link ClusterSettings} (cluster DNS) changed: everything that depends on DNS changes. */
        SETTINGS
    }
}
