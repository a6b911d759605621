package dev.netfence.operator.cluster;

import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.Pod;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cluster as the engine sees it, kept up to date by the informers' handlers: only engine
 * records (a slimmed Pod is a few hundred bytes, not the full object). Handlers put and remove;
 * the worker takes an immutable {@link ClusterSnapshot} when it compiles. {@link #version()} counts
 * changes so the worker can tell whether anything happened since its last compile.
 */
public final class ClusterState {
    private final Map<String, Namespace> namespaces = new ConcurrentHashMap<>();
    private final Map<String, Pod> pods = new ConcurrentHashMap<>();
    private final Map<String, Node> nodes = new ConcurrentHashMap<>();
    private final Map<String, NetworkPolicy> policies = new ConcurrentHashMap<>();
    private final Map<String, DefaultDeny> defaultDenies = new ConcurrentHashMap<>();
    private final Map<String, Long> defaultDenyGenerations = new ConcurrentHashMap<>();
    private final Map<String, String> invalid = new ConcurrentHashMap<>();
    private final AtomicLong version = new AtomicLong();

    /**
     * Records why the latest version of a policy object ({@code kind/namespace/name}) was refused; the
     * last valid version, if any, stays in force (a typo must not lift isolation). {@code null} clears it.
     */
    public void setInvalid(String kind, String namespace, String name, String problem) {
        String key = kind + "/" + namespace + "/" + name;
        if (problem == null) {
            invalid.remove(key);
        } else {
            invalid.put(key, problem);
        }
    }

    /** Why the latest version of the object was refused, or null. */
    public String invalid(String kind, String namespace, String name) {
        return invalid.get(kind + "/" + namespace + "/" + name);
    }

    public void putNamespace(Namespace n) {
        changed(namespaces.put(n.name(), n), n);
    }

    public void removeNamespace(String name) {
        changed(namespaces.remove(name), null);
    }

    public void putPod(Pod p) {
        changed(pods.put(p.key(), p), p);
    }

    public void removePod(String namespace, String name) {
        changed(pods.remove(namespace + "/" + name), null);
    }

    public void putNode(Node n) {
        changed(nodes.put(n.name(), n), n);
    }

    public void removeNode(String name) {
        changed(nodes.remove(name), null);
    }

    public void putPolicy(NetworkPolicy p) {
        changed(policies.put(p.namespace() + "/" + p.name(), p), p);
    }

    public void removePolicy(String namespace, String name) {
        setInvalid("NetworkPolicy", namespace, name, null);
        changed(policies.remove(namespace + "/" + name), null);
    }

    public void putDefaultDeny(DefaultDeny d, long generation) {
        defaultDenyGenerations.put(d.namespace() + "/" + d.name(), generation);
        changed(defaultDenies.put(d.namespace() + "/" + d.name(), d), d);
    }

    public void removeDefaultDeny(String namespace, String name) {
        setInvalid("DefaultDeny", namespace, name, null);
        defaultDenyGenerations.remove(namespace + "/" + name);
        changed(defaultDenies.remove(namespace + "/" + name), null);
    }

    /** The metadata.generation of the DefaultDeny this state holds, or -1. */
    public long defaultDenyGeneration(String namespace, String name) {
        return defaultDenyGenerations.getOrDefault(namespace + "/" + name, -1L);
    }

    /**
     * Every DefaultDeny this state knows ({@code namespace/name}): the ones in force and the ones whose
     * latest version was refused.
     */
    public java.util.Set<String> defaultDenyKeys() {
        java.util.Set<String> keys = new java.util.HashSet<>(defaultDenyGenerations.keySet());
        String prefix = "DefaultDeny/";
        invalid.keySet().stream().filter(k -> k.startsWith(prefix)).forEach(k -> keys.add(k.substring(prefix.length())));
        return keys;
    }

    /** Why the latest version of the DefaultDeny {@code namespace/name} was refused, or null. */
    public String invalidDefaultDeny(String key) {
        return invalid.get("DefaultDeny/" + key);
    }

    /** Counts changes that alter what the engine sees (a re-sent equal object is not one). */
    public long version() {
        return version.get();
    }

    public int podCount() {
        return pods.size();
    }

    private void changed(Object previous, Object current) {
        if (previous == null ? current != null : !previous.equals(current)) {
            version.incrementAndGet();
        }
    }

    public ClusterSnapshot snapshot() {
        ClusterSnapshot.Builder b = ClusterSnapshot.builder();
        namespaces.values().forEach(b::namespace);
        pods.values().forEach(b::pod);
        nodes.values().forEach(b::node);
        policies.values().forEach(b::policy);
        defaultDenies.values().forEach(b::defaultDeny);
        return b.build();
    }
}
