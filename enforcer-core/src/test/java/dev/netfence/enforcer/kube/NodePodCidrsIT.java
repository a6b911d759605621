package dev.netfence.enforcer.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netfence.policy.net.Cidr;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The enforcer's own Node's pod CIDRs, from an informer against the mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class NodePodCidrsIT {
    KubernetesClient client;

    @Test
    void readsItsOwnNodesPodCidrsBeforeReturningAndOnlyItsOwn() {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("n1").endMetadata()
                .withNewSpec().withPodCIDR("10.244.1.0/24").withPodCIDRs("10.244.1.0/24", "fd00:10:244:1::/64").endSpec()
                .build()).create();
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("n2").endMetadata()
                .withNewSpec().withPodCIDRs("10.244.2.0/24").endSpec().build()).create();
        try (NodePodCidrs cidrs = NodePodCidrs.watch(client, "n1")) {
            assertThat(cidrs.current()).containsExactly(Cidr.parse("10.244.1.0/24"), Cidr.parse("fd00:10:244:1::/64"));
        }
    }

    @Test
    void aNodeThatGetsItsRangeLaterIsReportedOnce() {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("n1").endMetadata().build()).create();
        List<List<Cidr>> seen = new CopyOnWriteArrayList<>();
        try (NodePodCidrs cidrs = NodePodCidrs.watch(client, "n1")) {
            assertThat(cidrs.current()).isEmpty();
            cidrs.onChange(seen::add);
            // the node IPAM controller assigns the range (the API server allows it once, from empty)
            client.nodes().withName("n1").edit(n -> new NodeBuilder(n).editOrNewSpec().withPodCIDR("10.244.7.0/24")
                    .withPodCIDRs("10.244.7.0/24").endSpec().build());
            await().atMost(Duration.ofSeconds(10)).until(() -> !seen.isEmpty());
            assertThat(cidrs.current()).containsExactly(Cidr.parse("10.244.7.0/24"));
            // a later update of something else: no new report
            client.nodes().withName("n1").edit(n -> new NodeBuilder(n).editMetadata().addToLabels("x", "y").endMetadata()
                    .build());
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> seen.size() == 1);
        }
    }

    @Test
    void theOlderSinglePodCidrAndABadValue() {
        assertThat(NodePodCidrs.parse(new NodeBuilder().withNewMetadata().withName("n").endMetadata()
                .withNewSpec().withPodCIDR("10.1.0.0/16").endSpec().build())).containsExactly(Cidr.parse("10.1.0.0/16"));
        assertThat(NodePodCidrs.parse(new NodeBuilder().withNewMetadata().withName("n").endMetadata()
                .withNewSpec().withPodCIDRs("not-a-cidr", "10.2.0.0/16").endSpec().build()))
                .containsExactly(Cidr.parse("10.2.0.0/16"));
        assertThat(NodePodCidrs.parse(new NodeBuilder().withNewMetadata().withName("n").endMetadata().build())).isEmpty();
    }
}
