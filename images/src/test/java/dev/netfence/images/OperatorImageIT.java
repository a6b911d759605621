package dev.netfence.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.netfence.crds.AddressSet;
import dev.netfence.crds.NodeRuleSet;
import dev.netfence.crds.manifest.Manifests;
import dev.netfence.lab.Lab;
import dev.netfence.policy.compile.CompiledCluster;
import dev.netfence.policy.compile.RuleSetCompiler;
import dev.netfence.policy.model.ClusterSnapshot;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The operator image as its Deployment runs it (non-root, no capability, read-only root,
 * RuntimeDefault seccomp, the bundle's environment), in a network namespace of its own, connected
 * to the mock API server holding the demo's shop: it becomes ready, takes the Lease, and publishes
 * for every node the NodeRuleSet the compiler computes from the same objects; a policy deleted is
 * published too.
 */
@EnableKubernetesMockClient(crud = true)
class OperatorImageIT {
    static final int API_PORT = 6443;

    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void theOperatorImagePublishesTheNodeRuleSetsTheCompilerComputes() throws Exception {
        assumeTrue(Podman.unavailableReason().isEmpty(), () -> "skipped: " + Podman.unavailableReason().orElse(""));
        assumeTrue(Lab.prerequisitesMissing().isEmpty(), () -> "skipped: " + Lab.prerequisitesMissing().orElse(""));
        assumeTrue(InstallBundle.unavailableReason().isEmpty(), () -> "skipped: " + InstallBundle.unavailableReason().orElse(""));
        BuiltImages.ensure();
        BundleContainer operator = new BundleContainer(InstallBundle.render(), "netfence-operator", "operator");
        MockCluster.installCrds(client);
        Manifests demo = MockCluster.demo();
        MockCluster.createDemo(client, demo);
        ClusterSnapshot shop = demo.snapshot();
        Path serviceAccount = MockCluster.serviceAccount(Files.createTempDirectory("nf-operator-sa"), server, "netfence-system");

        String name = null;
        try (PodNamespace pod = new PodNamespace();
                LoopbackForward api = LoopbackForward.open(pod.executor, API_PORT, null, server.getPort())) {
            name = pod.name + "-operator";
            long started = System.nanoTime();
            Podman.podman(operator.runArguments(name, pod.network(),
                    Map.of("metadata.namespace", "netfence-system", "metadata.name", "netfence-operator-7d9c5-x2x4q"),
                    Map.of(), serviceAccount, MockCluster.API_HOST, API_PORT));
            String container = name;
            HTTPGetAction ready = operator.readiness();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                    .failFast(() -> Podman.assertRunning(container))
                    .until(() -> Http.get(pod.executor, "127.0.0.1", operator.port(ready.getPort()), ready.getPath()) == 200);
            StartTimes.report("netfence-operator", started, name);
            ContainerAssertions.confined(container, "10001", ContainerAssertions.NO_CAPABILITY);
            HTTPGetAction live = operator.liveness();
            assertThat(Http.get(pod.executor, "127.0.0.1", operator.port(live.getPort()), live.getPath())).isEqualTo(200);

            awaitPublished(RuleSetCompiler.compile(shop), container);
            assertThat(client.leases().inNamespace("netfence-system").withName("netfence-operator").get().getSpec()
                    .getHolderIdentity()).isEqualTo("netfence-operator-7d9c5-x2x4q");

            client.network().v1().networkPolicies().inNamespace("shop").withName("api-to-db").delete();
            awaitPublished(RuleSetCompiler.compile(shop.toBuilder().removePolicy("shop", "api-to-db").build()), container);
        } finally {
            if (name != null) {
                System.out.println("---- " + name + "\n" + Podman.logs(name));
                Podman.remove(name);
            }
        }
    }

    /** Every node's NodeRuleSet carries the compiler's hash, and every AddressSet it names exists. */
    private void awaitPublished(CompiledCluster expected, String container) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .failFast(() -> Podman.assertRunning(container))
                .untilAsserted(() -> {
                    for (var node : expected.nodes().entrySet()) {
                        NodeRuleSet published = client.resources(NodeRuleSet.class).withName(node.getKey()).get();
                        assertThat(published).as("NodeRuleSet " + node.getKey()).isNotNull();
                        assertThat(published.getSpec().contentHash).as("NodeRuleSet " + node.getKey())
                                .isEqualTo(node.getValue().contentHash());
                    }
                    for (String set : expected.addressSets().keySet()) {
                        assertThat(client.resources(AddressSet.class).withLabel("netfence.dev/address-set", set).list().getItems())
                                .as("AddressSet " + set).isNotEmpty();
                    }
                });
    }
}
