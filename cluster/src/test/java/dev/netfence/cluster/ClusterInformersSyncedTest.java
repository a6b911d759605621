package dev.netfence.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netfence.cluster.ClusterChange.Kind;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * "Synced" is a fact about the start (the informers have listed and the model holds the list), not a
 * state that pod churn switches off and on. Before, {@code synced()} compared every pod of the pod
 * store with what the handler had put: false for a moment after each pod update (the store is
 * written before the handler runs), so under churn the webhook's publisher and the operator's sync
 * found the cluster "not listed" and postponed their work, and each call walked every pod (at
 * 150,000 pods the webhook's largest cost per published view). Mock API server in CRUD mode.
 */
@EnableKubernetesMockClient(crud = true)
class ClusterInformersSyncedTest {

    KubernetesClient client;

    @Test
    void syncedStaysTrueWhilePodsChange() throws Exception {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build()).create();
        for (int i = 0; i < 20; i++) {
            client.pods().inNamespace("shop").resource(pod(i, "v0")).create();
        }
        ClusterModel model = new ClusterModel(ClusterSettings.DEFAULTS);
        ClusterInformers informers = new ClusterInformers(client, model, EnumSet.of(Kind.NAMESPACE, Kind.POD));
        informers.start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(informers::synced);
            assertThat(model.podCount()).isEqualTo(20);

            AtomicBoolean done = new AtomicBoolean();
            AtomicInteger notSynced = new AtomicInteger();
            AtomicInteger checks = new AtomicInteger();
            Thread watcher = new Thread(() -> {
                while (!done.get()) {
                    if (!informers.synced()) {
                        notSynced.incrementAndGet();
                    }
                    checks.incrementAndGet();
                    java.util.concurrent.locks.LockSupport.parkNanos(50_000);   // often, without taking a core from the informers
                }
            });
            watcher.start();
            for (int round = 1; round <= 10; round++) {
                for (int i = 0; i < 20; i++) {
                    client.pods().inNamespace("shop").resource(pod(i, "v" + round)).update();
                }
            }
            // every update reached the model: the last label of every pod
            await().atMost(Duration.ofSeconds(20)).until(() -> model.snapshot().pods().stream()
                    .allMatch(p -> "v10".equals(p.labels().get("rev"))));
            done.set(true);
            watcher.join();
            assertThat(checks.get()).isPositive();
            assertThat(notSynced.get()).as("synced() answered false during pod updates, of %d checks", checks.get()).isZero();
        } finally {
            informers.stop();
        }
        assertThat(informers.synced()).as("after stop, listed again only after a new start").isFalse();
    }

    private static Pod pod(int i, String rev) {
        return new PodBuilder().withNewMetadata().withNamespace("shop").withName("pod-" + i)
                .addToLabels("app", "a" + (i % 3)).addToLabels("rev", rev).endMetadata()
                .withNewSpec().withNodeName("node-1").addNewContainer().withName("main").withImage("example").endContainer()
                .endSpec().withNewStatus().withPodIP("10.0.0." + (i + 1)).addNewPodIP("10.0.0." + (i + 1)).endStatus().build();
    }
}
