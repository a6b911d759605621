package dev.netfence.policy.eval;

import static dev.netfence.policy.testing.Fixtures.allowDns;
import static dev.netfence.policy.testing.Fixtures.allowSameNamespace;
import static dev.netfence.policy.testing.Fixtures.containerPort;
import static dev.netfence.policy.testing.Fixtures.defaultDeny;
import static dev.netfence.policy.testing.Fixtures.directions;
import static dev.netfence.policy.testing.Fixtures.egress;
import static dev.netfence.policy.testing.Fixtures.exempt;
import static dev.netfence.policy.testing.Fixtures.ingress;
import static dev.netfence.policy.testing.Fixtures.ip;
import static dev.netfence.policy.testing.Fixtures.matchLabels;
import static dev.netfence.policy.testing.Fixtures.namespace;
import static dev.netfence.policy.testing.Fixtures.namespacePeer;
import static dev.netfence.policy.testing.Fixtures.onNode;
import static dev.netfence.policy.testing.Fixtures.peers;
import static dev.netfence.policy.testing.Fixtures.pod;
import static dev.netfence.policy.testing.Fixtures.podIps;
import static dev.netfence.policy.testing.Fixtures.podLabels;
import static dev.netfence.policy.testing.Fixtures.podSelector;
import static dev.netfence.policy.testing.Fixtures.policy;
import static dev.netfence.policy.testing.Fixtures.policyTypes;
import static dev.netfence.policy.testing.Fixtures.rule;
import static dev.netfence.policy.testing.Flows.address;
import static dev.netfence.policy.testing.Flows.endpoint;
import static dev.netfence.policy.testing.Flows.flow;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.policy.model.ClusterDns;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.testing.E2eModel;
import dev.netfence.policy.testing.Flows;
import dev.netfence.policy.testing.Reachability;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Netfence's DefaultDeny: isolates every pod of its namespace for its directions, with the
 * carve-outs allowDNS (egress to the cluster DNS pods and NodeLocal addresses on the DNS ports),
 * allowSameNamespace and exemptPodSelector, and adds up with NetworkPolicies like one more policy.
 */
class DefaultDenyTest {

    /** The model plus kube-system/coredns (the default cluster DNS) and y/fake-dns (same labels, wrong namespace). */
    static ClusterSnapshot cluster(List<NetworkPolicy> policies, List<DefaultDeny> denies, ClusterDns dns) {
        ClusterSnapshot.Builder b = E2eModel.builder()
                .namespace(namespace("kube-system"))
                .pod(pod("kube-system", "coredns", podLabels("k8s-app=kube-dns"), podIps("10.0.9.1"), onNode("node-2"),
                        containerPort("dns", 53, Protocol.UDP), containerPort("dns-tcp", 53, Protocol.TCP)))
                .pod(pod("y", "fake-dns", podLabels("k8s-app=kube-dns"), podIps("10.0.2.53"), onNode("node-2")))
                .dns(dns);
        policies.forEach(b::policy);
        denies.forEach(b::defaultDeny);
        return b.build();
    }

    static ClusterSnapshot cluster(DefaultDeny... denies) {
        return cluster(List.of(), List.of(denies), ClusterDns.DEFAULT);
    }

    static final String X_SAME_NAMESPACE_ONLY = """
            -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
            x/a  .   .   .   X   X   X   X   X   X
            x/b  .   .   .   X   X   X   X   X   X
            x/c  .   .   .   X   X   X   X   X   X
            y/a  X   X   X   .   .   .   .   .   .
            y/b  X   X   X   .   .   .   .   .   .
            y/c  X   X   X   .   .   .   .   .   .
            z/a  X   X   X   .   .   .   .   .   .
            z/b  X   X   X   .   .   .   .   .   .
            z/c  X   X   X   .   .   .   .   .   .
            """;

    static final String Y_BOTH_DENIED = """
            -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
            x/a  .   .   .   X   X   X   .   .   .
            x/b  .   .   .   X   X   X   .   .   .
            x/c  .   .   .   X   X   X   .   .   .
            y/a  X   X   X   .   X   X   X   X   X
            y/b  X   X   X   X   .   X   X   X   X
            y/c  X   X   X   X   X   .   X   X   X
            z/a  .   .   .   X   X   X   .   .   .
            z/b  .   .   .   X   X   X   .   .   .
            z/c  .   .   .   X   X   X   .   .   .
            """;

    static final String X_DENIED_BUT_XA_EXEMPT = """
            -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
            x/a  .   X   X   .   .   .   .   .   .
            x/b  X   .   X   X   X   X   X   X   X
            x/c  X   X   .   X   X   X   X   X   X
            y/a  .   X   X   .   .   .   .   .   .
            y/b  .   X   X   .   .   .   .   .   .
            y/c  .   X   X   .   .   .   .   .   .
            z/a  .   X   X   .   .   .   .   .   .
            z/b  .   X   X   .   .   .   .   .   .
            z/c  .   X   X   .   .   .   .   .   .
            """;

    /** DefaultDeny on x, plus NetworkPolicies letting y into x/a and x/b out to z. */
    static final String X_DENIED_WITH_POLICY_HOLES = """
            -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
            x/a  .   X   X   X   X   X   X   X   X
            x/b  X   .   X   X   X   X   .   .   .
            x/c  X   X   .   X   X   X   X   X   X
            y/a  .   X   X   .   .   .   .   .   .
            y/b  .   X   X   .   .   .   .   .   .
            y/c  .   X   X   .   .   .   .   .   .
            z/a  X   X   X   .   .   .   .   .   .
            z/b  X   X   X   .   .   .   .   .   .
            z/c  X   X   X   .   .   .   .   .   .
            """;

    record MatrixCase(List<NetworkPolicy> policies, List<DefaultDeny> denies, String expected) {
    }

    static Arguments matrix(String name, String expected, List<NetworkPolicy> policies, DefaultDeny... denies) {
        return Arguments.of(Named.of(name, new MatrixCase(policies, List.of(denies), expected)));
    }

    static Stream<Arguments> matrices() {
        return Stream.of(
                matrix("defaults: both directions", E2eReachabilityTest.X_BOTH_DENIED, List.of(), defaultDeny("x")),
                matrix("policyTypes [Ingress]", E2eReachabilityTest.X_INGRESS_DENIED, List.of(),
                        defaultDeny("x", directions(Direction.INGRESS))),
                matrix("policyTypes [Egress]", E2eReachabilityTest.X_EGRESS_DENIED, List.of(),
                        defaultDeny("x", directions(Direction.EGRESS))),
                matrix("allowSameNamespace", X_SAME_NAMESPACE_ONLY, List.of(), defaultDeny("x", allowSameNamespace(true))),
                matrix("exemptPodSelector pod=a", X_DENIED_BUT_XA_EXEMPT, List.of(),
                        defaultDeny("x", exempt(matchLabels("pod=a")))),
                matrix("a DefaultDeny in y does not touch x", Y_BOTH_DENIED, List.of(), defaultDeny("y")),
                matrix("union with NetworkPolicies", X_DENIED_WITH_POLICY_HOLES,
                        List.of(policy("x", "y-to-a", podSelector(matchLabels("pod=a")),
                                        ingress(rule(peers(namespacePeer(matchLabels("ns=y")))))),
                                policy("x", "b-to-z", podSelector(matchLabels("pod=b")), policyTypes("Egress"),
                                        egress(rule(peers(namespacePeer(matchLabels("ns=z"))))))),
                        defaultDeny("x")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matrices")
    void reachability(MatrixCase c) {
        assertThat(Reachability.probe(cluster(c.policies(), c.denies(), ClusterDns.DEFAULT), Protocol.TCP, 80))
                .hasToString(Reachability.parse(c.expected()).toString());
    }

    record DnsCase(DefaultDeny deny, ClusterDns dns, String to, Protocol protocol, int port, boolean allowed) {
    }

    static final ClusterDns NODE_LOCAL_DNS = new ClusterDns("kube-system", matchLabels("k8s-app=kube-dns"),
            ClusterDns.DEFAULT.ports(), List.of(ip("169.254.20.10")));
    static final ClusterDns CUSTOM_DNS = new ClusterDns("y", matchLabels("k8s-app=kube-dns"),
            List.of(new ClusterDns.DnsPort(Protocol.UDP, 5353)), List.of());
    /** OpenShift-like: DNS in another namespace on 5353 (UDP and TCP), NodeLocal's address next to it. */
    static final ClusterDns OPENSHIFT_DNS = new ClusterDns("y", matchLabels("k8s-app=kube-dns"),
            List.of(new ClusterDns.DnsPort(Protocol.UDP, 5353), new ClusterDns.DnsPort(Protocol.TCP, 5353)),
            List.of(ip("169.254.20.10")));
    /** An extra DNS address that is also a pod's (a stale or unusual configuration): the address counts. */
    static final ClusterDns EXTRA_POD_ADDRESS = new ClusterDns("kube-system", matchLabels("k8s-app=kube-dns"),
            ClusterDns.DEFAULT.ports(), List.of(ip("10.0.2.53")));

    static Arguments dns(String name, DefaultDeny deny, ClusterDns dns, String to, Protocol protocol, int port, boolean allowed) {
        return Arguments.of(Named.of(name + ": x/a -> " + to + " " + protocol + "/" + port + (allowed ? " allowed" : " denied"),
                new DnsCase(deny, dns, to, protocol, port, allowed)));
    }

    static Stream<Arguments> dnsCases() {
        DefaultDeny deny = defaultDeny("x");
        DefaultDeny noDns = defaultDeny("x", allowDns(false));
        return Stream.of(
                dns("allowDNS (default true)", deny, ClusterDns.DEFAULT, "kube-system/coredns", Protocol.UDP, 53, true),
                dns("allowDNS (default true)", deny, ClusterDns.DEFAULT, "kube-system/coredns", Protocol.TCP, 53, true),
                dns("only the DNS ports", deny, ClusterDns.DEFAULT, "kube-system/coredns", Protocol.UDP, 5353, false),
                dns("only the DNS ports", deny, ClusterDns.DEFAULT, "kube-system/coredns", Protocol.TCP, 80, false),
                dns("only the DNS ports", deny, ClusterDns.DEFAULT, "kube-system/coredns", Protocol.SCTP, 53, false),
                dns("DNS labels in another namespace are not DNS", deny, ClusterDns.DEFAULT, "y/fake-dns", Protocol.UDP, 53, false),
                dns("allowDNS: false", noDns, ClusterDns.DEFAULT, "kube-system/coredns", Protocol.UDP, 53, false),
                dns("NodeLocal DNSCache address", deny, NODE_LOCAL_DNS, "169.254.20.10", Protocol.UDP, 53, true),
                dns("NodeLocal DNSCache address, other port", deny, NODE_LOCAL_DNS, "169.254.20.10", Protocol.TCP, 443, false),
                dns("NodeLocal address not configured", deny, ClusterDns.DEFAULT, "169.254.20.10", Protocol.UDP, 53, false),
                dns("configured DNS: y, UDP 5353", deny, CUSTOM_DNS, "y/fake-dns", Protocol.UDP, 5353, true),
                dns("configured DNS: y, UDP 5353", deny, CUSTOM_DNS, "kube-system/coredns", Protocol.UDP, 53, false),
                dns("OpenShift-like DNS: y, 5353", deny, OPENSHIFT_DNS, "y/fake-dns", Protocol.TCP, 5353, true),
                dns("OpenShift-like DNS: NodeLocal address on 5353", deny, OPENSHIFT_DNS, "169.254.20.10", Protocol.UDP, 5353, true),
                dns("OpenShift-like DNS: NodeLocal address not on 53", deny, OPENSHIFT_DNS, "169.254.20.10", Protocol.UDP, 53, false),
                dns("OpenShift-like DNS: allowDNS false", noDns, OPENSHIFT_DNS, "169.254.20.10", Protocol.UDP, 5353, false),
                dns("an extra DNS address counts whichever pod has it", deny, EXTRA_POD_ADDRESS, "y/fake-dns", Protocol.UDP, 53, true),
                dns("an ingress-only DefaultDeny leaves egress open", defaultDeny("x", directions(Direction.INGRESS)),
                        ClusterDns.DEFAULT, "kube-system/coredns", Protocol.TCP, 80, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dnsCases")
    void dnsCarveOut(DnsCase c) {
        ClusterSnapshot s = cluster(List.of(), List.of(c.deny()), c.dns());
        PolicyEngine engine = new PolicyEngine(s);
        Flow flow = flow(s, "x/a", c.to(), c.protocol(), c.port());
        assertThat(engine.allowed(flow)).as(flow.describe()).isEqualTo(c.allowed());
        assertThat(engine.evaluate(flow).allowed()).as(flow.describe()).isEqualTo(c.allowed());
        // the compiled carve-out (an address set of the DNS pods and extra addresses, on the DNS ports) decides alike
        assertThat(new dev.netfence.policy.compile.CompiledVerdicts(dev.netfence.policy.compile.RuleSetCompiler.compile(s))
                .allowed(flow.source().ip(), flow.destination().ip(), c.protocol(), c.port())).as("compiled: " + flow.describe())
                .isEqualTo(c.allowed());
    }

    @Test
    void explainsDnsAndSameNamespaceCarveOuts() {
        ClusterSnapshot s = cluster(defaultDeny("x", allowSameNamespace(true)));
        PolicyEngine engine = new PolicyEngine(s);

        Verdict dns = engine.evaluate(flow(s, "x/a", "kube-system/coredns", Protocol.UDP, 53));
        assertThat(dns.allowed()).isTrue();
        assertThat(dns.egress().isolatedBy()).extracting(Object::toString).containsExactly("DefaultDeny x/default-deny");
        assertThat(dns.egress().allowedBy()).extracting(RuleMatch::describe)
                .containsExactly("DefaultDeny x/default-deny spec.allowDNS");
        assertThat(dns.ingress().isolated()).isFalse();

        Verdict same = engine.evaluate(flow(s, "x/a", "x/b", Protocol.TCP, 80));
        assertThat(same.egress().allowedBy()).extracting(RuleMatch::fieldPath).containsExactly("spec.allowSameNamespace");
        assertThat(same.ingress().allowedBy()).extracting(RuleMatch::fieldPath).containsExactly("spec.allowSameNamespace");

        Verdict out = engine.evaluate(flow(s, "x/a", "y/a", Protocol.TCP, 80));
        assertThat(out.allowed()).isFalse();
        assertThat(out.egress().allowed()).isFalse();
        assertThat(out.egress().isolatedBy()).extracting(Object::toString).containsExactly("DefaultDeny x/default-deny");
        assertThat(out.ingress().allowed()).isTrue();
    }

    @Test
    void exemptPodsAreNotIsolatedByTheDefaultDenyButStillByPolicies() {
        ClusterSnapshot s = cluster(List.of(policy("x", "deny-a", podSelector(matchLabels("pod=a")))),
                List.of(defaultDeny("x", exempt(matchLabels("pod=a")))), ClusterDns.DEFAULT);
        PolicyEngine engine = new PolicyEngine(s);
        assertThat(engine.isolatingPolicies(Flows.pod(s, "x/a"), Direction.INGRESS))
                .extracting(Object::toString).containsExactly("NetworkPolicy x/deny-a");
        assertThat(engine.isolatingPolicies(Flows.pod(s, "x/a"), Direction.EGRESS)).isEmpty();
        assertThat(engine.isolatingPolicies(Flows.pod(s, "x/b"), Direction.EGRESS))
                .extracting(Object::toString).containsExactly("DefaultDeny x/default-deny");
        assertThat(engine.allowed(flow(address("192.0.2.1"), endpoint(s, "x/a"), Protocol.TCP, 80))).isFalse();
        assertThat(engine.allowed(flow(endpoint(s, "x/a"), address("192.0.2.1"), Protocol.TCP, 80))).isTrue();
    }
}
