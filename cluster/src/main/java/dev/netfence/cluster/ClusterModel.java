package dev.netfence.cluster;

import dev.netfence.cluster.ClusterChange.Kind;
import dev.netfence.policy.analysis.CriticalFlow;
import dev.netfence.policy.model.ClusterNetworkPolicy;
import dev.netfence.policy.model.ClusterDelta;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.Pod;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cluster as the engine sees it: only validated engine records (a slimmed Pod is a few hundred
 * bytes, not the full object), kept up to date by {@link ClusterInformers} (or by a test, the demo,
 * a manifest reader). Every put or remove that changes what the engine sees is announced to the
 * {@link ClusterListener}s as one keyed {@link ClusterChange}; a re-sent equal object is not a
 * change. Objects that were refused (invalid) keep their last valid version in force, and the
 * reason is kept here ({@link #invalid}) for whoever reports it.
 *
 * <p>{@link #snapshot()} gives the immutable {@link ClusterSnapshot} the engine works on, with the
 * configured cluster DNS ({@link ClusterSettings}), so {@code allowDNS} compiles against the same DNS
 * the webhook protects; it is maintained incrementally from the same changes (no rebuild). Mutations
 * and listener calls are serialised on the model, so {@link #update} hands a consumer a snapshot and
 * exactly the changes that lead to it.
 */
public final class ClusterModel {
    private final Map<String, Namespace> namespaces = new ConcurrentHashMap<>();
    private final Set<String> terminatingNamespaces = ConcurrentHashMap.newKeySet();
    private final Map<String, Pod> pods = new ConcurrentHashMap<>();
    private final Map<String, Node> nodes = new ConcurrentHashMap<>();
    private final Map<String, NetworkPolicy> policies = new ConcurrentHashMap<>();
    private final Map<String, DefaultDeny> defaultDenies = new ConcurrentHashMap<>();
    private final Map<String, Long> defaultDenyGenerations = new ConcurrentHashMap<>();
    private final Map<String, CriticalFlow> criticalFlows = new ConcurrentHashMap<>();
    private final Map<String, ClusterNetworkPolicy> clusterPolicies = new ConcurrentHashMap<>();
    private final Map<String, Long> clusterPolicyGenerations = new ConcurrentHashMap<>();
    private final Map<String, String> invalid = new ConcurrentHashMap<>();
    private final List<ClusterListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong version = new AtomicLong();
    private volatile ClusterSettings settings;
    /** The snapshot as of the last {@link #snapshot()}, and the changes since (guarded by this). */
    private ClusterSnapshot snapshot;
    private ClusterDelta.Builder pending = ClusterDelta.builder();

    public ClusterModel(ClusterSettings settings) {
        this.settings = settings;
        this.snapshot = ClusterSnapshot.builder().dns(settings.dns()).build();
    }

    public void addListener(ClusterListener l) {
        listeners.add(l);
    }

    public void removeListener(ClusterListener l) {
        listeners.remove(l);
    }

    public ClusterSettings settings() {
        return settings;
    }

    /** New settings (a changed ConfigMap): announced as one {@link Kind#SETTINGS} change when they differ. */
    public synchronized void settings(ClusterSettings s) {
        if (!s.equals(settings)) {
            settings = s;
            pending.dns(s.dns());
            changed(Kind.SETTINGS, "");
        }
    }

    // ---- puts and removes, from the informers' handlers

    public synchronized void putNamespace(Namespace n, boolean terminating) {
        boolean t = terminating ? terminatingNamespaces.add(n.name()) : terminatingNamespaces.remove(n.name());
        if (replaced(namespaces, n.name(), n) || t) {
            pending.namespace(n);
            changed(Kind.NAMESPACE, n.name());
        }
    }

    public void putNamespace(Namespace n) {
        putNamespace(n, false);
    }

    public synchronized void removeNamespace(String name) {
        terminatingNamespaces.remove(name);
        if (namespaces.remove(name) != null) {
            pending.removeNamespace(name);
            changed(Kind.NAMESPACE, name);
        }
    }

    public synchronized void putPod(Pod p) {
        if (replaced(pods, p.key(), p)) {
            pending.pod(p);
            changed(Kind.POD, p.key());
        }
    }

    public synchronized void removePod(String namespace, String name) {
        String key = namespace + "/" + name;
        boolean was = invalid.remove("Pod/" + key) != null;
        if (pods.remove(key) != null || was) {
            pending.removePod(namespace, name);
            changed(Kind.POD, key);
        }
    }

    public synchronized void putNode(Node n) {
        if (replaced(nodes, n.name(), n)) {
            pending.node(n);
            changed(Kind.NODE, n.name());
        }
    }

    public synchronized void removeNode(String name) {
        boolean was = invalid.remove("Node//" + name) != null;
        if (nodes.remove(name) != null || was) {
            pending.removeNode(name);
            changed(Kind.NODE, name);
        }
    }

    public synchronized void putPolicy(NetworkPolicy p) {
        String key = p.namespace() + "/" + p.name();
        boolean cleared = invalid.remove("NetworkPolicy/" + key) != null;
        if (replaced(policies, key, p) || cleared) {
            pending.policy(p);
            changed(Kind.NETWORK_POLICY, key);
        }
    }

    public synchronized void removePolicy(String namespace, String name) {
        String key = namespace + "/" + name;
        boolean was = invalid.remove("NetworkPolicy/" + key) != null;
        if (policies.remove(key) != null || was) {
            pending.removePolicy(namespace, name);
            changed(Kind.NETWORK_POLICY, key);
        }
    }

    public synchronized void putDefaultDeny(DefaultDeny d, long generation) {
        String key = d.namespace() + "/" + d.name();
        boolean cleared = invalid.remove("DefaultDeny/" + key) != null;
        Long previousGeneration = defaultDenyGenerations.put(key, generation);
        if (replaced(defaultDenies, key, d) || cleared || !Long.valueOf(generation).equals(previousGeneration)) {
            pending.defaultDeny(d);
            changed(Kind.DEFAULT_DENY, key);
        }
    }

    public synchronized void removeDefaultDeny(String namespace, String name) {
        String key = namespace + "/" + name;
        boolean was = invalid.remove("DefaultDeny/" + key) != null;
        defaultDenyGenerations.remove(key);
        if (defaultDenies.remove(key) != null || was) {
            pending.removeDefaultDeny(namespace, name);
            changed(Kind.DEFAULT_DENY, key);
        }
    }

    public synchronized void putCriticalFlow(String name, CriticalFlow flow) {
        boolean cleared = invalid.remove("CriticalFlow//" + name) != null;
        if (replaced(criticalFlows, name, flow) || cleared) {
            changed(Kind.CRITICAL_FLOW, name);
        }
    }

    public synchronized void removeCriticalFlow(String name) {
        boolean was = invalid.remove("CriticalFlow//" + name) != null;
        if (criticalFlows.remove(name) != null || was) {
            changed(Kind.CRITICAL_FLOW, name);
        }
    }

    /**
     * A valid ClusterNetworkPolicy (its tier, priority, subject and rules as the engine reads them) at
     * {@code generation} (its metadata.generation: the status reports which generation is in force).
     */
    public synchronized void putClusterPolicy(ClusterNetworkPolicy p, long generation) {
        boolean cleared = invalid.remove("ClusterNetworkPolicy//" + p.name()) != null;
        Long previousGeneration = clusterPolicyGenerations.put(p.name(), generation);
        boolean replaced = replaced(clusterPolicies, p.name(), p);
        if (replaced) {
            pending.clusterPolicy(p);
        }
        if (replaced || cleared || !Long.valueOf(generation).equals(previousGeneration)) {
            changed(Kind.CLUSTER_NETWORK_POLICY, p.name());
        }
    }

    public synchronized void removeClusterPolicy(String name) {
        boolean was = invalid.remove("ClusterNetworkPolicy//" + name) != null;
        clusterPolicyGenerations.remove(name);
        if (clusterPolicies.remove(name) != null) {
            pending.removeClusterPolicy(name);
            changed(Kind.CLUSTER_NETWORK_POLICY, name);
        } else if (was) {
            changed(Kind.CLUSTER_NETWORK_POLICY, name);
        }
    }

    /**
     * The latest version of an object was refused: its last valid version (if any) stays in force
     * (a typo must not lift isolation), and {@code problem} is kept for whoever reports it.
     *
     * @param namespace empty for cluster-scoped kinds
     */
    public synchronized void refuse(Kind kind, String namespace, String name, String problem) {
        String key = kindName(kind) + "/" + namespace + "/" + name;
        if (!problem.equals(invalid.put(key, problem))) {
            changed(kind, namespace.isEmpty() ? name : namespace + "/" + name);
        }
    }

    // ---- reads

    /** Why the latest version of the object was refused, or null ({@code kind} as Kubernetes names it: NetworkPolicy, DefaultDeny, Pod, ...). */
    public String invalid(String kind, String namespace, String name) {
        return invalid.get(kind + "/" + (namespace == null ? "" : namespace) + "/" + name);
    }

    /** Every refused object ({@code Kind/namespace/name} -> reason). */
    public Map<String, String> invalidObjects() {
        return Map.copyOf(invalid);
    }

    /** The metadata.generation of the DefaultDeny in force, or -1. */
    public long defaultDenyGeneration(String namespace, String name) {
        return defaultDenyGenerations.getOrDefault(namespace + "/" + name, -1L);
    }

    /** Every DefaultDeny known ({@code namespace/name}): the ones in force and the ones whose latest version was refused. */
    public Set<String> defaultDenyKeys() {
        Set<String> keys = new HashSet<>(defaultDenyGenerations.keySet());
        String prefix = "DefaultDeny/";
        invalid.keySet().stream().filter(k -> k.startsWith(prefix)).forEach(k -> keys.add(k.substring(prefix.length())));
        return keys;
    }

    /** The metadata.generation of the ClusterNetworkPolicy in force, or -1 (none valid yet). */
    public long clusterPolicyGeneration(String name) {
        return clusterPolicyGenerations.getOrDefault(name, -1L);
    }

    /** Every ClusterNetworkPolicy known by name: the ones in force and the ones whose latest version was refused. */
    public Set<String> clusterPolicyNames() {
        Set<String> names = new HashSet<>(clusterPolicyGenerations.keySet());
        String prefix = "ClusterNetworkPolicy//";
        invalid.keySet().stream().filter(k -> k.startsWith(prefix)).forEach(k -> names.add(k.substring(prefix.length())));
        return names;
    }

    /** Whether the model has seen the ClusterNetworkPolicy: in force, or its latest version refused. */
    public boolean knowsClusterPolicy(String name) {
        return clusterPolicyGenerations.containsKey(name) || invalid.containsKey("ClusterNetworkPolicy//" + name);
    }

    public ClusterNetworkPolicy clusterPolicy(String name) {
        return clusterPolicies.get(name);
    }

    /** Why the latest version of the DefaultDeny {@code namespace/name} was refused, or null. */
    public String invalidDefaultDeny(String key) {
        return invalid.get("DefaultDeny/" + key);
    }

    public Set<String> terminatingNamespaces() {
        return Set.copyOf(terminatingNamespaces);
    }

    public List<CriticalFlow> criticalFlows() {
        return criticalFlows.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(Map.Entry::getValue).toList();
    }

    public Pod pod(String key) {
        return pods.get(key);
    }

    public NetworkPolicy policy(String key) {
        return policies.get(key);
    }

    public int podCount() {
        return pods.size();
    }

    /** Counts changes that alter what the engine sees (a re-sent equal object is not one). */
    public long version() {
        return version.get();
    }

    /**
     * The cluster now, as an immutable snapshot with the configured DNS; the same instance until
     * the next change. Maintained incrementally: the changes since the previous call are applied
     * to it ({@link ClusterSnapshot#apply}, which touches only their entries and index buckets).
     */
    public synchronized ClusterSnapshot snapshot() {
        ClusterDelta delta = pending.build();
        if (!delta.isEmpty()) {
            snapshot = snapshot.apply(delta);
            pending = ClusterDelta.builder();
        }
        return snapshot;
    }

    /** A snapshot and what changed for one consumer since it last asked, taken together (no change falls between). */
    public record Update(ClusterSnapshot snapshot, ClusterChanges changes) {
        /**
         * The changes as the engine's keyed delta against the consumer's previous snapshot: each key's
         * record as this snapshot holds it, or its removal (what {@code IncrementalCompiler.update(next, delta)} takes).
         */
        public ClusterDelta delta() {
            ClusterDelta.Builder b = ClusterDelta.builder();
            for (String k : changes.of(Kind.NAMESPACE)) {
                snapshot.namespace(k).ifPresentOrElse(b::namespace, () -> b.removeNamespace(k));
            }
            for (String k : changes.of(Kind.POD)) {
                String[] nn = k.split("/", 2);
                snapshot.pod(nn[0], nn[1]).ifPresentOrElse(b::pod, () -> b.removePod(nn[0], nn[1]));
            }
            for (String k : changes.of(Kind.NODE)) {
                snapshot.node(k).ifPresentOrElse(b::node, () -> b.removeNode(k));
            }
            for (String k : changes.of(Kind.NETWORK_POLICY)) {
                String[] nn = k.split("/", 2);
                snapshot.policy(nn[0], nn[1]).ifPresentOrElse(b::policy, () -> b.removePolicy(nn[0], nn[1]));
            }
            for (String k : changes.of(Kind.DEFAULT_DENY)) {
                String[] nn = k.split("/", 2);
                snapshot.defaultDeny(nn[0], nn[1]).ifPresentOrElse(b::defaultDeny, () -> b.removeDefaultDeny(nn[0], nn[1]));
            }
            for (String k : changes.of(Kind.CLUSTER_NETWORK_POLICY)) {
                snapshot.clusterPolicy(k).ifPresentOrElse(b::clusterPolicy, () -> b.removeClusterPolicy(k));
            }
            if (changes.settingsChanged()) {
                b.dns(snapshot.dns());
            }
            return b.build();
        }
    }

    /** {@link #snapshot()} and {@code collector}'s changes, drained at the same moment. */
    public synchronized Update update(ChangeCollector collector) {
        return new Update(snapshot(), collector.drain());
    }

    /**
     * Stores {@code value} unless an equal one is stored already, and says whether it did. The equal
     * instance already stored stays: it is the one the snapshot holds, so a re-sent object (every
     * informer resync and relist re-sends all of them) does not leave two equal copies of each pod
     * in memory, one here and one in the snapshot.
     */
    private static <V> boolean replaced(Map<String, V> map, String key, V value) {
        V previous = map.get(key);
        if (value.equals(previous)) {
            return false;
        }
        map.put(key, value);
        return true;
    }

    private void changed(Kind kind, String key) {
        version.incrementAndGet();
        ClusterChange c = new ClusterChange(kind, key);
        for (ClusterListener l : listeners) {
            l.changed(c);
        }
    }

    static String kindName(Kind kind) {
        return switch (kind) {
            case NAMESPACE -> "Namespace";
            case POD -> "Pod";
            case NODE -> "Node";
            case NETWORK_POLICY -> "NetworkPolicy";
            case DEFAULT_DENY -> "DefaultDeny";
            case CRITICAL_FLOW -> "CriticalFlow";
            case CLUSTER_NETWORK_POLICY -> "ClusterNetworkPolicy";
            case SETTINGS -> "Settings";
        };
    }
}
