package dev.netfence.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.netfence.crds.NodeRuleSet;
import dev.netfence.crds.adapter.ModelAdapter;
import dev.netfence.enforcer.kube.KubernetesEnforcer;
import dev.netfence.enforcer.loop.EnforcerLoop;
import dev.netfence.enforcer.loop.EnforcerObserver;
import dev.netfence.enforcer.loop.EnforcerSettings;
import dev.netfence.operator.OperatorSettings;
import dev.netfence.operator.OperatorRuntime;
import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.eval.Flow;
import dev.netfence.policy.eval.PolicyEngine;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.ContainerPort;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.Protocol;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * End to end: cluster objects in a mock API server (CRUD mode) → the operator compiles and
 * publishes NodeRuleSets and AddressSets → each lab node's enforcer reads its own through the
 * Kubernetes source and applies it with libnftables in the node's network namespace → real TCP
 * probes between the lab's pods, which must match the engine's verdicts; then a policy change
 * travels the same way; then ClusterNetworkPolicies of both tiers (Admin Deny, Baseline Deny), measured
 * against the engine, and their status conditions written from what the enforcers applied.
 */
@EnableKubernetesMockClient(crud = true)
class OperatorToDatapathIT {

    KubernetesClient client;

    /** y/a accepts TCP only from namespace x. */
    static NetworkPolicy yaFromX() {
        return new NetworkPolicyBuilder().withNewMetadata().withNamespace("y").withName("a-from-x").endMetadata()
                .withNewSpec().withPodSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("pod", "a")).build())
                .withPolicyTypes("Ingress")
                .addNewIngress().addNewFrom().withNamespaceSelector(new LabelSelectorBuilder()
                        .withMatchLabels(Map.of("kubernetes.io/metadata.name", "x")).build()).endFrom()
                .addNewPort().withProtocol("TCP").withNewPort(80).endPort().endIngress().endSpec().build();
    }

    static io.fabric8.kubernetes.api.model.Pod toKubernetes(Pod p) {
        PodBuilder b = new PodBuilder().withNewMetadata().withNamespace(p.namespace()).withName(p.name())
                .withLabels(p.labels()).endMetadata()
                .withNewSpec().withNodeName(p.nodeName()).addNewContainer().withName("serve").withImage("lab").endContainer().endSpec();
        var status = b.withNewStatus().withPodIP(p.ips().get(0).toString());
        p.ips().forEach(ip -> status.addNewPodIP().withIp(ip.toString()).endPodIP());
        io.fabric8.kubernetes.api.model.Pod pod = status.endStatus().build();
        for (ContainerPort cp : p.ports()) {
            pod.getSpec().getContainers().get(0).getPorts().add(new io.fabric8.kubernetes.api.model.ContainerPortBuilder()
                    .withName(cp.name()).withContainerPort(cp.port()).withProtocol(cp.protocol().name()).build());
        }
        return pod;
    }

    @Test
    void policiesPublishedByTheOperatorAreEnforcedOnTheNodes() throws Exception {
        assumeTrue(Lab.prerequisitesMissing().isEmpty(), () -> "skipped: " + Lab.prerequisitesMissing().orElse(""));
        assumeTrue(LabEnforcer.unavailableReason().isEmpty(), () -> "skipped: " + LabEnforcer.unavailableReason().orElse(""));
        for (String f : List.of("noderulesets.netfence.dev-v1.yml", "addresssets.netfence.dev-v1.yml",
                "defaultdenies.netfence.dev-v1.yml",
                // the cluster serves ClusterNetworkPolicy v1beta1 (the CRD generated from crds/' classes for tests)
                "target/test-crds/clusternetworkpolicies.policy.networking.k8s.io-v1.yml")) {
            try (InputStream in = Files.newInputStream(Path.of("..", "crds", f))) {
                client.resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class)).create();
            }
        }
        ClusterSnapshot cluster = LabFixtures.twoNodes();
        cluster.namespaces().forEach(n -> client.resource(new NamespaceBuilder().withNewMetadata().withName(n.name())
                .withLabels(n.labels()).endMetadata().build()).create());
        cluster.nodes().forEach(n -> client.resource(new NodeBuilder().withNewMetadata().withName(n.name()).endMetadata()
                .withNewStatus().addNewAddress().withType("InternalIP").withAddress(n.ips().get(0).toString()).endAddress()
                .endStatus().build()).create());
        cluster.pods().forEach(p -> client.resource(toKubernetes(p)).create());
        client.resource(yaFromX()).create();

        OperatorRuntime operator = new OperatorRuntime(client, OperatorSettings.DEFAULTS, new SimpleMeterRegistry());
        System.out.println("operator settings (production defaults): " + OperatorSettings.DEFAULTS.describe());
        Map<String, EnforcerLoop> enforcers = new HashMap<>();
        try (Lab lab = Lab.up(cluster)) {
            operator.start();
            for (LabNode node : lab.nodes()) {
                // the enforcer's core loop with the DaemonSet's defaults; kernel calls in the node's namespace
                enforcers.put(node.name(), KubernetesEnforcer.create(EnforcerSettings.defaults(node.name()), client,
                        "netfence-enforcer-" + node.name(), lab.inNode(node.name()), EnforcerObserver.NONE).start());
            }
            ClusterSnapshot withPolicy = cluster.toBuilder().policy(ModelAdapter.networkPolicy(yaFromX())).build();
            await().atMost(Duration.ofSeconds(20)).until(() -> client.resources(NodeRuleSet.class).withName("node-b").get() != null
                    && !client.resources(NodeRuleSet.class).withName("node-b").get().getSpec().policies.isEmpty());
            enforced(enforcers);
            assertMatchesEngine(lab.measure(80, Protocol.TCP), withPolicy);
            assertThat(lab.measure(80, Protocol.TCP).allowed("z/c", "y/a")).isFalse();
            assertThat(lab.measure(80, Protocol.TCP).allowed("x/b", "y/a")).isTrue();

            // the policy goes: the operator publishes node-b's rule set without policies (its pods still listed,
            // none isolated), the enforcer applies it
            client.network().v1().networkPolicies().inNamespace("y").withName("a-from-x").delete();
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    client.resources(NodeRuleSet.class).withName("node-b").get().getSpec().policies.isEmpty());
            enforced(enforcers);
            assertMatchesEngine(lab.measure(80, Protocol.TCP), cluster);
            assertThat(lab.measure(80, Protocol.TCP).allowed("z/c", "y/a")).isTrue();

            // issue 16: ClusterNetworkPolicies of both tiers travel the same way (operator's informers, the nodes'
            // tier chains) and their status reports the enforcers
            var guard = cnp(ADMIN_Y_FROM_Z);
            var baseline = cnp(BASELINE_X);
            client.resource(guard).create();
            client.resource(baseline).create();
            ClusterSnapshot withTiers = cluster.toBuilder()
                    .clusterPolicy(dev.netfence.crds.adapter.ClusterPolicyAdapter.clusterNetworkPolicy(guard))
                    .clusterPolicy(dev.netfence.crds.adapter.ClusterPolicyAdapter.clusterNetworkPolicy(baseline)).build();
            await().atMost(Duration.ofSeconds(20)).until(() -> List.of("node-a", "node-b").stream().allMatch(n ->
                    client.resources(NodeRuleSet.class).withName(n).get().getSpec().policies.stream()
                            .anyMatch(pol -> pol.id.startsWith("ClusterNetworkPolicy/"))));
            enforced(enforcers);
            ReachabilityMatrix tiers = lab.measure(80, Protocol.TCP);
            assertMatchesEngine(tiers, withTiers);
            assertThat(tiers.allowed("z/c", "y/a")).as("Admin Deny from z").isFalse();
            assertThat(tiers.allowed("x/b", "y/a")).isTrue();
            assertThat(tiers.allowed("y/b", "x/a")).as("Baseline Deny into x").isFalse();
            assertThat(tiers.allowed("x/b", "x/a")).as("Baseline Deny into x, same node").isFalse();
            for (String name : List.of("y-from-z", "x-default-deny")) {
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    var status = client.resources(dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy.class)
                            .withName(name).get().getStatus();
                    return status != null && status.conditions != null && status.conditions.stream()
                            .anyMatch(c -> c.type.equals("netfence.dev/Enforced") && c.status.equals("True"));
                });
            }
        } finally {
            enforcers.values().forEach(EnforcerLoop::close);
            operator.stop();
        }
    }

    /** Admin: y's pods accept nothing from z's. */
    static final String ADMIN_Y_FROM_Z = ingressDeny("y-from-z", "Admin", 10, "y", "deny-from-z",
            "{matchLabels: {kubernetes.io/metadata.name: z}}");

    /** Baseline: x's pods accept nothing from any pod (no NetworkPolicy selects them, so Baseline decides). */
    static final String BASELINE_X = ingressDeny("x-default-deny", "Baseline", 100, "x", "deny-all", "{}");

    static String ingressDeny(String name, String tier, int priority, String subjectNamespace, String rule, String from) {
        return """
                apiVersion: policy.networking.k8s.io/v1beta1
                kind: ClusterNetworkPolicy
                metadata: {name: %s}
                spec:
                  tier: %s
                  priority: %d
                  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: %s}}}
                  ingress:
                  - name: %s
                    action: Deny
                    from: [{namespaces: %s}]
                """.formatted(name, tier, priority, subjectNamespace, rule, from);
    }

    static dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy cnp(String yaml) {
        return io.fabric8.kubernetes.client.utils.Serialization.unmarshal(yaml, dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy.class);
    }

    /** Waits until every node's enforcer reports (in its NodeRuleSet status) the operator's latest rule set. */
    private void enforced(Map<String, EnforcerLoop> enforcers) {
        for (String node : enforcers.keySet()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                NodeRuleSet published = client.resources(NodeRuleSet.class).withName(node).get();
                return published != null && published.getStatus() != null
                        && published.getSpec().contentHash.equals(published.getStatus().appliedHash)
                        && published.getSpec().contentHash.equals(enforcers.get(node).state().ruleSetHash());
            });
        }
    }

    private static void assertMatchesEngine(ReachabilityMatrix measured, ClusterSnapshot snapshot) {
        PolicyEngine engine = new PolicyEngine(snapshot);
        for (String from : measured.pods()) {
            for (String to : measured.pods()) {
                Pod src = snapshot.pods().stream().filter(p -> p.key().equals(from)).findFirst().orElseThrow();
                Pod dst = snapshot.pods().stream().filter(p -> p.key().equals(to)).findFirst().orElseThrow();
                boolean expected = engine.allowed(new Flow(Endpoint.of(src), Endpoint.of(dst), Protocol.TCP, 80));
                assertThat(measured.allowed(from, to)).as(from + " -> " + to).isEqualTo(expected);
            }
        }
    }
}
