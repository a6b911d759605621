package dev.netfence.cluster;

import dev.netfence.cluster.ClusterChange.Kind;
import dev.netfence.policy.analysis.CriticalFlow;
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
 * the webhook protects. It is cached until the next change.
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
    private final Map<String, String> invalid = new ConcurrentHashMap<>();
    private final List<ClusterListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong version = new AtomicLong();
    private volatile ClusterSettings settings;
    private ClusterSnapshot snapshot;
    private long snapshotVersion = -1;

    public ClusterModel(ClusterSettings settings) {
        this.settings = settings;
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
    public void settings(ClusterSettings s) {
        if (!s.equals(settings)) {
            settings = s;
            changed(Kind.SETTINGS, "");
        }
    }

    // ---- puts and removes, from the informers' handlers

    public void putNamespace(Namespace n, boolean terminating) {
        boolean t = terminating ? terminatingNamespaces.add(n.name()) : terminatingNamespaces.remove(n.name());
        if (differs(namespaces.put(n.name(), n), n) || t) {
            changed(Kind.NAMESPACE, n.name());
        }
    }

    public void putNamespace(Namespace n) {
        putNamespace(n, false);
    }

    public void removeNamespace(String name) {
        terminatingNamespaces.remove(name);
        if (namespaces.remove(name) != null) {
            changed(Kind.NAMESPACE, name);
        }
    }

    public void putPod(Pod p) {
        if (differs(pods.put(p.key(), p), p)) {
            changed(Kind.POD, p.key());
        }
    }

    public void removePod(String namespace, String name) {
        String key = namespace + "/" + name;
        boolean was = invalid.remove("Pod/" + key) != null;
        if (pods.remove(key) != null || was) {
            changed(Kind.POD, key);
        }
    }

    public void putNode(Node n) {
        if (differs(nodes.put(n.name(), n), n)) {
            changed(Kind.NODE, n.name());
        }
    }

    public void removeNode(String name) {
        boolean was = invalid.remove("Node//" + name) != null;
        if (nodes.remove(name) != null || was) {
            changed(Kind.NODE, name);
        }
    }

    public void putPolicy(NetworkPolicy p) {
        String key = p.namespace() + "/" + p.name();
        boolean cleared = invalid.remove("NetworkPolicy/" + key) != null;
        if (differs(policies.put(key, p), p) || cleared) {
            changed(Kind.NETWORK_POLICY, key);
        }
    }

    public void removePolicy(String namespace, String name) {
        String key = namespace + "/" + name;
        boolean was = invalid.remove("NetworkPolicy/" + key) != null;
        if (policies.remove(key) != null || was) {
            changed(Kind.NETWORK_POLICY, key);
        }
    }

    public void putDefaultDeny(DefaultDeny d, long generation) {
        String key = d.namespace() + "/" + d.name();
        boolean cleared = invalid.remove("DefaultDeny/" + key) != null;
        Long previousGeneration = defaultDenyGenerations.put(key, generation);
        if (differs(defaultDenies.put(key, d), d) || cleared || !Long.valueOf(generation).equals(previousGeneration)) {
            changed(Kind.DEFAULT_DENY, key);
        }
    }

    public void removeDefaultDeny(String namespace, String name) {
        String key = namespace + "/" + name;
        boolean was = invalid.remove("DefaultDeny/" + key) != null;
        defaultDenyGenerations.remove(key);
        if (defaultDenies.remove(key) != null || was) {
            changed(Kind.DEFAULT_DENY, key);
        }
    }

    public void putCriticalFlow(String name, CriticalFlow flow) {
        boolean cleared = invalid.remove("CriticalFlow//" + name) != null;
        if (differs(criticalFlows.put(name, flow), flow) || cleared) {
            changed(Kind.CRITICAL_FLOW, name);
        }
    }

    public void removeCriticalFlow(String name) {
        boolean was = invalid.remove("CriticalFlow//" + name) != null;
        if (criticalFlows.remove(name) != null || was) {
            changed(Kind.CRITICAL_FLOW, name);
        }
    }

    /**
     * The latest version of an object was refused: its last valid version (if any) stays in force
     * (a typo must not lift isolation), and {@code problem} is kept for whoever reports it.
     *
     * @param namespace empty for cluster-scoped kinds
     */
    public void refuse(Kind kind, String namespace, String name, String problem) {
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
     * the next change. (Rebuilt from the records when something changed: the engine's snapshot has
     * no in-place update yet; {@link ClusterChanges} tell consumers what changed without a diff.)
     */
    public synchronized ClusterSnapshot snapshot() {
        long v = version.get();
        if (snapshot != null && snapshotVersion == v) {
            return snapshot;
        }
        ClusterSnapshot.Builder b = ClusterSnapshot.builder().dns(settings.dns());
        namespaces.values().forEach(b::namespace);
        pods.values().forEach(b::pod);
        nodes.values().forEach(b::node);
        policies.values().forEach(b::policy);
        defaultDenies.values().forEach(b::defaultDeny);
        snapshot = b.build();
        snapshotVersion = v;
        return snapshot;
    }

    private static boolean differs(Object previous, Object current) {
        return previous == null ? current != null : !previous.equals(current);
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
            case SETTINGS -> "Settings";
        };
    }
}
