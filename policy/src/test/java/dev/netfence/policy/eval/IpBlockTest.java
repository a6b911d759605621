package dev.netfence.policy.eval;

import static dev.netfence.policy.testing.Fixtures.egress;
import static dev.netfence.policy.testing.Fixtures.ingress;
import static dev.netfence.policy.testing.Fixtures.ipBlockPeer;
import static dev.netfence.policy.testing.Fixtures.matchLabels;
import static dev.netfence.policy.testing.Fixtures.namedPort;
import static dev.netfence.policy.testing.Fixtures.peers;
import static dev.netfence.policy.testing.Fixtures.podSelector;
import static dev.netfence.policy.testing.Fixtures.policy;
import static dev.netfence.policy.testing.Fixtures.policyTypes;
import static dev.netfence.policy.testing.Fixtures.port;
import static dev.netfence.policy.testing.Fixtures.ports;
import static dev.netfence.policy.testing.Fixtures.rule;
import static dev.netfence.policy.testing.Flows.address;
import static dev.netfence.policy.testing.Flows.endpoint;
import static dev.netfence.policy.testing.Flows.flow;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.testing.E2eModel;
import dev.netfence.policy.testing.Reachability;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code ipBlock} peers: CIDRs with {@code except}, IPv4 and IPv6, matching pod addresses (pods of
 * the model are 10.0.&lt;ns&gt;.&lt;pod&gt; and fd00::&lt;ns&gt;:&lt;pod&gt;; x=1, y=2, z=3) as well as
 * addresses outside the cluster.
 */
class IpBlockTest {

    static final String XA_FROM_YA_YC = """
            -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
            x/a  .   .   .   .   .   .   .   .   .
            x/b  X   .   .   .   .   .   .   .   .
            x/c  X   .   .   .   .   .   .   .   .
            y/a  .   .   .   .   .   .   .   .   .
            y/b  X   .   .   .   .   .   .   .   .
            y/c  .   .   .   .   .   .   .   .   .
            z/a  X   .   .   .   .   .   .   .   .
            z/b  X   .   .   .   .   .   .   .   .
            z/c  X   .   .   .   .   .   .   .   .
            """;

    static final String XA_EGRESS_TO_Z_ONLY = """
            -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
            x/a  .   X   X   X   X   X   .   .   .
            x/b  .   .   .   .   .   .   .   .   .
            x/c  .   .   .   .   .   .   .   .   .
            y/a  .   .   .   .   .   .   .   .   .
            y/b  .   .   .   .   .   .   .   .   .
            y/c  .   .   .   .   .   .   .   .   .
            z/a  .   .   .   .   .   .   .   .   .
            z/b  .   .   .   .   .   .   .   .   .
            z/c  .   .   .   .   .   .   .   .   .
            """;

    record Case(NetworkPolicy policy, boolean v6, String expected) {
    }

    static Arguments matrix(String name, NetworkPolicy policy, boolean v6, String expected) {
        return Arguments.of(Named.of(name + (v6 ? " (probed over IPv6)" : " (probed over IPv4)"), new Case(policy, v6, expected)));
    }

    static NetworkPolicy xaFrom(String cidr, String... except) {
        return policy("x", "from-block", podSelector(matchLabels("pod=a")), ingress(rule(peers(ipBlockPeer(cidr, except)))));
    }

    static Stream<Arguments> matrices() {
        return Stream.of(
                matrix("v4 block of y's pods", xaFrom("10.0.2.0/24"), false, E2eReachabilityTest.XA_FROM_Y_ONLY),
                matrix("a v4 block never matches v6 addresses", xaFrom("10.0.2.0/24"), true,
                        E2eReachabilityTest.XA_INGRESS_DENIED),
                matrix("v4 block with except y/b", xaFrom("10.0.2.0/24", "10.0.2.2/32"), false, XA_FROM_YA_YC),
                matrix("v4 block with host bits, as the API server accepts", xaFrom("10.0.2.77/24"), false,
                        E2eReachabilityTest.XA_FROM_Y_ONLY),
                matrix("v4 /16 except x's /24", xaFrom("10.0.0.0/16", "10.0.1.0/24"), false,
                        E2eReachabilityTest.XA_FROM_Y_AND_Z),
                matrix("v4 0.0.0.0/0 except two /24s", xaFrom("0.0.0.0/0", "10.0.1.0/24", "10.0.3.0/24"), false,
                        E2eReachabilityTest.XA_FROM_Y_ONLY),
                matrix("v6 block of y's pods", xaFrom("fd00::2:0/112"), true, E2eReachabilityTest.XA_FROM_Y_ONLY),
                matrix("a v6 block never matches v4 addresses", xaFrom("fd00::2:0/112"), false,
                        E2eReachabilityTest.XA_INGRESS_DENIED),
                matrix("v6 block with except y/b", xaFrom("fd00::2:0/112", "fd00::2:2/128"), true, XA_FROM_YA_YC),
                matrix("v6 ::/0 except x's /112", xaFrom("::/0", "fd00::1:0/112"), true, E2eReachabilityTest.XA_FROM_Y_AND_Z),
                matrix("egress to z's v4 block", policy("x", "to-z", podSelector(matchLabels("pod=a")), policyTypes("Egress"),
                        egress(rule(peers(ipBlockPeer("10.0.3.0/24"))))), false, XA_EGRESS_TO_Z_ONLY),
                matrix("egress to z's v6 block", policy("x", "to-z", podSelector(matchLabels("pod=a")), policyTypes("Egress"),
                        egress(rule(peers(ipBlockPeer("fd00::3:0/112"))))), true, XA_EGRESS_TO_Z_ONLY));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matrices")
    void ipBlocksMatchPodAddresses(Case c) {
        assertThat(Reachability.probe(E2eModel.with(c.policy()), Protocol.TCP, 80, c.v6()))
                .hasToString(Reachability.parse(c.expected()).toString());
    }

    record External(NetworkPolicy policy, String from, String to, Protocol protocol, int port, boolean allowed) {
    }

    static Arguments external(String name, NetworkPolicy policy, String from, String to, Protocol protocol, int port,
                              boolean allowed) {
        return Arguments.of(Named.of(name + ": " + from + " -> " + to + " " + protocol + "/" + port
                + (allowed ? " allowed" : " denied"), new External(policy, from, to, protocol, port, allowed)));
    }

    static Stream<Arguments> externalAddresses() {
        NetworkPolicy egressV4 = policy("x", "egress-ext", podSelector(matchLabels("pod=a")), policyTypes("Egress"),
                egress(rule(peers(ipBlockPeer("192.0.2.0/24", "192.0.2.128/25")))));
        NetworkPolicy egressV6 = policy("x", "egress-ext6", podSelector(matchLabels("pod=a")), policyTypes("Egress"),
                egress(rule(peers(ipBlockPeer("2001:db8::/32", "2001:db8:ff::/48")))));
        NetworkPolicy ingressExternal = policy("x", "from-ext", podSelector(matchLabels("pod=a")),
                ingress(rule(peers(ipBlockPeer("203.0.113.0/24")), ports(port(Protocol.TCP, 443)))));
        NetworkPolicy allButPods = policy("x", "all-but-pods", podSelector(matchLabels("pod=a")),
                ingress(rule(peers(ipBlockPeer("0.0.0.0/0", "10.0.0.0/8")))));
        NetworkPolicy egressNamedToBlock = policy("x", "egress-named", podSelector(matchLabels("pod=a")),
                policyTypes("Egress"), egress(rule(peers(ipBlockPeer("0.0.0.0/0")), ports(namedPort(Protocol.TCP, "serve-80-tcp")))));
        NetworkPolicy egressNumericToBlock = policy("x", "egress-numeric", podSelector(matchLabels("pod=a")),
                policyTypes("Egress"), egress(rule(peers(ipBlockPeer("0.0.0.0/0")), ports(port(Protocol.TCP, 80)))));
        return Stream.of(
                external("egress v4 block", egressV4, "x/a", "192.0.2.1", Protocol.TCP, 443, true),
                external("egress v4 block", egressV4, "x/a", "192.0.2.127", Protocol.UDP, 53, true),
                external("egress v4 block, except", egressV4, "x/a", "192.0.2.128", Protocol.TCP, 443, false),
                external("egress v4 block, except", egressV4, "x/a", "192.0.2.255", Protocol.TCP, 443, false),
                external("egress v4 block, outside", egressV4, "x/a", "198.51.100.7", Protocol.TCP, 443, false),
                external("egress v4 block, outside", egressV4, "x/a", "192.0.3.0", Protocol.TCP, 443, false),
                external("egress v4 block, not isolated pod", egressV4, "x/b", "198.51.100.7", Protocol.TCP, 443, true),
                external("egress v6 block", egressV6, "x/a", "2001:db8::1", Protocol.TCP, 443, true),
                external("egress v6 block", egressV6, "x/a", "2001:db8:fe:ffff::1", Protocol.TCP, 443, true),
                external("egress v6 block, except", egressV6, "x/a", "2001:db8:ff::1", Protocol.TCP, 443, false),
                external("egress v6 block, outside", egressV6, "x/a", "2001:db9::1", Protocol.TCP, 443, false),
                external("ingress from external block", ingressExternal, "203.0.113.9", "x/a", Protocol.TCP, 443, true),
                external("ingress from external block, wrong port", ingressExternal, "203.0.113.9", "x/a", Protocol.TCP, 80, false),
                external("ingress from external block, outside", ingressExternal, "8.8.8.8", "x/a", Protocol.TCP, 443, false),
                external("0.0.0.0/0 except the pod range: the internet", allButPods, "8.8.8.8", "x/a", Protocol.TCP, 80, true),
                external("0.0.0.0/0 except the pod range: a pod", allButPods, "y/a", "x/a", Protocol.TCP, 80, false),
                external("0.0.0.0/0 does not hold IPv6 addresses", allButPods, "2001:db8::1", "x/a", Protocol.TCP, 80, false),
                external("a named port never matches an address outside the cluster", egressNamedToBlock,
                        "x/a", "192.0.2.1", Protocol.TCP, 80, false),
                external("the same port by number does", egressNumericToBlock, "x/a", "192.0.2.1", Protocol.TCP, 80, true),
                external("a named port is resolved on a destination pod, whichever peer matched it", egressNamedToBlock,
                        "x/a", "y/b", Protocol.TCP, 80, true),
                external("a named port is resolved on a destination pod, whichever peer matched it", egressNamedToBlock,
                        "x/a", "y/b", Protocol.TCP, 81, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("externalAddresses")
    void ipBlocksMatchAddressesOutsideTheCluster(External c) {
        ClusterSnapshot snapshot = E2eModel.with(c.policy());
        PolicyEngine engine = new PolicyEngine(snapshot);
        Flow flow = flow(snapshot, c.from(), c.to(), c.protocol(), c.port());
        assertThat(engine.allowed(flow)).as(flow.describe()).isEqualTo(c.allowed());
        assertThat(engine.evaluate(flow).allowed()).as(flow.describe()).isEqualTo(c.allowed());
    }

    @Test
    void anExternalEndpointIsNeverIsolatedItself() {
        ClusterSnapshot snapshot = E2eModel.with(policy("x", "deny-all", policyTypes("Ingress", "Egress")));
        Verdict v = new PolicyEngine(snapshot).evaluate(flow(address("192.0.2.1"), endpoint(snapshot, "y/a"), Protocol.TCP, 80));
        assertThat(v.allowed()).isTrue();
        assertThat(v.egress().isolated()).isFalse();
        assertThat(v.egress().note()).contains("192.0.2.1").contains("not a pod");
    }
}
