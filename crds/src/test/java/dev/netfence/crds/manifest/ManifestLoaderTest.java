package dev.netfence.crds.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.eval.Flow;
import dev.netfence.policy.eval.PolicyEngine;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.ContainerPort;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.IpBlock;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.ObjectRef;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.PolicyPort;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ManifestLoaderTest {

    static Path resource(String name) {
        try {
            return Path.of(ManifestLoaderTest.class.getResource("/manifests/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final Path CLUSTER = resource("cluster");
    private static final Manifests LOADED = ManifestLoader.load(CLUSTER);

    private static ManifestObject object(String kind, String namespace, String name) {
        return LOADED.objects().stream().filter(o -> o.ref().equals(new ObjectRef(kind, namespace, name)))
                .findFirst().orElseThrow(() -> new AssertionError("not loaded: " + kind + " " + namespace + "/" + name));
    }

    @Test
    void readsDirectoriesRecursivelyInPathOrderSkippingFilesThatAreNotManifests() {
        assertThat(LOADED.objects()).extracting(o -> CLUSTER.relativize(o.file()).toString() + ":" + o.line() + " " + o.ref())
                .containsExactly(
                        "more/defaultdeny.yaml:1 DefaultDeny x/lockdown",
                        "more/defaultdeny.yaml:13 DefaultDeny y/defaults",
                        "more/other-kinds.yaml:8 Service x/web",
                        "more/policies.yml:2 NetworkPolicy y/allow-a-to-b",
                        "more/policies.yml:29 NetworkPolicy x/deny-ingress",
                        "more/policies.yml:40 NetworkPolicy default/egress-to-net",
                        "namespaces.yaml:3 Namespace x",
                        "namespaces.yaml:11 Namespace y",
                        "nodes.json:1 Node node-1",
                        "pods.yaml:4 Pod x/a",
                        "pods.yaml:27 Pod y/b",
                        "pods.yaml:43 Pod x/agent");
    }

    @Test
    void otherKindsAreIgnoredWithANote() {
        assertThat(LOADED.notes()).extracting(n -> CLUSTER.relativize(n.file()) + ":" + n.line() + " " + n.message())
                .containsExactly(
                        "more/other-kinds.yaml:1 ignored ConfigMap x/web: netfence reads only Namespace, Pod, Node, "
                                + "Service, EndpointSlice (discovery.k8s.io/v1), NetworkPolicy (networking.k8s.io/v1), "
                                + "ClusterNetworkPolicy (policy.networking.k8s.io/v1beta1), DefaultDeny and CriticalFlow (netfence.dev/v1alpha1), and the workloads Deployment, "
                                + "StatefulSet, DaemonSet, ReplicaSet (apps/v1), Job and CronJob (batch/v1)");
    }

    @Test
    void podsKeepTheirAddressesNodeHostNetworkAndNamedPorts() {
        Pod a = object("Pod", "x", "a").model(Pod.class).orElseThrow();
        assertThat(a.ips()).containsExactly(IpAddress.parse("10.0.1.10"), IpAddress.parse("fd00::1:10"));
        assertThat(a.nodeName()).isEqualTo("node-1");
        assertThat(a.hostNetwork()).isFalse();
        assertThat(a.labels()).isEqualTo(Map.of("pod", "a"));
        assertThat(a.ports()).containsExactly(new ContainerPort("serve-80-tcp", 80, Protocol.TCP),
                new ContainerPort("serve-81-udp", 81, Protocol.UDP));

        Pod b = object("Pod", "y", "b").model(Pod.class).orElseThrow();
        assertThat(b.ips()).as("status.podIP when podIPs is absent").containsExactly(IpAddress.parse("10.0.2.11"));
        assertThat(b.ports()).containsExactly(new ContainerPort(null, 80, Protocol.TCP));

        Pod agent = object("Pod", "x", "agent").model(Pod.class).orElseThrow();
        assertThat(agent.hostNetwork()).isTrue();
    }

    @Test
    void nodesKeepInternalAndExternalAddressesFromJson() {
        Node node = object("Node", null, "node-1").model(Node.class).orElseThrow();
        assertThat(node.ips()).containsExactly(IpAddress.parse("192.168.0.1"), IpAddress.parse("203.0.113.7"));
    }

    @Test
    void namespacesGetTheirLabelsAndTheNameLabel() {
        var y = object("Namespace", null, "y").model(dev.netfence.policy.model.Namespace.class).orElseThrow();
        assertThat(y.labels()).isEqualTo(Map.of("ns", "y", "team", "blue", "kubernetes.io/metadata.name", "y"));
    }

    @Test
    void networkPolicyPeersAndPortsAreKeptAsWritten() {
        NetworkPolicy np = object("NetworkPolicy", "y", "allow-a-to-b").model(NetworkPolicy.class).orElseThrow();
        assertThat(np.podSelector()).isEqualTo(LabelSelector.of("pod", "b"));
        assertThat(np.policyTypes()).isNull();
        assertThat(np.egress()).as("absent egress").isNull();
        assertThat(np.annotations()).containsEntry("owner", "team-blue");
        assertThat(np.ingress()).hasSize(1);
        assertThat(np.ingress().get(0).peers()).containsExactly(
                new Peer(LabelSelector.of("pod", "a"), LabelSelector.of("ns", "x"), null),
                new Peer(LabelSelector.ALL, null, null));
        assertThat(np.ingress().get(0).ports()).containsExactly(
                new PolicyPort(null, null, "serve-80-tcp", null),
                new PolicyPort("UDP", 1000, null, 2000));
    }

    @Test
    void anExplicitEmptyIngressListStaysEmptyAndAbsentStaysNull() {
        NetworkPolicy deny = object("NetworkPolicy", "x", "deny-ingress").model(NetworkPolicy.class).orElseThrow();
        assertThat(deny.ingress()).isNotNull().isEmpty();
        assertThat(deny.egress()).isNull();
        assertThat(deny.policyTypes()).containsExactly("Ingress");
    }

    @Test
    void objectsWithoutNamespaceGoToDefaultAndExpressionsAndIpBlocksAreRead() {
        NetworkPolicy np = object("NetworkPolicy", "default", "egress-to-net").model(NetworkPolicy.class).orElseThrow();
        assertThat(np.podSelector().matchExpressions())
                .containsExactly(new LabelSelector.Requirement("app", "In", List.of("web", "api")));
        assertThat(np.ingress()).isNull();
        assertThat(np.egress().get(0).peers())
                .containsExactly(new Peer(null, null, new IpBlock("10.0.0.0/8", List.of("10.0.3.0/24"))));
        assertThat(np.effectiveTypes()).containsExactlyInAnyOrder(Direction.INGRESS, Direction.EGRESS);
    }

    @Test
    void defaultDeniesKeepTheirSettingsAndDefaults() {
        DefaultDeny lockdown = object("DefaultDeny", "x", "lockdown").model(DefaultDeny.class).orElseThrow();
        assertThat(lockdown.policyTypes()).containsExactly(Direction.EGRESS);
        assertThat(lockdown.allowDNS()).isTrue();
        assertThat(lockdown.allowSameNamespace()).isTrue();
        assertThat(lockdown.exemptPodSelector()).isEqualTo(LabelSelector.of("role", "monitoring"));

        DefaultDeny defaults = object("DefaultDeny", "y", "defaults").model(DefaultDeny.class).orElseThrow();
        assertThat(defaults.policyTypes()).isEqualTo(Set.of(Direction.INGRESS, Direction.EGRESS));
        assertThat(defaults.allowDNS()).isTrue();
        assertThat(defaults.allowSameNamespace()).isFalse();
        assertThat(defaults.exemptPodSelector()).isNull();
    }

    @Test
    void theSnapshotHoldsEverythingAndTheEngineEvaluatesIt() {
        ClusterSnapshot snapshot = LOADED.snapshot();
        assertThat(snapshot.namespaces()).hasSize(2);
        assertThat(snapshot.pods()).hasSize(3);
        assertThat(snapshot.nodes()).hasSize(1);
        assertThat(snapshot.policies()).hasSize(3);
        assertThat(snapshot.defaultDenies()).hasSize(2);

        PolicyEngine engine = new PolicyEngine(snapshot);
        Pod a = snapshot.pod("x", "a").orElseThrow();
        Pod b = snapshot.pod("y", "b").orElseThrow();
        // x/a egress: DefaultDeny x/lockdown isolates egress and allows only same-namespace and DNS
        assertThat(engine.allowed(new Flow(Endpoint.of(a), Endpoint.of(b), Protocol.TCP, 80))).isFalse();
        // y/b -> x/a: x/deny-ingress isolates x/a for ingress with no rules
        assertThat(engine.allowed(new Flow(Endpoint.of(b), Endpoint.of(a), Protocol.TCP, 80))).isFalse();
    }

    @Test
    void criticalFlowsAreReadForTheAnalysesButStayOutOfTheSnapshot() {
        Manifests m = ManifestLoader.load(resource("criticalflow"));
        assertThat(m.notes()).isEmpty();
        assertThat(m.objects()).singleElement().satisfies(o -> {
            assertThat(o.ref()).isEqualTo(new ObjectRef("CriticalFlow", null, "dns"));
            assertThat(o.line()).isEqualTo(5);
            var flow = o.model(dev.netfence.policy.analysis.CriticalFlow.class).orElseThrow();
            assertThat(flow.name()).isEqualTo("dns");
        });
        assertThat(m.objectsOf(dev.netfence.policy.analysis.CriticalFlow.class)).hasSize(1);
        assertThat(m.snapshot().pods()).isEmpty();
    }

    @Test
    void fieldLinesPointIntoTheObject() {
        ManifestObject np = object("NetworkPolicy", "y", "allow-a-to-b");
        assertThat(np.fields().lineOf("spec.ingress[0].from[0].podSelector")).isEqualTo(18);
        assertThat(np.fields().lineOf("spec.ingress[0].from[1].podSelector")).isEqualTo(21);
        assertThat(np.fields().lineOf("spec.ingress[0].from[0]+ports[0]")).isEqualTo(15);
        assertThat(np.fields().lineOf("spec.ingress[0].ports[1].endPort")).isEqualTo(26);
        assertThat(np.fields().lineOf("spec.podSelector.matchLabels[pod]")).isEqualTo(12);
        assertThat(np.fields().lineOf("spec.egress[0].to[0]")).as("absent field: its nearest parent").isEqualTo(9);
        ManifestObject b = object("Pod", "y", "b");
        assertThat(b.fields().lineOf("status.podIP")).isEqualTo(42);
        assertThat(b.location("metadata.labels")).isEqualTo(CLUSTER.resolve("pods.yaml") + ":32");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unparseable.yaml    | 5 | not valid YAML: while parsing a flow mapping: expected ',' or '}', but got <stream end> (column 11)
            bad-indent.yaml     | 5 | not valid YAML: while parsing a block mapping: expected <block end>, but found '<block mapping start>' (column 2)
            broken.json         | 4 | not valid JSON: Unexpected character ('}' (code 125)): was expecting double-quote to start field name
            wrong-type.yaml     | 11 | Pod x/a: spec.containers[0].ports[0].containerPort: wrong type: expected an integer, got the string "eighty"
            label-number.yaml   | 6 | Namespace x: metadata.labels.version: wrong type: expected a string (quote it: "..."), got 1
            bad-ip.yaml         | 10 | Pod x/a: status.podIPs[0].ip: "10.0.0.300" is not an IPv4 or IPv6 address
            old-api.yaml        | 1 | NetworkPolicy x/legacy: apiVersion: unsupported apiVersion "extensions/v1beta1": a NetworkPolicy must have apiVersion: networking.k8s.io/v1
            duplicate.yaml      | 6 | Namespace x: defined twice (first at
            duplicate-key.yaml  | 5 | metadata.name: duplicate key "name" (document 1); remove one of them
            no-kind.yaml        | 1 | kind: document 1 has no kind
            enum.yaml           | 7 | DefaultDeny x/dd: spec.policyTypes[0]: wrong type: expected one of Ingress, Egress, got the string "ingress"
            alias.yaml          | 7 | metadata.annotations: YAML aliases (*common) are not supported: write the value out
            criticalflow-bad-ip.yaml | 8 | CriticalFlow nodelocal-dns: spec.destination.ips[0]: "169.254.20.10/32" is not an IP address (write 169.254.20.10 or fd00::a, without a prefix length)
            list-item.yaml      | 17 | NetworkPolicy ok/empty-peer: spec.egress[0].to[0]: must specify a peer
            """)
    void badInputIsAUserErrorNamingFileLineObjectAndField(String file, int line, String message) {
        Path path = resource("invalid/" + file);
        assertThatThrownBy(() -> ManifestLoader.load(path))
                .isInstanceOf(ManifestException.class)
                .hasMessageStartingWith(path + ":" + line + ": " + message);
    }

    @Test
    void everyInvalidFieldOfAPolicyIsReportedAtItsLine() {
        Path path = resource("invalid/invalid-policy.yaml");
        assertThatThrownBy(() -> ManifestLoader.load(path))
                .isInstanceOfSatisfying(ManifestException.class, e -> assertThat(e.problems())
                        .extracting(ManifestProblem::line, ManifestProblem::fieldPath)
                        .containsExactlyInAnyOrder(
                                org.assertj.core.groups.Tuple.tuple(16, "spec.ingress[0].ports[0].endPort"),
                                org.assertj.core.groups.Tuple.tuple(13, "spec.ingress[0].from[0].ipBlock.except[0]")));
    }

    @Test
    void problemsOfAllFilesAreReportedTogether() {
        assertThatThrownBy(() -> ManifestLoader.load(resource("invalid"), Path.of("no/such/dir")))
                .isInstanceOfSatisfying(ManifestException.class, e -> {
                    assertThat(e.problems()).extracting(p -> p.file().getFileName().toString()).contains(
                            "bad-ip.yaml", "duplicate.yaml", "enum.yaml", "invalid-policy.yaml", "unparseable.yaml", "dir");
                    assertThat(e.getMessage()).contains("no/such/dir: no such file or directory");
                });
    }
}
