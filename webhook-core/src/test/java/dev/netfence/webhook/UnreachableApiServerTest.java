package dev.netfence.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netfence.cluster.ClusterChange.Kind;
import dev.netfence.cluster.ClusterInformers;
import dev.netfence.cluster.ClusterModel;
import dev.netfence.cluster.ClusterSettings;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, finding 6: an unreachable API server made the webhook exit. The informers now start
 * without waiting and keep retrying; the webhook stays up, not synced and not watching (its
 * readiness check reports both), so the Service routes around it until the API server is back.
 */
class UnreachableApiServerTest {

    @Test
    void startingAgainstAnUnreachableApiServerIsNotReadyNotAnError() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();   // free once closed: nothing listens there
        }
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl("https://127.0.0.1:" + closedPort).withTrustCerts(true).withRequestRetryBackoffLimit(0)
                .build()).build()) {
            ClusterModel model = new ClusterModel(ClusterSettings.DEFAULTS);
            ClusterInformers informers = new ClusterInformers(client, model,
                    EnumSet.of(Kind.NAMESPACE, Kind.POD, Kind.NETWORK_POLICY, Kind.DEFAULT_DENY, Kind.CRITICAL_FLOW));
            informers.start();   // returns: does not wait for the first list
            try (ClusterViewPublisher views = new ClusterViewPublisher(model, informers::synced, Duration.ofMillis(50))) {
                // several failed list attempts: never synced, never watching, no view published
                await().during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(5))
                        .until(() -> !informers.synced() && !informers.watching() && !views.synced());
                assertThat(informers.synced()).isFalse();
                assertThat(informers.watching()).isFalse();
                assertThat(views.synced()).isFalse();
            } finally {
                informers.stop();
            }
        }
    }
}
