package dev.netfence.policy.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A keyed change set: per kind, the records upserted and the keys removed since some snapshot,
 * plus, optionally, a new cluster DNS configuration. It is what informer handlers produce (an
 * ADDED or MODIFIED event is an upsert of the slimmed record, a DELETED event a removal of its
 * key) and what {@link ClusterSnapshot#apply(ClusterDelta)} and the incremental compiler consume,
 * so that a change costs in proportion to what changed, not to the size of the cluster.
 *
 * <p>Contract:
 * <ul>
 *   <li>Keys: namespaces, nodes and ClusterNetworkPolicies by {@code name}; pods, NetworkPolicies and DefaultDenies by
 *       {@code namespace/name} (what {@link #key(String, String)} returns).</li>
 *   <li>The last write per key wins: an upsert after a removal of the same key is an upsert, a
 *       removal after an upsert is a removal (so a key is never both upserted and removed).</li>
 *   <li>Removing a key the snapshot does not have, or upserting a record equal to the one it
 *       has, changes nothing.</li>
 *   <li>{@link #dns()} empty means "DNS configuration unchanged".</li>
 *   <li>Immutable; {@link #then(ClusterDelta)} merges a later delta over this one, which is how a
 *       consumer that fell behind batches several deltas into one.</li>
 * </ul>
 */
public final class ClusterDelta {

    public static final ClusterDelta EMPTY = new Builder().build();

    private final Map<String, Namespace> namespaces;
    private final Set<String> removedNamespaces;
    private final Map<String, Pod> pods;
    private final Set<String> removedPods;
    private final Map<String, Node> nodes;
    private final Set<String> removedNodes;
    private final Map<String, NetworkPolicy> policies;
    private final Set<String> removedPolicies;
    private final Map<String, DefaultDeny> defaultDenies;
    private final Set<String> removedDefaultDenies;
    private final Map<String, ClusterNetworkPolicy> clusterPolicies;
    private final Set<String> removedClusterPolicies;
    private final ClusterDns dns;

    private ClusterDelta(Builder b) {
        namespaces = Collections.unmodifiableMap(new LinkedHashMap<>(b.namespaces.upserts));
        removedNamespaces = Collections.unmodifiableSet(new LinkedHashSet<>(b.namespaces.removals));
        pods = Collections.unmodifiableMap(new LinkedHashMap<>(b.pods.upserts));
        removedPods = Collections.unmodifiableSet(new LinkedHashSet<>(b.pods.removals));
        nodes = Collections.unmodifiableMap(new LinkedHashMap<>(b.nodes.upserts));
        removedNodes = Collections.unmodifiableSet(new LinkedHashSet<>(b.nodes.removals));
        policies = Collections.unmodifiableMap(new LinkedHashMap<>(b.policies.upserts));
        removedPolicies = Collections.unmodifiableSet(new LinkedHashSet<>(b.policies.removals));
        defaultDenies = Collections.unmodifiableMap(new LinkedHashMap<>(b.defaultDenies.upserts));
        removedDefaultDenies = Collections.unmodifiableSet(new LinkedHashSet<>(b.defaultDenies.removals));
        clusterPolicies = Collections.unmodifiableMap(new LinkedHashMap<>(b.clusterPolicies.upserts));
        removedClusterPolicies = Collections.unmodifiableSet(new LinkedHashSet<>(b.clusterPolicies.removals));
        dns = b.dns;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The key of a namespaced object: {@code namespace/name}. */
    public static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    /** Upserted namespaces, by name. */
    public Map<String, Namespace> namespaces() {
        return namespaces;
    }

    public Set<String> removedNamespaces() {
        return removedNamespaces;
    }

    /** Upserted pods, by {@code namespace/name}. */
    public Map<String, Pod> pods() {
        return pods;
    }

    /** Removed pods' keys, {@code namespace/name}. */
    public Set<String> removedPods() {
        return removedPods;
    }

    /** Upserted nodes, by name. */
    public Map<String, Node> nodes() {
        return nodes;
    }

    public Set<String> removedNodes() {
        return removedNodes;
    }

    /** Upserted NetworkPolicies, by {@code namespace/name}. */
    public Map<String, NetworkPolicy> policies() {
        return policies;
    }

    public Set<String> removedPolicies() {
        return removedPolicies;
    }

    /** Upserted DefaultDenies, by {@code namespace/name}. */
    public Map<String, DefaultDeny> defaultDenies() {
        return defaultDenies;
    }

    public Set<String> removedDefaultDenies() {
        return removedDefaultDenies;
    }

    /** Upserted ClusterNetworkPolicies, by name. */
    public Map<String, ClusterNetworkPolicy> clusterPolicies() {
        return clusterPolicies;
    }

    public Set<String> removedClusterPolicies() {
        return removedClusterPolicies;
    }

    /** The new DNS configuration, or empty when it did not change. */
    public Optional<ClusterDns> dns() {
        return Optional.ofNullable(dns);
    }

    /** Number of keys touched (upserts and removals of every kind, plus one for a DNS change). */
    public int size() {
        return namespaces.size() + removedNamespaces.size() + pods.size() + removedPods.size() + nodes.size()
                + removedNodes.size() + policies.size() + removedPolicies.size() + defaultDenies.size()
                + removedDefaultDenies.size() + clusterPolicies.size() + removedClusterPolicies.size()
                + (dns == null ? 0 : 1);
    }

    public boolean isEmpty() {
        return size() == 0;
    }

    /** This delta followed by {@code later}: per key the later write wins. */
    public ClusterDelta then(ClusterDelta later) {
        if (later.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return later;
        }
        return new Builder().add(this).add(later).build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterDelta d && namespaces.equals(d.namespaces) && removedNamespaces.equals(d.removedNamespaces)
                && pods.equals(d.pods) && removedPods.equals(d.removedPods) && nodes.equals(d.nodes)
                && removedNodes.equals(d.removedNodes) && policies.equals(d.policies)
                && removedPolicies.equals(d.removedPolicies) && defaultDenies.equals(d.defaultDenies)
                && removedDefaultDenies.equals(d.removedDefaultDenies) && clusterPolicies.equals(d.clusterPolicies)
                && removedClusterPolicies.equals(d.removedClusterPolicies) && java.util.Objects.equals(dns, d.dns);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(namespaces, removedNamespaces, pods, removedPods, nodes, removedNodes, policies,
                removedPolicies, defaultDenies, removedDefaultDenies, clusterPolicies, removedClusterPolicies, dns);
    }

    @Override
    public String toString() {
        return "ClusterDelta[namespaces +" + namespaces.keySet() + " -" + removedNamespaces + ", pods +" + pods.keySet()
                + " -" + removedPods + ", nodes +" + nodes.keySet() + " -" + removedNodes + ", policies +"
                + policies.keySet() + " -" + removedPolicies + ", defaultDenies +" + defaultDenies.keySet() + " -"
                + removedDefaultDenies + ", clusterPolicies +" + clusterPolicies.keySet() + " -" + removedClusterPolicies
                + (dns == null ? "" : ", dns " + dns) + "]";
    }

    /** Upserts and removals of one kind; a key is in at most one of the two. */
    private static final class Writes<T> {
        final Map<String, T> upserts = new LinkedHashMap<>();
        final Set<String> removals = new LinkedHashSet<>();

        void upsert(String key, T value) {
            removals.remove(key);
            upserts.put(key, value);
        }

        void remove(String key) {
            upserts.remove(key);
            removals.add(key);
        }

        void add(Map<String, T> up, Set<String> removed) {
            up.forEach(this::upsert);
            removed.forEach(this::remove);
        }

        int size() {
            return upserts.size() + removals.size();
        }
    }

    /** Collects writes, the last per key winning. Not thread-safe: one writer, or external locking. */
    public static final class Builder {
        private final Writes<Namespace> namespaces = new Writes<>();
        private final Writes<Pod> pods = new Writes<>();
        private final Writes<Node> nodes = new Writes<>();
        private final Writes<NetworkPolicy> policies = new Writes<>();
        private final Writes<DefaultDeny> defaultDenies = new Writes<>();
        private final Writes<ClusterNetworkPolicy> clusterPolicies = new Writes<>();
        private ClusterDns dns;

        public Builder clusterPolicy(ClusterNetworkPolicy p) {
            clusterPolicies.upsert(p.name(), p);
            return this;
        }

        public Builder removeClusterPolicy(String name) {
            clusterPolicies.remove(name);
            return this;
        }

        public Builder namespace(Namespace n) {
            namespaces.upsert(n.name(), n);
            return this;
        }

        public Builder removeNamespace(String name) {
            namespaces.remove(name);
            return this;
        }

        public Builder pod(Pod p) {
            pods.upsert(p.key(), p);
            return this;
        }

        public Builder removePod(String namespace, String name) {
            pods.remove(key(namespace, name));
            return this;
        }

        public Builder node(Node n) {
            nodes.upsert(n.name(), n);
            return this;
        }

        public Builder removeNode(String name) {
            nodes.remove(name);
            return this;
        }

        public Builder policy(NetworkPolicy p) {
            policies.upsert(key(p.namespace(), p.name()), p);
            return this;
        }

        public Builder removePolicy(String namespace, String name) {
            policies.remove(key(namespace, name));
            return this;
        }

        public Builder defaultDeny(DefaultDeny d) {
            defaultDenies.upsert(key(d.namespace(), d.name()), d);
            return this;
        }

        public Builder removeDefaultDeny(String namespace, String name) {
            defaultDenies.remove(key(namespace, name));
            return this;
        }

        /** A new cluster DNS configuration ({@code null}: unchanged, the default). */
        public Builder dns(ClusterDns d) {
            this.dns = d;
            return this;
        }

        /** Adds every write of {@code delta} after the ones already collected. */
        public Builder add(ClusterDelta delta) {
            namespaces.add(delta.namespaces, delta.removedNamespaces);
            pods.add(delta.pods, delta.removedPods);
            nodes.add(delta.nodes, delta.removedNodes);
            policies.add(delta.policies, delta.removedPolicies);
            defaultDenies.add(delta.defaultDenies, delta.removedDefaultDenies);
            clusterPolicies.add(delta.clusterPolicies, delta.removedClusterPolicies);
            if (delta.dns != null) {
                dns = delta.dns;
            }
            return this;
        }

        public boolean isEmpty() {
            return namespaces.size() + pods.size() + nodes.size() + policies.size() + defaultDenies.size()
                    + clusterPolicies.size() == 0 && dns == null;
        }

        public ClusterDelta build() {
            return new ClusterDelta(this);
        }
    }
}
