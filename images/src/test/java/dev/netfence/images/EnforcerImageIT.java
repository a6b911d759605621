package dev.netfence.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.netfence.crds.NodeRuleSet;
import dev.netfence.crds.manifest.Manifests;
import dev.netfence.crds.ruleset.AddressSetParts;
import dev.netfence.crds.ruleset.NodeRuleSetConverter;
import dev.netfence.lab.Lab;
import dev.netfence.lab.LabEnforcer;
import dev.netfence.lab.LabNode;
import dev.netfence.lab.ReachabilityMatrix;
import dev.netfence.lab.netns.NamespaceExecutor;
import dev.netfence.policy.compile.CompiledCluster;
import dev.netfence.policy.compile.RuleSetCompiler;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Protocol;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The enforcer image as the DaemonSet runs it: one container per lab node, in the node's network
 * namespace (the DaemonSet's hostNetwork), with the bundle's security context (only NET_ADMIN, no
 * privilege escalation, read-only root, RuntimeDefault seccomp) and environment, reading its node's
 * NodeRuleSet from the mock API server; real packets between the demo's pods must match the engine's
 * matrix. Killed with SIGKILL the rules stay in the kernel; restarted, it applies what changed meanwhile.
 */
@EnableKubernetesMockClient(crud = true)
class EnforcerImageIT {
    /** Where each node's loopback forwards to the mock API server (the node's own loopback: nothing is routed). */
    static final int API_PORT = 6443;

    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void theEnforcerImageEnforcesItsNodesRuleSetAndKeepsItAcrossAKill() throws Exception {
        assumeTrue(Podman.unavailableReason().isEmpty(), () -> "skipped: " + Podman.unavailableReason().orElse(""));
        assumeTrue(Lab.prerequisitesMissing().isEmpty(), () -> "skipped: " + Lab.prerequisitesMissing().orElse(""));
        assumeTrue(LabEnforcer.unavailableReason().isEmpty(), () -> "skipped: " + LabEnforcer.unavailableReason().orElse(""));
        assumeTrue(InstallBundle.unavailableReason().isEmpty(), () -> "skipped: " + InstallBundle.unavailableReason().orElse(""));
        BuiltImages.ensure();
        BundleContainer enforcer = new BundleContainer(InstallBundle.render(), "netfence-enforcer", "enforcer");
        assertThat(enforcer.hostNetwork()).as("the DaemonSet runs on the node's network").isTrue();

        MockCluster.installCrds(client);
        Manifests demo = MockCluster.demo();
        ClusterSnapshot shop = demo.snapshot();
        publish(RuleSetCompiler.compile(shop));
        Path serviceAccount = MockCluster.serviceAccount(Files.createTempDirectory("nf-enforcer-sa"), server, "netfence-system");

        List<String> containers = new ArrayList<>();
        long started = 0;
        List<AutoCloseable> forwards = new ArrayList<>();
        Map<String, NamespaceExecutor> nodes = new LinkedHashMap<>();
        Map<String, Path> hosts = new LinkedHashMap<>();
        try (Lab lab = Lab.up(shop)) {
            try {
                for (LabNode node : lab.nodes()) {
                    NamespaceExecutor inNode = new NamespaceExecutor(node.namespace(), 1);
                    nodes.put(node.name(), inNode);
                    forwards.add(inNode);
                    forwards.add(LoopbackForward.open(inNode, API_PORT, null, server.getPort()));
                    String name = "nf-enforcer-" + lab.runId() + "-" + node.name();
                    containers.add(name);
                    started = started == 0 ? System.nanoTime() : started;
                    Path host = nodeHost(node.name());
                    hosts.put(node.name(), host);
                    Podman.podman(enforcer.runArguments(name, "ns:/run/netns/" + node.namespace(),
                            Map.of("spec.nodeName", node.name(), "metadata.name", "netfence-enforcer-" + node.name()),
                            Map.of(), Map.of("/opt/cni/bin", host.resolve("opt/cni/bin"), "/etc/cni/net.d", host.resolve("etc/cni/net.d"),
                                    "/run/netfence", host.resolve("run/netfence")),
                            serviceAccount, MockCluster.API_HOST, API_PORT));
                }
                for (var node : nodes.entrySet()) {
                    awaitApplied(node.getKey(), containerOf(containers, node.getKey()));
                    awaitReady(enforcer, node.getValue(), containerOf(containers, node.getKey()));
                    StartTimes.report("netfence-enforcer", started, containerOf(containers, node.getKey()));
                    ContainerAssertions.confined(containerOf(containers, node.getKey()), "0", ContainerAssertions.NET_ADMIN_ONLY);
                    assertCniPluginInstalled(hosts.get(node.getKey()));
                }
                assertMatchesEngine(lab, shop);

                // SIGKILL: no shutdown hook runs; the kernel keeps the table, so the pods stay isolated
                String killed = containerOf(containers, "node-2");
                Podman.podman("kill", "--signal", "KILL", killed);
                await().atMost(Duration.ofSeconds(20)).until(() ->
                        !Podman.inspectContainer(killed).at("/State/Running").asBoolean());
                assertMatchesEngine(lab, shop);

                // while it is down a change is published as the operator would (api-to-db goes); restarted, it applies it
                ClusterSnapshot withoutApiToDb = shop.toBuilder().removePolicy("shop", "api-to-db").build();
                publish(RuleSetCompiler.compile(withoutApiToDb));
                long restarted = System.nanoTime();
                Podman.podman("start", killed);
                awaitApplied("node-2", killed);
                awaitApplied("node-1", containerOf(containers, "node-1"));
                awaitReady(enforcer, nodes.get("node-2"), killed);
                StartTimes.report("netfence-enforcer (restart after SIGKILL, change applied)", restarted, killed);
                assertMatchesEngine(lab, withoutApiToDb);
                assertThat(lab.measure(5432, Protocol.TCP).allowed("shop/api", "shop-data/db")).isFalse();
            } finally {
                // the containers go before their nodes' namespaces do
                for (String c : containers) {
                    System.out.println("---- " + c + "\n" + Podman.logs(c));
                    Podman.remove(c);
                }
                for (AutoCloseable f : forwards) {
                    f.close();
                }
            }
        }
    }

    /**
     * What stands for a node's file system: /opt/cni/bin (empty) and /etc/cni/net.d with a routed
     * conflist as Debian's containernetworking-plugins make it (ptp + host-local), the directories
     * the DaemonSet mounts from the host.
     */
    private static Path nodeHost(String node) throws java.io.IOException {
        Path host = Files.createTempDirectory("nf-host-" + node);
        Files.createDirectories(host.resolve("opt/cni/bin"));
        Files.createDirectories(host.resolve("etc/cni/net.d"));
        Files.writeString(host.resolve("etc/cni/net.d/10-pods.conflist"), """
                {"cniVersion": "1.0.0", "name": "pods", "plugins": [
                  {"type": "ptp", "ipMasq": false, "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.244.1.0/24"}]]}}
                ]}
                """);
        return host;
    }

    /** The enforcer installed the CNI plugin from its image on the node: the binary, chained last in the conflist, its socket. */
    private static void assertCniPluginInstalled(Path host) throws java.io.IOException {
        Path binary = host.resolve("opt/cni/bin/netfence");
        assertThat(binary).isRegularFile().isExecutable();
        List<String> types = new ArrayList<>();
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(host.resolve("etc/cni/net.d/10-pods.conflist").toFile())
                .path("plugins").forEach(p -> types.add(p.path("type").asText()));
        assertThat(types).containsExactly("ptp", "netfence");
        assertThat(host.resolve("run/netfence/cni.sock")).exists();
    }

    private static String containerOf(List<String> containers, String node) {
        return containers.stream().filter(c -> c.endsWith("-" + node)).findFirst().orElseThrow();
    }

    /** Writes the compiled rule sets as the operator's publisher does: AddressSets first, then each NodeRuleSet. */
    private void publish(CompiledCluster compiled) {
        compiled.addressSets().values().forEach(set -> AddressSetParts.split(set).forEach(p -> client.resource(p).createOr(NonDeletingOperation::update)));
        compiled.nodes().values().forEach(rs -> {
            NodeRuleSet desired = NodeRuleSetConverter.toResource(rs);
            NodeRuleSet existing = client.resources(NodeRuleSet.class).withName(desired.getMetadata().getName()).get();
            if (existing == null) {
                client.resource(desired).create();
            } else {
                existing.setSpec(desired.getSpec());    // the spec only: the status is the enforcer's
                client.resource(existing).update();
            }
        });
    }

    /** The node's NodeRuleSet status reports the published spec's hash, written by the container. */
    private void awaitApplied(String node, String container) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).failFast(() -> Podman.assertRunning(container))
                .until(() -> {
                    NodeRuleSet rs = client.resources(NodeRuleSet.class).withName(node).get();
                    return rs != null && rs.getStatus() != null && rs.getSpec().contentHash.equals(rs.getStatus().appliedHash);
                });
        assertThat(client.resources(NodeRuleSet.class).withName(node).get().getStatus().error).isNull();
    }

    /** The readiness probe as the kubelet sends it on a host-network pod: HTTP on the node's 127.0.0.1. */
    private static void awaitReady(BundleContainer enforcer, NamespaceExecutor inNode, String container) throws Exception {
        HTTPGetAction ready = enforcer.readiness();
        assertThat(ready.getHost()).isEqualTo("127.0.0.1");
        int port = enforcer.port(ready.getPort());
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .failFast(() -> Podman.assertRunning(container))
                .until(() -> Http.get(inNode, ready.getHost(), port, ready.getPath()) == 200);
        HTTPGetAction live = enforcer.liveness();
        assertThat(Http.get(inNode, live.getHost(), enforcer.port(live.getPort()), live.getPath())).isEqualTo(200);
    }

    private static void assertMatchesEngine(Lab lab, ClusterSnapshot snapshot) {
        for (Object[] port : EngineMatrix.DEMO_PORTS) {
            ReachabilityMatrix measured = lab.measure((Integer) port[0], (Protocol) port[1]);
            assertThat(measured.differences(EngineMatrix.predicted(snapshot, measured)))
                    .as("measured vs engine on %s/%s:\n%s", port[0], port[1], measured).isEmpty();
        }
    }
}
