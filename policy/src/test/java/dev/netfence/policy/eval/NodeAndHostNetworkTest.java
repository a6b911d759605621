package dev.netfence.policy.eval;

import static dev.netfence.policy.testing.Fixtures.hostNetwork;
import static dev.netfence.policy.testing.Fixtures.ingress;
import static dev.netfence.policy.testing.Fixtures.ip;
import static dev.netfence.policy.testing.Fixtures.ipBlockPeer;
import static dev.netfence.policy.testing.Fixtures.matchLabels;
import static dev.netfence.policy.testing.Fixtures.namespacePeer;
import static dev.netfence.policy.testing.Fixtures.onNode;
import static dev.netfence.policy.testing.Fixtures.peers;
import static dev.netfence.policy.testing.Fixtures.pod;
import static dev.netfence.policy.testing.Fixtures.podIps;
import static dev.netfence.policy.testing.Fixtures.podLabels;
import static dev.netfence.policy.testing.Fixtures.podPeer;
import static dev.netfence.policy.testing.Fixtures.podSelector;
import static dev.netfence.policy.testing.Fixtures.policy;
import static dev.netfence.policy.testing.Fixtures.policyTypes;
import static dev.netfence.policy.testing.Fixtures.rule;
import static dev.netfence.policy.testing.Flows.address;
import static dev.netfence.policy.testing.Flows.endpoint;
import static dev.netfence.policy.testing.Flows.flow;
import static dev.netfence.policy.testing.Flows.nodeAddress;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.testing.E2eModel;
import dev.netfence.policy.testing.Flows;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Nodes and host-network pods. "Traffic to and from the node where a Pod is running is always
 * allowed"; host-network pods are node traffic: pod selectors never select them (as peers or as the
 * policy's subject), ipBlocks may match their (node) addresses. x/a and x/b run on node-1
 * (10.1.0.1), x/c on node-2 (10.1.0.2); x/host-1 and x/host-2 are host-network pods labelled
 * {@code pod=b} on node-1 and node-2.
 */
class NodeAndHostNetworkTest {

    static ClusterSnapshot cluster(NetworkPolicy... policies) {
        ClusterSnapshot.Builder b = E2eModel.builder()
                .pod(pod("x", "host-1", podLabels("pod=b"), podIps("10.1.0.1"), onNode("node-1"), hostNetwork()))
                .pod(pod("x", "host-2", podLabels("pod=b"), podIps("10.1.0.2"), onNode("node-2"), hostNetwork()));
        for (NetworkPolicy np : policies) {
            b.policy(np);
        }
        return b.build();
    }

    static final NetworkPolicy DENY_ALL_X = policy("x", "deny-all", policyTypes("Ingress", "Egress"));
    static final NetworkPolicy XA_FROM_POD_B = policy("x", "allow-b", podSelector(matchLabels("pod=a")),
            ingress(rule(peers(podPeer(matchLabels("pod=b"))))));
    static final NetworkPolicy XA_FROM_NS_X = policy("x", "allow-ns-x", podSelector(matchLabels("pod=a")),
            ingress(rule(peers(namespacePeer(matchLabels("ns=x"))))));
    static final NetworkPolicy XC_FROM_NODES = policy("x", "allow-nodes", podSelector(matchLabels("pod=c")),
            ingress(rule(peers(ipBlockPeer("10.1.0.0/24")))));

    record Case(NetworkPolicy policy, Endpoint from, String fromText, Endpoint to, String toText, boolean allowed) {
    }

    static Arguments flowCase(String name, NetworkPolicy policy, String from, String to, boolean allowed) {
        ClusterSnapshot s = cluster(policy);
        return Arguments.of(Named.of(name + ": " + from + " -> " + to + (allowed ? " allowed" : " denied"),
                new Case(policy, parse(s, from), from, parse(s, to), to, allowed)));
    }

    /** "x/a" a pod, "node-1" a node with its name, "10.1.0.1" a bare address. */
    static Endpoint parse(ClusterSnapshot s, String text) {
        return switch (text) {
            case "node-1" -> nodeAddress("10.1.0.1", "node-1");
            case "node-2" -> nodeAddress("10.1.0.2", "node-2");
            default -> endpoint(s, text);
        };
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                flowCase("a node reaches its own isolated pods", DENY_ALL_X, "node-1", "x/a", true),
                flowCase("an isolated pod reaches its own node", DENY_ALL_X, "x/a", "node-1", true),
                flowCase("another node does not", DENY_ALL_X, "node-2", "x/a", false),
                flowCase("nor is another node reached", DENY_ALL_X, "x/a", "node-2", false),
                flowCase("node-2 reaches x/c, which runs on it", DENY_ALL_X, "node-2", "x/c", true),
                flowCase("a node address given without its node name is still the node", DENY_ALL_X, "10.1.0.1", "x/a", true),
                flowCase("a node address given without its node name is still the node", DENY_ALL_X, "x/c", "10.1.0.2", true),
                flowCase("a node address given without its node name is still the node", DENY_ALL_X, "10.1.0.2", "x/a", false),
                flowCase("a host-network pod is node traffic on its own node", DENY_ALL_X, "x/host-1", "x/a", true),
                flowCase("a host-network pod on another node is not", DENY_ALL_X, "x/host-2", "x/a", false),
                flowCase("host-network pods are never isolated", DENY_ALL_X, "y/a", "x/host-2", true),
                flowCase("host-network pods are never isolated", DENY_ALL_X, "x/host-2", "y/a", true),
                flowCase("a podSelector peer selects x/b", XA_FROM_POD_B, "x/b", "x/a", true),
                flowCase("but not a host-network pod with the same labels", XA_FROM_POD_B, "x/host-2", "x/a", false),
                flowCase("a namespaceSelector peer does not select host-network pods either", XA_FROM_NS_X,
                        "x/host-2", "x/a", false),
                flowCase("an ipBlock matches another node's address", XC_FROM_NODES, "node-1", "x/c", true),
                flowCase("an ipBlock matches a host-network pod's address", XC_FROM_NODES, "x/host-1", "x/c", true),
                flowCase("an ipBlock matches a node address without node name", XC_FROM_NODES, "10.1.0.1", "x/c", true),
                flowCase("and nothing else", XC_FROM_NODES, "x/a", "x/c", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void nodeTraffic(Case c) {
        PolicyEngine engine = new PolicyEngine(cluster(c.policy()));
        Flow flow = flow(c.from(), c.to(), Protocol.TCP, 10250);
        assertThat(engine.allowed(flow)).as(flow.describe()).isEqualTo(c.allowed());
        assertThat(engine.evaluate(flow).allowed()).as(flow.describe()).isEqualTo(c.allowed());
    }

    @Test
    void hostNetworkPodsAreHostEndpointsAndNotSelected() {
        ClusterSnapshot s = cluster(DENY_ALL_X);
        PolicyEngine engine = new PolicyEngine(s);
        assertThat(Endpoint.of(Flows.pod(s, "x/host-1"))).isInstanceOf(Endpoint.Host.class)
                .extracting(Endpoint::nodeName).isEqualTo("node-1");
        assertThat(engine.isolatingPolicies(Flows.pod(s, "x/host-1"), Direction.INGRESS)).isEmpty();
        assertThat(engine.isolatingPolicies(Flows.pod(s, "x/a"), Direction.INGRESS))
                .extracting(Object::toString).containsExactly("NetworkPolicy x/deny-all");
        assertThat(s.selectPods("x", matchLabels("pod=b"))).extracting(p -> p.key()).containsExactly("x/b");
        assertThat(s.podByIp(ip("10.1.0.1"))).isEmpty();
    }

    @Test
    void nodeLocalTrafficIsExplained() {
        ClusterSnapshot s = cluster(DENY_ALL_X);
        Verdict v = new PolicyEngine(s).evaluate(flow(address("10.1.0.1"), endpoint(s, "x/b"), Protocol.TCP, 8080));
        assertThat(v.allowed()).isTrue();
        assertThat(v.ingress().isolatedBy()).extracting(Object::toString).containsExactly("NetworkPolicy x/deny-all");
        assertThat(v.ingress().allowedBy()).isEmpty();
        assertThat(v.ingress().note()).contains("own node (node-1)").contains("always allowed");
    }

    private static dev.netfence.policy.net.IpAddress ip(String ip) {
        return dev.netfence.policy.net.IpAddress.parse(ip);
    }
}
