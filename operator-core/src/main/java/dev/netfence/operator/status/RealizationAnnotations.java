package dev.netfence.operator.status;

import dev.netfence.cluster.ClusterInformers;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Writes the NetworkPolicy annotation {@value ClusterInformers#REALIZATION_ANNOTATION} off the sync's
 * thread: a write of a user's NetworkPolicy goes through admission, and when the admission webhook is
 * down the API server answers after its timeout, with an error (failurePolicy: Fail). The sync must
 * not wait for that, so the reporter only offers the values it wants here; one thread writes the
 * latest value of each policy with a client that does not retry (fabric8 retries server errors
 * with backoff by default, for up to a minute per request), and a failed write is offered again by
 * the next report. Failures are counted and logged once per streak.
 */
final class RealizationAnnotations implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RealizationAnnotations.class);

    private final KubernetesClient client;
    private final Map<String, String> pending = new ConcurrentHashMap<>();
    /** What was written successfully last, per policy: not offered again while the informer catches up. */
    private final Map<String, String> written = new ConcurrentHashMap<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "netfence-annotations");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean failing;

    RealizationAnnotations(KubernetesClient client) {
        Config config = new ConfigBuilder(client.getConfiguration()).withRequestRetryBackoffLimit(0).build();
        this.client = new KubernetesClientBuilder().withConfig(config).build();
    }

    /** The annotation value {@code value} is wanted on {@code namespace/name}. */
    void offer(String key, String value) {
        if (!value.equals(written.get(key))) {
            pending.put(key, value);
        }
    }

    /** Writes what was offered, in the background. */
    void flush() {
        if (!pending.isEmpty() && scheduled.compareAndSet(false, true)) {
            executor.execute(this::drain);
        }
    }

    /** Forgets policies that are gone. */
    void retain(Set<String> keys) {
        written.keySet().retainAll(keys);
    }

    private void drain() {
        scheduled.set(false);
        int failed = 0;
        String first = null;
        for (String key : Set.copyOf(pending.keySet())) {
            String value = pending.remove(key);
            if (value == null) {
                continue;
            }
            int slash = key.indexOf('/');
            try {
                String patch = client.getKubernetesSerialization().asJson(
                        Map.of("metadata", Map.of("annotations", Map.of(ClusterInformers.REALIZATION_ANNOTATION, value))));
                client.network().v1().networkPolicies().inNamespace(key.substring(0, slash)).withName(key.substring(slash + 1))
                        .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
                written.put(key, value);
                writes.incrementAndGet();
            } catch (KubernetesClientException e) {
                written.remove(key);
                if (e.getCode() != 404) {   // 404: deleted meanwhile, nothing to report on
                    failed++;
                    first = first != null ? first : key + ": " + message(e);
                }
            }
        }
        if (failed > 0) {
            failures.addAndGet(failed);
            if (!failing) {
                LOG.warnf("could not write the realization annotation on %d NetworkPolicies (tried again on the next report;"
                        + " rule sets are published regardless), first %s", failed, first);
            }
        } else if (failing) {
            LOG.info("realization annotations written again");
        }
        failing = failed > 0;
    }

    private static String message(KubernetesClientException e) {
        return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getCode() + " " + e.getStatus().getMessage()
                : e.getCode() + " " + e.getMessage();
    }

    long failures() {
        return failures.get();
    }

    long writes() {
        return writes.get();
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        client.close();
    }
}
