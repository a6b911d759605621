package dev.netfence.policy.model;

import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * An immutable view of everything policy depends on. Lookups are indexed: pods by namespace, by
 * label (key=value) and by IP, so that a selector with {@code matchLabels} only looks at the pods
 * carrying one of its labels instead of every pod of the cluster.
 */
public final class ClusterSnapshot {

    private final Map<String, Namespace> namespaces;
    private final Map<String, Pod> pods;            // by ns/name, sorted
    private final Map<String, Node> nodes;
    private final List<NetworkPolicy> policies;
    private final List<DefaultDeny> defaultDenies;
    private final ClusterDns dns;

    private final Map<String, List<Pod>> podsByNamespace = new HashMap<>();
    private final Map<String, List<Pod>> podsByLabel = new HashMap<>();   // "ns\0key=value"
    private final Map<IpAddress, Pod> podsByIp = new HashMap<>();
    private final Map<IpAddress, Node> nodesByIp = new HashMap<>();
    private final Map<String, List<NetworkPolicy>> policiesByNamespace = new HashMap<>();
    private final Map<String, List<DefaultDeny>> defaultDeniesByNamespace = new HashMap<>();

    private ClusterSnapshot(Collection<Namespace> namespaces, Collection<Pod> pods, Collection<Node> nodes,
                            Collection<NetworkPolicy> policies, Collection<DefaultDeny> defaultDenies, ClusterDns dns) {
        this.namespaces = new LinkedHashMap<>();
        namespaces.stream().sorted(Comparator.comparing(Namespace::name)).forEach(n -> this.namespaces.put(n.name(), n));
        this.pods = new LinkedHashMap<>();
        pods.stream().sorted(Comparator.comparing(Pod::namespace).thenComparing(Pod::name))
                .forEach(p -> this.pods.put(p.key(), p));
        this.nodes = new LinkedHashMap<>();
        nodes.stream().sorted(Comparator.comparing(Node::name)).forEach(n -> this.nodes.put(n.name(), n));
        this.policies = policies.stream()
                .sorted(Comparator.comparing(NetworkPolicy::namespace).thenComparing(NetworkPolicy::name)).toList();
        this.defaultDenies = defaultDenies.stream()
                .sorted(Comparator.comparing(DefaultDeny::namespace).thenComparing(DefaultDeny::name)).toList();
        this.dns = dns == null ? ClusterDns.DEFAULT : dns;
        for (Pod p : this.pods.values()) {
            podsByNamespace.computeIfAbsent(p.namespace(), k -> new ArrayList<>()).add(p);
            if (!p.hostNetwork()) {
                for (Map.Entry<String, String> l : p.labels().entrySet()) {
                    podsByLabel.computeIfAbsent(labelKey(p.namespace(), l.getKey(), l.getValue()), k -> new ArrayList<>()).add(p);
                }
                for (IpAddress ip : p.ips()) {
                    podsByIp.put(ip, p);
                }
            }
        }
        for (Node n : this.nodes.values()) {
            for (IpAddress ip : n.ips()) {
                nodesByIp.put(ip, n);
            }
        }
        for (NetworkPolicy np : this.policies) {
            policiesByNamespace.computeIfAbsent(np.namespace(), k -> new ArrayList<>()).add(np);
        }
        for (DefaultDeny dd : this.defaultDenies) {
            defaultDeniesByNamespace.computeIfAbsent(dd.namespace(), k -> new ArrayList<>()).add(dd);
        }
    }

    private static String labelKey(String ns, String key, String value) {
        return ns + '\0' + key + '=' + value;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder pre-filled with this snapshot, for updates (policies are replaced by namespace/name). */
    public Builder toBuilder() {
        Builder b = new Builder();
        namespaces.values().forEach(b::namespace);
        pods.values().forEach(b::pod);
        nodes.values().forEach(b::node);
        policies.forEach(b::policy);
        defaultDenies.forEach(b::defaultDeny);
        return b.dns(dns);
    }

    /**
     * This snapshot with {@code delta} applied: equal to a {@link #builder()} of the same objects
     * (see {@link ClusterDelta} for the contract), sharing what did not change. An empty delta
     * returns this snapshot.
     */
    public ClusterSnapshot apply(ClusterDelta delta) {
        if (delta.isEmpty()) {
            return this;
        }
        Builder b = toBuilder();
        delta.removedNamespaces().forEach(b::removeNamespace);
        delta.namespaces().values().forEach(b::namespace);
        delta.removedPods().forEach(k -> b.pods.remove(k));
        delta.pods().values().forEach(b::pod);
        delta.removedNodes().forEach(b::removeNode);
        delta.nodes().values().forEach(b::node);
        delta.removedPolicies().forEach(k -> b.policies.remove(k));
        delta.policies().values().forEach(b::policy);
        delta.removedDefaultDenies().forEach(k -> b.defaultDenies.remove(k));
        delta.defaultDenies().values().forEach(b::defaultDeny);
        delta.dns().ifPresent(b::dns);
        return b.build();
    }

    public Collection<Namespace> namespaces() {
        return namespaces.values();
    }

    public Optional<Namespace> namespace(String name) {
        return Optional.ofNullable(namespaces.get(name));
    }

    /** Labels of a namespace; a namespace only known through its pods gets just its name label. */
    public Map<String, String> namespaceLabels(String name) {
        Namespace n = namespaces.get(name);
        return n != null ? n.labels() : Map.of(Namespace.NAME_LABEL, name);
    }

    /** Every pod, sorted by namespace then name. */
    public Collection<Pod> pods() {
        return pods.values();
    }

    public Optional<Pod> pod(String namespace, String name) {
        return Optional.ofNullable(pods.get(namespace + "/" + name));
    }

    public List<Pod> podsInNamespace(String namespace) {
        return podsByNamespace.getOrDefault(namespace, List.of());
    }

    /** The non-host-network pod with this IP, if any. */
    public Optional<Pod> podByIp(IpAddress ip) {
        return Optional.ofNullable(podsByIp.get(ip));
    }

    public Optional<Node> nodeByIp(IpAddress ip) {
        return Optional.ofNullable(nodesByIp.get(ip));
    }

    public Collection<Node> nodes() {
        return nodes.values();
    }

    public Optional<Node> node(String name) {
        return Optional.ofNullable(nodes.get(name));
    }

    public List<NetworkPolicy> policies() {
        return policies;
    }

    public List<NetworkPolicy> policiesInNamespace(String namespace) {
        return policiesByNamespace.getOrDefault(namespace, List.of());
    }

    public List<DefaultDeny> defaultDenies() {
        return defaultDenies;
    }

    public List<DefaultDeny> defaultDeniesInNamespace(String namespace) {
        return defaultDeniesByNamespace.getOrDefault(namespace, List.of());
    }

    public ClusterDns dns() {
        return dns;
    }

    /**
     * The pods of {@code namespace} matching {@code selector}, host-network pods excluded (pod
     * selectors never select them). Uses the label index when the selector has {@code matchLabels}.
     */
    public List<Pod> selectPods(String namespace, LabelSelector selector) {
        List<Pod> candidates = null;
        for (Map.Entry<String, String> l : selector.matchLabels().entrySet()) {
            List<Pod> c = podsByLabel.getOrDefault(labelKey(namespace, l.getKey(), l.getValue()), List.of());
            if (candidates == null || c.size() < candidates.size()) {
                candidates = c;
            }
        }
        if (candidates == null) {
            candidates = podsInNamespace(namespace);
        }
        List<Pod> out = new ArrayList<>();
        for (Pod p : candidates) {
            if (!p.hostNetwork() && selector.matches(p.labels())) {
                out.add(p);
            }
        }
        return out;
    }

    /** Namespaces matching a selector (known namespaces and namespaces that only have pods). */
    public List<String> selectNamespaces(LabelSelector selector) {
        List<String> out = new ArrayList<>();
        for (String ns : allNamespaceNames()) {
            if (selector.matches(namespaceLabels(ns))) {
                out.add(ns);
            }
        }
        return out;
    }

    private List<String> allNamespaceNames() {
        List<String> names = allNamespaceNames;
        if (names == null) {
            java.util.TreeSet<String> sorted = new java.util.TreeSet<>(namespaces.keySet());
            sorted.addAll(podsByNamespace.keySet());
            names = List.copyOf(sorted);
            allNamespaceNames = names;
        }
        return names;
    }

    /** Computed on first use (the snapshot is immutable): namespace selectors are evaluated once per peer. */
    private volatile List<String> allNamespaceNames;

    /** Pods with at least one IP, in namespace/name order: the rows and columns of a matrix. */
    public List<Pod> podsWithIps() {
        return pods.values().stream().filter(p -> !p.ips().isEmpty()).toList();
    }

    public List<Pod> pods(Predicate<Pod> filter) {
        return pods.values().stream().filter(filter).toList();
    }

    /** Equal when they hold equal objects and DNS configuration, however they were built. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o instanceof ClusterSnapshot s && dns.equals(s.dns) && sameElements(namespaces(), s.namespaces())
                && sameElements(pods(), s.pods()) && sameElements(nodes(), s.nodes()) && policies().equals(s.policies())
                && defaultDenies().equals(s.defaultDenies());
    }

    private static boolean sameElements(Collection<?> a, Collection<?> b) {
        if (a.size() != b.size()) {
            return false;
        }
        java.util.Iterator<?> i = a.iterator();
        java.util.Iterator<?> j = b.iterator();
        while (i.hasNext()) {
            if (!i.next().equals(j.next())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(dns, namespaces().size(), pods().size(), nodes().size(), policies(), defaultDenies());
    }

    @Override
    public String toString() {
        return "ClusterSnapshot[" + namespaces().size() + " namespaces, " + pods().size() + " pods, " + nodes().size()
                + " nodes, " + policies().size() + " NetworkPolicies, " + defaultDenies().size() + " DefaultDenies]";
    }

    public static final class Builder {
        private final Map<String, Namespace> namespaces = new LinkedHashMap<>();
        private final Map<String, Pod> pods = new LinkedHashMap<>();
        private final Map<String, Node> nodes = new LinkedHashMap<>();
        private final Map<String, NetworkPolicy> policies = new LinkedHashMap<>();
        private final Map<String, DefaultDeny> defaultDenies = new LinkedHashMap<>();
        private ClusterDns dns = ClusterDns.DEFAULT;

        public Builder namespace(Namespace n) {
            namespaces.put(n.name(), n);
            return this;
        }

        public Builder removeNamespace(String name) {
            namespaces.remove(name);
            return this;
        }

        public Builder pod(Pod p) {
            pods.put(p.key(), p);
            return this;
        }

        public Builder removePod(String namespace, String name) {
            pods.remove(namespace + "/" + name);
            return this;
        }

        public Builder node(Node n) {
            nodes.put(n.name(), n);
            return this;
        }

        public Builder removeNode(String name) {
            nodes.remove(name);
            return this;
        }

        public Builder policy(NetworkPolicy p) {
            policies.put(p.namespace() + "/" + p.name(), p);
            return this;
        }

        public Builder removePolicy(String namespace, String name) {
            policies.remove(namespace + "/" + name);
            return this;
        }

        public Builder defaultDeny(DefaultDeny d) {
            defaultDenies.put(d.namespace() + "/" + d.name(), d);
            return this;
        }

        public Builder removeDefaultDeny(String namespace, String name) {
            defaultDenies.remove(namespace + "/" + name);
            return this;
        }

        public Builder dns(ClusterDns d) {
            this.dns = d;
            return this;
        }

        public ClusterSnapshot build() {
            return new ClusterSnapshot(namespaces.values(), pods.values(), nodes.values(), policies.values(),
                    defaultDenies.values(), dns);
        }
    }
}
