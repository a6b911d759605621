package dev.netfence.operator.status;

import dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy;
import dev.netfence.crds.clusterpolicy.ClusterNetworkPolicyStatus;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Writes ClusterNetworkPolicy statuses through the status subresource ({@code PUT .../status}), only
 * when what they say changes ({@link ClusterPolicyConditions#same}), on the realization report's
 * thread. The status subresource is not in the admission webhook's rules, so these writes never wait
 * for it; RBAC gives the operator {@code update} on {@code clusternetworkpolicies/status} only, never
 * on the spec.
 *
 * <p>Each write carries the resourceVersion it was computed from: when someone else wrote meanwhile
 * (409 Conflict), the object is read again, its status recomputed from the fresh object (its
 * generation, the transition times it holds) and written again, a few times at most; a write that
 * still fails is counted, logged once per streak, and tried again by the next report. What was
 * written is remembered with the resourceVersion it replaced, so a report that runs before the
 * informer delivered the write does not write it again.
 */
public final class ClusterPolicyStatusWriter implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ClusterPolicyStatusWriter.class);
    static final int ATTEMPTS = 4;

    private record Written(String replacedVersion, ClusterNetworkPolicyStatus status) {
    }

    private final KubernetesClient client;
    private final Map<String, Written> written = new ConcurrentHashMap<>();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong conflicts = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean failing;

    /** A writer with its own client that does not retry (fabric8 retries server errors for up to a minute by default). */
    public ClusterPolicyStatusWriter(KubernetesClient client) {
        Config config = new ConfigBuilder(client.getConfiguration()).withRequestRetryBackoffLimit(0).build();
        this.client = new KubernetesClientBuilder().withConfig(config).build();
    }

    /**
     * Brings every object's status to what {@code desired} says for it.
     *
     * @param objects the ClusterNetworkPolicies as the informer holds them (not modified)
     * @param desired the conditions wanted for an object as read (its generation and current status), or
     *                null to leave it alone this time (the model has not seen this version yet)
     * @return how many statuses were written
     */
    public int update(Collection<ClusterNetworkPolicy> objects, Function<ClusterNetworkPolicy, ClusterNetworkPolicyStatus> desired) {
        int wrote = 0;
        int failed = 0;
        String first = null;
        Set<String> names = new java.util.HashSet<>();
        for (ClusterNetworkPolicy o : objects) {
            String name = o.getMetadata().getName();
            names.add(name);
            ClusterNetworkPolicyStatus d = desired.apply(o);
            if (d == null || ClusterPolicyConditions.same(d, o.getStatus())) {
                continue;
            }
            Written w = written.get(name);
            if (w != null && w.replacedVersion().equals(o.getMetadata().getResourceVersion())
                    && ClusterPolicyConditions.same(d, w.status())) {
                continue;   // written already; the informer has not delivered it yet
            }
            try {
                if (write(o, d, desired)) {
                    wrote++;
                }
            } catch (KubernetesClientException e) {
                failed++;
                first = first != null ? first : name + ": " + message(e);
            }
        }
        written.keySet().retainAll(names);
        if (failed > 0) {
            failures.addAndGet(failed);
            if (!failing) {
                LOG.warnf("could not write the status of %d ClusterNetworkPolicies (tried again on the next report; rule sets "
                        + "are published regardless), first %s", failed, first);
            }
        } else if (failing) {
            LOG.info("ClusterNetworkPolicy statuses written again");
        }
        failing = failed > 0;
        return wrote;
    }

    /** @return whether a status was written (false: deleted meanwhile, or a fresh read needs none) */
    private boolean write(ClusterNetworkPolicy current, ClusterNetworkPolicyStatus wanted,
                          Function<ClusterNetworkPolicy, ClusterNetworkPolicyStatus> desired) {
        ClusterNetworkPolicy base = current;
        ClusterNetworkPolicyStatus d = wanted;
        String name = current.getMetadata().getName();
        for (int attempt = 1; ; attempt++) {
            ClusterNetworkPolicy copy = client.getKubernetesSerialization().clone(base);
            copy.setStatus(ClusterPolicyConditions.merged(d, base.getStatus()));
            try {
                client.resource(copy).updateStatus();
                written.put(name, new Written(base.getMetadata().getResourceVersion(), d));
                writes.incrementAndGet();
                return true;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    return false;   // deleted meanwhile: nothing to report on
                }
                if (e.getCode() != 409 || attempt >= ATTEMPTS) {
                    throw e;
                }
                // someone else wrote since our read: read again, recompute from what is there now
                conflicts.incrementAndGet();
                base = client.resources(ClusterNetworkPolicy.class).withName(name).get();
                if (base == null) {
                    return false;
                }
                d = desired.apply(base);
                if (d == null || ClusterPolicyConditions.same(d, base.getStatus())) {
                    return false;
                }
            }
        }
    }

    private static String message(KubernetesClientException e) {
        return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getCode() + " " + e.getStatus().getMessage()
                : e.getCode() + " " + e.getMessage();
    }

    /** Statuses written so far. */
    public long writes() {
        return writes.get();
    }

    /** Writes answered 409 Conflict and retried with a fresh read. */
    public long conflicts() {
        return conflicts.get();
    }

    /** Writes that failed (after their retries), each tried again by the next report. */
    public long failures() {
        return failures.get();
    }

    @Override
    public void close() {
        client.close();
    }
}
