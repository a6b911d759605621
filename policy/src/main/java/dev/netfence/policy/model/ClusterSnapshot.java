package dev.netfence.policy.model;

import dev.netfence.policy.net.Cidr;
import dev.netfence.policy.net.IpAddress;
import dev.netfence.policy.persistent.PersistentSortedMap;
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
 * label (key=value) and by IP, namespaces by label (key=value and key), so that a selector with
 * {@code matchLabels} only looks at the pods or namespaces carrying one of its labels instead of
 * every pod or namespace of the cluster.
 *
 * <p>Every structure is a {@link PersistentSortedMap}: {@link #apply(ClusterDelta)} makes the next
 * snapshot by updating only the entries and index buckets of the changed keys, sharing the rest
 * with this one, so a change costs microseconds at any cluster size (a {@link Builder} builds all
 * indexes in one pass, for a first snapshot or a large batch).
 */
public final class ClusterSnapshot {

    private static final Comparator<String> STRINGS = Comparator.naturalOrder();
    private static final Comparator<Pod> POD_ORDER = Comparator.comparing(Pod::namespace).thenComparing(Pod::name);
    private static final Comparator<Node> NODE_ORDER = Comparator.comparing(Node::name);

    /** A namespaced object's key, ordered by namespace then name (not the order of the text {@code ns/name}). */
    private record Key(String namespace, String name) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = namespace.compareTo(o.namespace);
            return c != 0 ? c : name.compareTo(o.name);
        }

        static Key parse(String key) {
            int slash = key.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException("not a namespace/name key: " + key);
            }
            return new Key(key.substring(0, slash), key.substring(slash + 1));
        }
    }

    private final PersistentSortedMap<String, Namespace> namespaces;
    /** Pods by namespace, then by name: iterating it gives every pod in namespace/name order. */
    private final PersistentSortedMap<String, PersistentSortedMap<String, Pod>> podsByNamespace;
    private final int podCount;
    /** Non-host-network pods by {@code "ns\0key=value"}, then by name. */
    private final PersistentSortedMap<String, PersistentSortedMap<String, Pod>> podsByLabel;
    /** Non-host-network pods by IP, in namespace/name order: the last one answers, as in a fresh build. */
    private final PersistentSortedMap<IpAddress, List<Pod>> podsByIp;
    private final PersistentSortedMap<String, Node> nodes;
    /** Nodes by IP, in name order: the last one answers. */
    private final PersistentSortedMap<IpAddress, List<Node>> nodesByIp;
    private final PersistentSortedMap<Key, NetworkPolicy> policies;
    private final PersistentSortedMap<String, List<NetworkPolicy>> policiesByNamespace;
    private final PersistentSortedMap<Key, DefaultDeny> defaultDenies;
    private final PersistentSortedMap<String, List<DefaultDeny>> defaultDeniesByNamespace;
    /** Every namespace selectors see: Namespace objects and namespaces that only have pods. */
    private final PersistentSortedMap<String, String> namespaceNames;
    /** Namespace names by {@code "key\0value"} of their (effective) labels. */
    private final PersistentSortedMap<String, PersistentSortedMap<String, String>> namespacesByLabel;
    /** Namespace names by label key (for {@code Exists}). */
    private final PersistentSortedMap<String, PersistentSortedMap<String, String>> namespacesByKey;
    private final ClusterDns dns;
    /** ClusterNetworkPolicies by name (cluster-scoped; few: tens to hundreds). */
    private final PersistentSortedMap<String, ClusterNetworkPolicy> clusterPolicies;
    private volatile Map<Tier, List<ClusterNetworkPolicy>> clusterPoliciesByTier;
    private Collection<Pod> podView;

    private ClusterSnapshot(Editor e) {
        namespaces = e.namespaces;
        podsByNamespace = e.podsByNamespace;
        podCount = e.podCount;
        podsByLabel = e.podsByLabel;
        podsByIp = e.podsByIp;
        nodes = e.nodes;
        nodesByIp = e.nodesByIp;
        policies = e.policies;
        policiesByNamespace = e.policiesByNamespace;
        defaultDenies = e.defaultDenies;
        defaultDeniesByNamespace = e.defaultDeniesByNamespace;
        namespaceNames = e.namespaceNames;
        namespacesByLabel = e.namespacesByLabel;
        namespacesByKey = e.namespacesByKey;
        dns = e.dns;
        clusterPolicies = e.clusterPolicies;
    }

    /** Builds every structure in one pass from the builder's objects. */
    private static ClusterSnapshot build(Collection<Namespace> namespaceObjects, Collection<Pod> podObjects,
                                         Collection<Node> nodeObjects, Collection<NetworkPolicy> policyObjects,
                                         Collection<DefaultDeny> defaultDenyObjects, ClusterDns dns,
                                         Collection<ClusterNetworkPolicy> clusterPolicyObjects) {
        Editor e = new Editor();
        e.dns = dns == null ? ClusterDns.DEFAULT : dns;
        List<ClusterNetworkPolicy> cnpList = new ArrayList<>(clusterPolicyObjects);
        cnpList.sort(Comparator.comparing(ClusterNetworkPolicy::name));
        e.clusterPolicies = PersistentSortedMap.ofSorted(STRINGS, cnpList.stream().map(ClusterNetworkPolicy::name).toList(), cnpList);

        List<Namespace> nsList = new ArrayList<>(namespaceObjects);
        nsList.sort(Comparator.comparing(Namespace::name));
        e.namespaces = PersistentSortedMap.ofSorted(STRINGS, nsList.stream().map(Namespace::name).toList(), nsList);

        List<Pod> podList = new ArrayList<>(podObjects);
        podList.sort(POD_ORDER);
        e.podCount = podList.size();
        List<String> podNamespaces = new ArrayList<>();
        List<PersistentSortedMap<String, Pod>> buckets = new ArrayList<>();
        Map<String, List<Pod>> byLabel = new HashMap<>();
        Map<IpAddress, List<Pod>> byIp = new HashMap<>();
        for (int i = 0; i < podList.size(); ) {
            String ns = podList.get(i).namespace();
            int j = i;
            while (j < podList.size() && podList.get(j).namespace().equals(ns)) {
                j++;
            }
            List<Pod> inNs = podList.subList(i, j);
            podNamespaces.add(ns);
            buckets.add(PersistentSortedMap.ofSorted(STRINGS, inNs.stream().map(Pod::name).toList(), inNs));
            for (Pod p : inNs) {
                if (!p.hostNetwork()) {
                    for (Map.Entry<String, String> l : p.labels().entrySet()) {
                        byLabel.computeIfAbsent(podLabelKey(ns, l.getKey(), l.getValue()), k -> new ArrayList<>(2)).add(p);
                    }
                    for (IpAddress ip : p.ips()) {
                        byIp.computeIfAbsent(ip, k -> new ArrayList<>(1)).add(p);
                    }
                }
            }
            i = j;
        }
        e.podsByNamespace = PersistentSortedMap.ofSorted(STRINGS, podNamespaces, buckets);
        e.podsByLabel = sortedBuckets(byLabel, Pod::name);
        e.podsByIp = sortedLists(byIp);

        List<Node> nodeList = new ArrayList<>(nodeObjects);
        nodeList.sort(NODE_ORDER);
        e.nodes = PersistentSortedMap.ofSorted(STRINGS, nodeList.stream().map(Node::name).toList(), nodeList);
        Map<IpAddress, List<Node>> nodeIps = new HashMap<>();
        for (Node n : nodeList) {
            for (IpAddress ip : n.ips()) {
                nodeIps.computeIfAbsent(ip, k -> new ArrayList<>(1)).add(n);
            }
        }
        e.nodesByIp = sortedLists(nodeIps);

        List<NetworkPolicy> npList = new ArrayList<>(policyObjects);
        npList.sort(Comparator.comparing(NetworkPolicy::namespace).thenComparing(NetworkPolicy::name));
        e.policies = PersistentSortedMap.ofSorted(Comparator.naturalOrder(),
                npList.stream().map(np -> new Key(np.namespace(), np.name())).toList(), npList);
        e.policiesByNamespace = grouped(npList, NetworkPolicy::namespace);
        List<DefaultDeny> ddList = new ArrayList<>(defaultDenyObjects);
        ddList.sort(Comparator.comparing(DefaultDeny::namespace).thenComparing(DefaultDeny::name));
        e.defaultDenies = PersistentSortedMap.ofSorted(Comparator.naturalOrder(),
                ddList.stream().map(dd -> new Key(dd.namespace(), dd.name())).toList(), ddList);
        e.defaultDeniesByNamespace = grouped(ddList, DefaultDeny::namespace);

        java.util.TreeSet<String> names = new java.util.TreeSet<>(e.namespaces.keySet());
        names.addAll(podNamespaces);
        List<String> nameList = List.copyOf(names);
        e.namespaceNames = PersistentSortedMap.ofSorted(STRINGS, nameList, nameList);
        Map<String, List<String>> nsByLabel = new HashMap<>();
        Map<String, List<String>> nsByKey = new HashMap<>();
        for (String ns : nameList) {
            for (Map.Entry<String, String> l : e.effectiveLabels(ns).entrySet()) {
                nsByLabel.computeIfAbsent(namespaceLabelKey(l.getKey(), l.getValue()), k -> new ArrayList<>(1)).add(ns);
                nsByKey.computeIfAbsent(l.getKey(), k -> new ArrayList<>()).add(ns);
            }
        }
        e.namespacesByLabel = sortedBuckets(nsByLabel, n -> n);
        e.namespacesByKey = sortedBuckets(nsByKey, n -> n);
        return new ClusterSnapshot(e);
    }

    /** Buckets whose members were added in their own order, keyed by {@code name}. */
    private static <T> PersistentSortedMap<String, PersistentSortedMap<String, T>> sortedBuckets(
            Map<String, List<T>> buckets, java.util.function.Function<T, String> name) {
        List<String> keys = new ArrayList<>(buckets.keySet());
        keys.sort(null);
        List<PersistentSortedMap<String, T>> values = new ArrayList<>(keys.size());
        for (String k : keys) {
            List<T> members = buckets.get(k);
            values.add(PersistentSortedMap.ofSorted(STRINGS, members.stream().map(name).toList(), members));
        }
        return PersistentSortedMap.ofSorted(STRINGS, keys, values);
    }

    private static <T> PersistentSortedMap<IpAddress, List<T>> sortedLists(Map<IpAddress, List<T>> lists) {
        List<IpAddress> keys = new ArrayList<>(lists.keySet());
        keys.sort(null);
        return PersistentSortedMap.ofSorted(Comparator.naturalOrder(), keys, keys.stream().map(k -> List.copyOf(lists.get(k))).toList());
    }

    private static <T> PersistentSortedMap<String, List<T>> grouped(List<T> sorted, java.util.function.Function<T, String> namespace) {
        List<String> keys = new ArrayList<>();
        List<List<T>> groups = new ArrayList<>();
        for (int i = 0; i < sorted.size(); ) {
            String ns = namespace.apply(sorted.get(i));
            int j = i;
            while (j < sorted.size() && namespace.apply(sorted.get(j)).equals(ns)) {
                j++;
            }
            keys.add(ns);
            groups.add(List.copyOf(sorted.subList(i, j)));
            i = j;
        }
        return PersistentSortedMap.ofSorted(STRINGS, keys, groups);
    }

    private static String podLabelKey(String ns, String key, String value) {
        return ns + '\0' + key + '=' + value;
    }

    private static String namespaceLabelKey(String key, String value) {
        return key + '\0' + value;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder pre-filled with this snapshot, for updates (policies are replaced by namespace/name). */
    public Builder toBuilder() {
        Builder b = new Builder();
        namespaces.values().forEach(b::namespace);
        pods().forEach(b::pod);
        nodes.values().forEach(b::node);
        policies.values().forEach(b::policy);
        defaultDenies.values().forEach(b::defaultDeny);
        clusterPolicies.values().forEach(b::clusterPolicy);
        return b.dns(dns);
    }

    /**
     * This snapshot with {@code delta} applied: equal to a {@link #builder()} of the same objects
     * and answering every query alike (see {@link ClusterDelta} for the contract). Only the entries
     * and index buckets of the changed keys are copied; everything else is shared with this
     * snapshot, which stays as it was. A delta touching more than a quarter of the objects is
     * built in one pass instead. An empty delta returns this snapshot.
     */
    public ClusterSnapshot apply(ClusterDelta delta) {
        if (delta.isEmpty()) {
            return this;
        }
        int objects = namespaces.size() + podCount + nodes.size() + policies.size() + defaultDenies.size()
                + clusterPolicies.size();
        if (delta.size() > Math.max(64, objects / 4)) {
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
            delta.removedClusterPolicies().forEach(b::removeClusterPolicy);
            delta.clusterPolicies().values().forEach(b::clusterPolicy);
            delta.dns().ifPresent(b::dns);
            return b.build();
        }
        Editor e = new Editor(this);
        delta.removedNamespaces().forEach(e::removeNamespace);
        delta.namespaces().values().forEach(e::namespace);
        delta.removedPods().forEach(k -> {
            Key key = Key.parse(k);
            e.removePod(key.namespace(), key.name());
        });
        delta.pods().values().forEach(e::pod);
        delta.removedNodes().forEach(e::removeNode);
        delta.nodes().values().forEach(e::node);
        delta.removedPolicies().forEach(k -> e.removePolicy(Key.parse(k)));
        delta.policies().values().forEach(e::policy);
        delta.removedDefaultDenies().forEach(k -> e.removeDefaultDeny(Key.parse(k)));
        delta.defaultDenies().values().forEach(e::defaultDeny);
        for (String name : delta.removedClusterPolicies()) {
            e.clusterPolicies = e.clusterPolicies.without(name);
        }
        for (ClusterNetworkPolicy cnp : delta.clusterPolicies().values()) {
            e.clusterPolicies = e.clusterPolicies.with(cnp.name(), cnp);
        }
        delta.dns().ifPresent(d -> e.dns = d);
        return new ClusterSnapshot(e);
    }

    /**
     * A snapshot with this one's namespaces, nodes and DNS configuration (shared, not copied) and
     * only the given pods, NetworkPolicies and DefaultDenies (and all of its ClusterNetworkPolicies,
     * which apply to every pod they select whatever the namespace): equal to a {@link #builder()} of
     * exactly those objects. It is how an analysis judges a few pods against the policies that
     * select them without copying every namespace and node of a large cluster per request.
     */
    public ClusterSnapshot restrictedTo(Collection<Pod> pods, Collection<NetworkPolicy> policies,
                                        Collection<DefaultDeny> defaultDenies) {
        Editor e = new Editor(this);
        // namespaces that exist here only through pods are not in the restricted snapshot unless its pods bring them.
        // namespaceNames is the Namespace objects plus the namespaces of pods, so equal sizes mean there is none: the
        // usual case in a cluster, where every pod's namespace exists (this walk was O(namespaces) per admission request)
        for (String ns : namespaceNames.size() == namespaces.size() ? List.<String>of() : podsByNamespace.keySet()) {
            if (!namespaces.containsKey(ns)) {
                Map<String, String> implicit = e.effectiveLabels(ns);
                e.podsByNamespace = e.podsByNamespace.without(ns);
                e.reindexNamespace(ns, implicit);
            }
        }
        e.podsByNamespace = PersistentSortedMap.empty(STRINGS);
        e.podCount = 0;
        e.podsByLabel = PersistentSortedMap.empty(STRINGS);
        e.podsByIp = PersistentSortedMap.empty(Comparator.naturalOrder());
        e.policies = PersistentSortedMap.empty(Comparator.naturalOrder());
        e.policiesByNamespace = PersistentSortedMap.empty(STRINGS);
        e.defaultDenies = PersistentSortedMap.empty(Comparator.naturalOrder());
        e.defaultDeniesByNamespace = PersistentSortedMap.empty(STRINGS);
        pods.forEach(e::pod);
        policies.forEach(e::policy);
        defaultDenies.forEach(e::defaultDeny);
        return new ClusterSnapshot(e);
    }

    /** Every Namespace object, sorted by name. */
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
        Collection<Pod> view = podView;
        if (view == null) {
            view = new java.util.AbstractCollection<>() {
                @Override
                public java.util.Iterator<Pod> iterator() {
                    java.util.Iterator<PersistentSortedMap<String, Pod>> outer = podsByNamespace.values().iterator();
                    return new java.util.Iterator<>() {
                        private java.util.Iterator<Pod> inner = java.util.Collections.emptyIterator();

                        @Override
                        public boolean hasNext() {
                            while (!inner.hasNext() && outer.hasNext()) {
                                inner = outer.next().values().iterator();
                            }
                            return inner.hasNext();
                        }

                        @Override
                        public Pod next() {
                            if (!hasNext()) {
                                throw new java.util.NoSuchElementException();
                            }
                            return inner.next();
                        }
                    };
                }

                @Override
                public int size() {
                    return podCount;
                }
            };
            podView = view;
        }
        return view;
    }

    public Optional<Pod> pod(String namespace, String name) {
        PersistentSortedMap<String, Pod> bucket = podsByNamespace.get(namespace);
        return Optional.ofNullable(bucket == null ? null : bucket.get(name));
    }

    /** The pods of a namespace, sorted by name. */
    public List<Pod> podsInNamespace(String namespace) {
        PersistentSortedMap<String, Pod> bucket = podsByNamespace.get(namespace);
        return bucket == null ? List.of() : bucket.valueList();
    }

    /** The non-host-network pod with this IP, if any. */
    public Optional<Pod> podByIp(IpAddress ip) {
        List<Pod> withIp = podsByIp.get(ip);
        return withIp == null ? Optional.empty() : Optional.of(withIp.get(withIp.size() - 1));
    }

    /**
     * The lowest pod address in {@code cidr} that no {@code except} block contains, with its pod (the first by
     * namespace and name among pods sharing it), or empty; host-network pods are not counted (they have the node's
     * address). A range query on the address index: the pods outside the block are never visited, and an except
     * block is skipped whole, so the cost does not grow with the number of pods.
     */
    public Optional<Map.Entry<IpAddress, Pod>> podAddressIn(Cidr cidr, Collection<Cidr> except) {
        IpAddress last = cidr.last();
        IpAddress from = cidr.first();
        while (from != null) {
            int i = podsByIp.ceilingIndex(from);
            if (i >= podsByIp.size()) {
                return Optional.empty();
            }
            IpAddress ip = podsByIp.keyAt(i);
            if (ip.compareTo(last) > 0) {
                return Optional.empty();
            }
            Cidr excepted = except.stream().filter(x -> x.contains(ip)).findFirst().orElse(null);
            if (excepted == null) {
                return Optional.of(Map.entry(ip, podsByIp.valueAt(i).get(0)));
            }
            from = excepted.last().next();
        }
        return Optional.empty();
    }

    public Optional<Node> nodeByIp(IpAddress ip) {
        List<Node> withIp = nodesByIp.get(ip);
        return withIp == null ? Optional.empty() : Optional.of(withIp.get(withIp.size() - 1));
    }

    /** Every node, sorted by name. */
    public Collection<Node> nodes() {
        return nodes.values();
    }

    public Optional<Node> node(String name) {
        return Optional.ofNullable(nodes.get(name));
    }

    /** Every NetworkPolicy, sorted by namespace then name. */
    public List<NetworkPolicy> policies() {
        return policies.valueList();
    }

    public Optional<NetworkPolicy> policy(String namespace, String name) {
        return Optional.ofNullable(policies.get(new Key(namespace, name)));
    }

    public List<NetworkPolicy> policiesInNamespace(String namespace) {
        List<NetworkPolicy> l = policiesByNamespace.get(namespace);
        return l == null ? List.of() : l;
    }

    /** Every DefaultDeny, sorted by namespace then name. */
    public List<DefaultDeny> defaultDenies() {
        return defaultDenies.valueList();
    }

    public Optional<DefaultDeny> defaultDeny(String namespace, String name) {
        return Optional.ofNullable(defaultDenies.get(new Key(namespace, name)));
    }

    public List<DefaultDeny> defaultDeniesInNamespace(String namespace) {
        List<DefaultDeny> l = defaultDeniesByNamespace.get(namespace);
        return l == null ? List.of() : l;
    }

    /** Every ClusterNetworkPolicy, sorted by name. */
    public Collection<ClusterNetworkPolicy> clusterPolicies() {
        return clusterPolicies.values();
    }

    public Optional<ClusterNetworkPolicy> clusterPolicy(String name) {
        return Optional.ofNullable(clusterPolicies.get(name));
    }

    /** The ClusterNetworkPolicies of a tier in evaluation order ({@link ClusterNetworkPolicy#EVALUATION_ORDER}). */
    public List<ClusterNetworkPolicy> clusterPolicies(Tier tier) {
        Map<Tier, List<ClusterNetworkPolicy>> byTier = clusterPoliciesByTier;
        if (byTier == null) {
            Map<Tier, List<ClusterNetworkPolicy>> m = new java.util.EnumMap<>(Tier.class);
            for (Tier t : Tier.values()) {
                m.put(t, clusterPolicies.values().stream().filter(c -> c.tier() == t)
                        .sorted(ClusterNetworkPolicy.EVALUATION_ORDER).toList());
            }
            byTier = m;
            clusterPoliciesByTier = m;
        }
        return byTier.get(tier);
    }

    public ClusterDns dns() {
        return dns;
    }

    /**
     * Whether {@link #selectPods} would select at least one pod; stops at the first (lint asks this for every
     * podSelector and peer of a judged policy, where building the whole list was most of the rule's cost).
     */
    public boolean selectsAnyPod(String namespace, LabelSelector selector) {
        for (Pod p : selectionCandidates(namespace, selector)) {
            if (!p.hostNetwork() && selector.matches(p.labels())) {
                return true;
            }
        }
        return false;
    }

    /** A superset of the selection: the smallest label-index bucket of the selector's matchLabels, else the namespace's pods. */
    private List<Pod> selectionCandidates(String namespace, LabelSelector selector) {
        List<Pod> candidates = null;
        for (Map.Entry<String, String> l : selector.matchLabels().entrySet()) {
            PersistentSortedMap<String, Pod> bucket = podsByLabel.get(podLabelKey(namespace, l.getKey(), l.getValue()));
            if (bucket == null) {
                return List.of();
            }
            if (candidates == null || bucket.size() < candidates.size()) {
                candidates = bucket.valueList();
            }
        }
        return candidates == null ? podsInNamespace(namespace) : candidates;
    }

    /**
     * The pods of {@code namespace} matching {@code selector}, host-network pods excluded (pod
     * selectors never select them). Uses the label index when the selector has {@code matchLabels}.
     */
    public List<Pod> selectPods(String namespace, LabelSelector selector) {
        List<Pod> out = new ArrayList<>();
        for (Pod p : selectionCandidates(namespace, selector)) {
            if (!p.hostNetwork() && selector.matches(p.labels())) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * Namespaces matching a selector (known namespaces and namespaces that only have pods), sorted
     * by name. Answered from the namespace label index: the candidates are the smallest bucket
     * among the selector's {@code matchLabels} entries and its {@code In} and {@code Exists}
     * expressions, each then checked against the whole selector; only a selector with none of
     * those ({@code {}}, {@code NotIn}, {@code DoesNotExist}) looks at every namespace, and then it
     * selects most of them anyway.
     */
    public List<String> selectNamespaces(LabelSelector selector) {
        Collection<String> candidates = null;
        for (Map.Entry<String, String> l : selector.matchLabels().entrySet()) {
            PersistentSortedMap<String, String> bucket = namespacesByLabel.get(namespaceLabelKey(l.getKey(), l.getValue()));
            if (bucket == null) {
                return new ArrayList<>();
            }
            if (candidates == null || bucket.size() < candidates.size()) {
                candidates = bucket.valueList();
            }
        }
        for (LabelSelector.Requirement r : selector.matchExpressions()) {
            LabelSelector.Operator op = r.op();
            if (op == LabelSelector.Operator.EXISTS) {
                PersistentSortedMap<String, String> bucket = namespacesByKey.get(r.key());
                if (bucket == null) {
                    return new ArrayList<>();
                }
                if (candidates == null || bucket.size() < candidates.size()) {
                    candidates = bucket.valueList();
                }
            } else if (op == LabelSelector.Operator.IN) {
                int size = 0;
                List<PersistentSortedMap<String, String>> buckets = new ArrayList<>();
                for (String v : new java.util.TreeSet<>(r.values())) {
                    PersistentSortedMap<String, String> bucket = namespacesByLabel.get(namespaceLabelKey(r.key(), v));
                    if (bucket != null) {
                        buckets.add(bucket);
                        size += bucket.size();
                    }
                }
                if (candidates == null || size < candidates.size()) {
                    // a namespace has one value per key: the buckets are disjoint
                    List<String> union = new ArrayList<>(size);
                    buckets.forEach(b -> union.addAll(b.keySet()));
                    union.sort(null);
                    candidates = union;
                }
            }
        }
        if (candidates == null) {
            candidates = namespaceNames.valueList();
        }
        List<String> out = new ArrayList<>();
        for (String ns : candidates) {
            if (selector.matches(namespaceLabels(ns))) {
                out.add(ns);
            }
        }
        return out;
    }

    /** Pods with at least one IP, in namespace/name order: the rows and columns of a matrix. */
    public List<Pod> podsWithIps() {
        return pods().stream().filter(p -> !p.ips().isEmpty()).toList();
    }

    public List<Pod> pods(Predicate<Pod> filter) {
        return pods().stream().filter(filter).toList();
    }

    /** Equal when they hold equal objects and DNS configuration, however they were built. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o instanceof ClusterSnapshot s && dns.equals(s.dns) && podCount == s.podCount
                && namespaces.equals(s.namespaces) && podsByNamespace.equals(s.podsByNamespace) && nodes.equals(s.nodes)
                && policies.equals(s.policies) && defaultDenies.equals(s.defaultDenies)
                && clusterPolicies.equals(s.clusterPolicies);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(dns, namespaces.size(), podCount, nodes.size(), policies.size(), defaultDenies.size());
    }

    @Override
    public String toString() {
        return "ClusterSnapshot[" + namespaces.size() + " namespaces, " + podCount + " pods, " + nodes.size()
                + " nodes, " + policies.size() + " NetworkPolicies, " + defaultDenies.size() + " DefaultDenies, "
                + clusterPolicies.size() + " ClusterNetworkPolicies]";
    }

    /**
     * The structures of the snapshot being made, updated one key at a time: each update replaces
     * the touched entries of the persistent maps and leaves the previous snapshot's maps intact.
     */
    private static final class Editor {
        PersistentSortedMap<String, Namespace> namespaces;
        PersistentSortedMap<String, PersistentSortedMap<String, Pod>> podsByNamespace;
        int podCount;
        PersistentSortedMap<String, PersistentSortedMap<String, Pod>> podsByLabel;
        PersistentSortedMap<IpAddress, List<Pod>> podsByIp;
        PersistentSortedMap<String, Node> nodes;
        PersistentSortedMap<IpAddress, List<Node>> nodesByIp;
        PersistentSortedMap<Key, NetworkPolicy> policies;
        PersistentSortedMap<String, List<NetworkPolicy>> policiesByNamespace;
        PersistentSortedMap<Key, DefaultDeny> defaultDenies;
        PersistentSortedMap<String, List<DefaultDeny>> defaultDeniesByNamespace;
        PersistentSortedMap<String, String> namespaceNames;
        PersistentSortedMap<String, PersistentSortedMap<String, String>> namespacesByLabel;
        PersistentSortedMap<String, PersistentSortedMap<String, String>> namespacesByKey;
        ClusterDns dns;
        PersistentSortedMap<String, ClusterNetworkPolicy> clusterPolicies;

        Editor() {
        }

        Editor(ClusterSnapshot s) {
            namespaces = s.namespaces;
            podsByNamespace = s.podsByNamespace;
            podCount = s.podCount;
            podsByLabel = s.podsByLabel;
            podsByIp = s.podsByIp;
            nodes = s.nodes;
            nodesByIp = s.nodesByIp;
            policies = s.policies;
            policiesByNamespace = s.policiesByNamespace;
            defaultDenies = s.defaultDenies;
            defaultDeniesByNamespace = s.defaultDeniesByNamespace;
            namespaceNames = s.namespaceNames;
            namespacesByLabel = s.namespacesByLabel;
            namespacesByKey = s.namespacesByKey;
            dns = s.dns;
            clusterPolicies = s.clusterPolicies;
        }

        /** The labels selectors see for {@code ns}, or null when no selector can see it. */
        Map<String, String> effectiveLabels(String ns) {
            Namespace n = namespaces.get(ns);
            if (n != null) {
                return n.labels();
            }
            return podsByNamespace.containsKey(ns) ? Map.of(Namespace.NAME_LABEL, ns) : null;
        }

        void namespace(Namespace n) {
            Map<String, String> before = effectiveLabels(n.name());
            namespaces = namespaces.with(n.name(), n);
            reindexNamespace(n.name(), before);
        }

        void removeNamespace(String name) {
            Map<String, String> before = effectiveLabels(name);
            namespaces = namespaces.without(name);
            reindexNamespace(name, before);
        }

        /** Updates the namespace indexes of {@code ns} from the labels it had to those it has now. */
        void reindexNamespace(String ns, Map<String, String> before) {
            Map<String, String> after = effectiveLabels(ns);
            if (java.util.Objects.equals(before, after)) {
                return;
            }
            if (before == null) {
                namespaceNames = namespaceNames.with(ns, ns);
            } else if (after == null) {
                namespaceNames = namespaceNames.without(ns);
            }
            if (before != null) {
                for (Map.Entry<String, String> l : before.entrySet()) {
                    if (after == null || !l.getValue().equals(after.get(l.getKey()))) {
                        namespacesByLabel = removeMember(namespacesByLabel, namespaceLabelKey(l.getKey(), l.getValue()), ns);
                    }
                    if (after == null || !after.containsKey(l.getKey())) {
                        namespacesByKey = removeMember(namespacesByKey, l.getKey(), ns);
                    }
                }
            }
            if (after != null) {
                for (Map.Entry<String, String> l : after.entrySet()) {
                    if (before == null || !l.getValue().equals(before.get(l.getKey()))) {
                        namespacesByLabel = addMember(namespacesByLabel, namespaceLabelKey(l.getKey(), l.getValue()), ns, ns);
                    }
                    if (before == null || !before.containsKey(l.getKey())) {
                        namespacesByKey = addMember(namespacesByKey, l.getKey(), ns, ns);
                    }
                }
            }
        }

        void pod(Pod p) {
            PersistentSortedMap<String, Pod> bucket = podsByNamespace.get(p.namespace());
            Pod old = bucket == null ? null : bucket.get(p.name());
            if (p.equals(old)) {
                return;
            }
            Map<String, String> before = effectiveLabels(p.namespace());
            if (old != null) {
                unindex(old, p);
            } else {
                podCount++;
            }
            podsByNamespace = addMember(podsByNamespace, p.namespace(), p.name(), p);
            if (!p.hostNetwork()) {
                for (Map.Entry<String, String> l : p.labels().entrySet()) {
                    podsByLabel = addMember(podsByLabel, podLabelKey(p.namespace(), l.getKey(), l.getValue()), p.name(), p);
                }
                for (IpAddress ip : p.ips()) {
                    podsByIp = podsByIp.with(ip, withSorted(podsByIp.get(ip), p, POD_ORDER));
                }
            }
            reindexNamespace(p.namespace(), before);
        }

        void removePod(String namespace, String name) {
            PersistentSortedMap<String, Pod> bucket = podsByNamespace.get(namespace);
            Pod old = bucket == null ? null : bucket.get(name);
            if (old == null) {
                return;
            }
            Map<String, String> before = effectiveLabels(namespace);
            unindex(old, null);
            podCount--;
            podsByNamespace = removeMember(podsByNamespace, namespace, name);
            reindexNamespace(namespace, before);
        }

        /**
         * Takes {@code old} out of the label and IP indexes, except the label buckets that
         * {@code replacement} (same key, or null) will overwrite anyway.
         */
        private void unindex(Pod old, Pod replacement) {
            if (old.hostNetwork()) {
                return;
            }
            boolean keepsLabels = replacement != null && !replacement.hostNetwork();
            for (Map.Entry<String, String> l : old.labels().entrySet()) {
                if (!keepsLabels || !l.getValue().equals(replacement.labels().get(l.getKey()))) {
                    podsByLabel = removeMember(podsByLabel, podLabelKey(old.namespace(), l.getKey(), l.getValue()), old.name());
                }
            }
            for (IpAddress ip : old.ips()) {
                List<Pod> rest = withoutKey(podsByIp.get(ip), old, POD_ORDER);
                podsByIp = rest.isEmpty() ? podsByIp.without(ip) : podsByIp.with(ip, rest);
            }
        }

        void node(Node n) {
            Node old = nodes.get(n.name());
            if (n.equals(old)) {
                return;
            }
            if (old != null) {
                unindex(old);
            }
            nodes = nodes.with(n.name(), n);
            for (IpAddress ip : n.ips()) {
                nodesByIp = nodesByIp.with(ip, withSorted(nodesByIp.get(ip), n, NODE_ORDER));
            }
        }

        void removeNode(String name) {
            Node old = nodes.get(name);
            if (old != null) {
                unindex(old);
                nodes = nodes.without(name);
            }
        }

        private void unindex(Node old) {
            for (IpAddress ip : old.ips()) {
                List<Node> rest = withoutKey(nodesByIp.get(ip), old, NODE_ORDER);
                nodesByIp = rest.isEmpty() ? nodesByIp.without(ip) : nodesByIp.with(ip, rest);
            }
        }

        void policy(NetworkPolicy np) {
            Key key = new Key(np.namespace(), np.name());
            if (np.equals(policies.get(key))) {
                return;
            }
            policies = policies.with(key, np);
            policiesByNamespace = policiesByNamespace.with(np.namespace(),
                    withSorted(policiesByNamespace.get(np.namespace()), np, Comparator.comparing(NetworkPolicy::name)));
        }

        void removePolicy(Key key) {
            NetworkPolicy old = policies.get(key);
            if (old == null) {
                return;
            }
            policies = policies.without(key);
            List<NetworkPolicy> rest = withoutKey(policiesByNamespace.get(key.namespace()), old, Comparator.comparing(NetworkPolicy::name));
            policiesByNamespace = rest.isEmpty() ? policiesByNamespace.without(key.namespace())
                    : policiesByNamespace.with(key.namespace(), rest);
        }

        void defaultDeny(DefaultDeny dd) {
            Key key = new Key(dd.namespace(), dd.name());
            if (dd.equals(defaultDenies.get(key))) {
                return;
            }
            defaultDenies = defaultDenies.with(key, dd);
            defaultDeniesByNamespace = defaultDeniesByNamespace.with(dd.namespace(),
                    withSorted(defaultDeniesByNamespace.get(dd.namespace()), dd, Comparator.comparing(DefaultDeny::name)));
        }

        void removeDefaultDeny(Key key) {
            DefaultDeny old = defaultDenies.get(key);
            if (old == null) {
                return;
            }
            defaultDenies = defaultDenies.without(key);
            List<DefaultDeny> rest = withoutKey(defaultDeniesByNamespace.get(key.namespace()), old,
                    Comparator.comparing(DefaultDeny::name));
            defaultDeniesByNamespace = rest.isEmpty() ? defaultDeniesByNamespace.without(key.namespace())
                    : defaultDeniesByNamespace.with(key.namespace(), rest);
        }

        private static <T> PersistentSortedMap<String, PersistentSortedMap<String, T>> addMember(
                PersistentSortedMap<String, PersistentSortedMap<String, T>> index, String bucketKey, String member, T value) {
            PersistentSortedMap<String, T> bucket = index.get(bucketKey);
            return index.with(bucketKey, (bucket == null ? PersistentSortedMap.<String, T>empty(STRINGS) : bucket).with(member, value));
        }

        private static <T> PersistentSortedMap<String, PersistentSortedMap<String, T>> removeMember(
                PersistentSortedMap<String, PersistentSortedMap<String, T>> index, String bucketKey, String member) {
            PersistentSortedMap<String, T> bucket = index.get(bucketKey);
            if (bucket == null) {
                return index;
            }
            PersistentSortedMap<String, T> rest = bucket.without(member);
            return rest.isEmpty() ? index.without(bucketKey) : index.with(bucketKey, rest);
        }

        /** A copy of the sorted list {@code list} (null: empty) with {@code t} in place of its equal-keyed element, or inserted. */
        private static <T> List<T> withSorted(List<T> list, T t, Comparator<? super T> order) {
            List<T> out = new ArrayList<>(list == null ? 1 : list.size() + 1);
            boolean placed = false;
            if (list != null) {
                for (T x : list) {
                    int c = order.compare(x, t);
                    if (!placed && c >= 0) {
                        out.add(t);
                        placed = true;
                        if (c == 0) {
                            continue;
                        }
                    }
                    out.add(x);
                }
            }
            if (!placed) {
                out.add(t);
            }
            return List.copyOf(out);
        }

        /** A copy of {@code list} (null: empty) without the element keyed like {@code t}. */
        private static <T> List<T> withoutKey(List<T> list, T t, Comparator<? super T> order) {
            if (list == null) {
                return List.of();
            }
            List<T> out = new ArrayList<>(list.size());
            for (T x : list) {
                if (order.compare(x, t) != 0) {
                    out.add(x);
                }
            }
            return List.copyOf(out);
        }
    }

    public static final class Builder {
        private final Map<String, Namespace> namespaces = new LinkedHashMap<>();
        private final Map<String, Pod> pods = new LinkedHashMap<>();
        private final Map<String, Node> nodes = new LinkedHashMap<>();
        private final Map<String, NetworkPolicy> policies = new LinkedHashMap<>();
        private final Map<String, DefaultDeny> defaultDenies = new LinkedHashMap<>();
        private final Map<String, ClusterNetworkPolicy> clusterPolicies = new LinkedHashMap<>();
        private ClusterDns dns = ClusterDns.DEFAULT;

        public Builder clusterPolicy(ClusterNetworkPolicy p) {
            clusterPolicies.put(p.name(), p);
            return this;
        }

        public Builder removeClusterPolicy(String name) {
            clusterPolicies.remove(name);
            return this;
        }

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
            return ClusterSnapshot.build(namespaces.values(), pods.values(), nodes.values(), policies.values(),
                    defaultDenies.values(), dns, clusterPolicies.values());
        }
    }
}
