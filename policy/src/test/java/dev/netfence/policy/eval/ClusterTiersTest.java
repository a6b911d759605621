package dev.netfence.policy.eval;

import static dev.netfence.policy.testing.ClusterPolicies.accept;
import static dev.netfence.policy.testing.ClusterPolicies.admin;
import static dev.netfence.policy.testing.ClusterPolicies.baseline;
import static dev.netfence.policy.testing.ClusterPolicies.deny;
import static dev.netfence.policy.testing.ClusterPolicies.egress;
import static dev.netfence.policy.testing.ClusterPolicies.ingress;
import static dev.netfence.policy.testing.ClusterPolicies.named;
import static dev.netfence.policy.testing.ClusterPolicies.namespaces;
import static dev.netfence.policy.testing.ClusterPolicies.namespacesSubject;
import static dev.netfence.policy.testing.ClusterPolicies.networks;
import static dev.netfence.policy.testing.ClusterPolicies.nodes;
import static dev.netfence.policy.testing.ClusterPolicies.pass;
import static dev.netfence.policy.testing.ClusterPolicies.peers;
import static dev.netfence.policy.testing.ClusterPolicies.pods;
import static dev.netfence.policy.testing.ClusterPolicies.podsSubject;
import static dev.netfence.policy.testing.ClusterPolicies.tcp;
import static dev.netfence.policy.testing.ClusterPolicies.tcpRange;
import static dev.netfence.policy.testing.ClusterPolicies.unknown;
import static dev.netfence.policy.testing.Fixtures.hostNetwork;
import static dev.netfence.policy.testing.Fixtures.matchLabels;
import static dev.netfence.policy.testing.Fixtures.onNode;
import static dev.netfence.policy.testing.Fixtures.pod;
import static dev.netfence.policy.testing.Fixtures.podIps;
import static dev.netfence.policy.testing.Fixtures.podLabels;
import static dev.netfence.policy.testing.Fixtures.podSelector;
import static dev.netfence.policy.testing.Fixtures.policy;
import static dev.netfence.policy.testing.Fixtures.policyTypes;
import static dev.netfence.policy.testing.Fixtures.rule;
import static dev.netfence.policy.testing.Fixtures.peers;
import static dev.netfence.policy.testing.Fixtures.podPeer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.policy.model.ClusterNetworkPolicy;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import dev.netfence.policy.testing.E2eModel;
import dev.netfence.policy.testing.Fixtures;
import dev.netfence.policy.testing.Flows;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tiers of ClusterNetworkPolicy on the e2e model (x, y, z; a, b, c; a and b on node-1, c on
 * node-2, nodes labelled {@code zone=1}/{@code zone=2}), one named case per rule of the API: tier
 * order, priorities and ties, Pass, Accept-then-ingress, fail-closed peers, host-network pods,
 * nodes and networks peers, named ports. Each case says who decides and how.
 */
class ClusterTiersTest {

    static final Node NODE_1 = new Node("node-1", E2eModel.NODE_1.ips(), Map.of("zone", "1"));
    static final Node NODE_2 = new Node("node-2", E2eModel.NODE_2.ips(), Map.of("zone", "2"));

    /** Every pod of every namespace. */
    static final dev.netfence.policy.model.ClusterSubject ALL = namespacesSubject(matchLabels());

    record Case(List<ClusterNetworkPolicy> cnps, List<NetworkPolicy> nps, List<DefaultDeny> dds, String from, String to,
                Protocol protocol, int port, boolean allowed, String decidedBy) {
    }

    static Case tcase(List<ClusterNetworkPolicy> cnps, List<NetworkPolicy> nps, String from, String to, int port,
                      boolean allowed, String decidedBy) {
        return new Case(cnps, nps, List.of(), from, to, Protocol.TCP, port, allowed, decidedBy);
    }

    static ClusterSnapshot cluster(Case c) {
        ClusterSnapshot.Builder b = E2eModel.builder().node(NODE_1).node(NODE_2)
                .pod(pod("x", "host", podLabels("pod=a"), podIps("10.1.0.1"), onNode("node-1"), hostNetwork()));
        c.cnps().forEach(b::clusterPolicy);
        c.nps().forEach(b::policy);
        c.dds().forEach(b::defaultDeny);
        return b.build();
    }

    static final NetworkPolicy XA_ALLOW_FROM_YB = policy("x", "allow-yb", podSelector(matchLabels("pod=a")),
            Fixtures.ingress(rule(peers(new dev.netfence.policy.model.Peer(matchLabels("pod=b"), matchLabels("ns=y"), null)))));
    static final NetworkPolicy X_DENY_ALL = policy("x", "deny-all", policyTypes("Ingress", "Egress"));

    static Stream<Arguments> cases() {
        ClusterNetworkPolicy denyYToX = admin("deny-y", 10, namespacesSubject(matchLabels("ns=x")),
                ingress(deny("no-y", peers(namespaces(matchLabels("ns=y"))))));
        ClusterNetworkPolicy acceptYToX = admin("accept-y", 20, namespacesSubject(matchLabels("ns=x")),
                ingress(accept("from-y", peers(namespaces(matchLabels("ns=y"))))));
        ClusterNetworkPolicy passYToX = admin("pass-y", 5, namespacesSubject(matchLabels("ns=x")),
                ingress(pass("pass-y", peers(namespaces(matchLabels("ns=y"))))));
        ClusterNetworkPolicy baselineDenyAll = baseline("default-deny", 1000, ALL,
                ingress(deny("deny-all", peers(namespaces(matchLabels())))));
        ClusterNetworkPolicy baselineAcceptY = baseline("allow-y", 100, ALL,
                ingress(accept("y", peers(namespaces(matchLabels("ns=y"))))));
        ClusterNetworkPolicy adminAcceptEgressToX = admin("egress-to-x", 10, namespacesSubject(matchLabels("ns=y")),
                egress(accept("to-x", peers(namespaces(matchLabels("ns=x"))))));
        return Stream.of(
                c("admin Deny beats a NetworkPolicy that allows", tcase(List.of(denyYToX), List.of(XA_ALLOW_FROM_YB),
                        "y/b", "x/a", 80, false, "Admin tier, ClusterNetworkPolicy deny-y (priority 10) spec.ingress[0].from[0] \"no-y\": Deny")),
                c("admin Accept beats a NetworkPolicy that denies", tcase(List.of(acceptYToX), List.of(X_DENY_ALL),
                        "y/b", "x/a", 80, true, "Admin tier, ClusterNetworkPolicy accept-y (priority 20) spec.ingress[0].from[0] \"from-y\": Accept")),
                c("lower priority first: Deny at 10 before Accept at 20", tcase(List.of(acceptYToX, denyYToX), List.of(),
                        "y/b", "x/a", 80, false, "deny-y")),
                c("same priority: the first name decides (a-accept before b-deny)", tcase(List.of(
                        admin("b-deny", 10, ALL, ingress(deny("", peers(namespaces(matchLabels()))))),
                        admin("a-accept", 10, ALL, ingress(accept("", peers(namespaces(matchLabels())))))), List.of(),
                        "y/b", "x/a", 80, true, "a-accept")),
                c("rules in written order within a policy", tcase(List.of(admin("ordered", 10, ALL,
                        ingress(accept("first", peers(pods(matchLabels(), matchLabels("pod=b")))),
                                deny("second", peers(namespaces(matchLabels())))))), List.of(),
                        "y/b", "x/a", 80, true, "\"first\": Accept")),
                c("Pass skips the rest of the Admin tier: the NetworkPolicy decides", tcase(List.of(passYToX, denyYToX),
                        List.of(XA_ALLOW_FROM_YB), "y/b", "x/a", 80, true, "NetworkPolicy x/allow-yb")),
                c("Pass with no NetworkPolicy: the Baseline tier decides", tcase(List.of(passYToX, denyYToX, baselineDenyAll),
                        List.of(), "y/b", "x/a", 80, false, "Baseline tier, ClusterNetworkPolicy default-deny")),
                c("a pod selected by a NetworkPolicy never reaches Baseline", tcase(List.of(baselineDenyAll),
                        List.of(XA_ALLOW_FROM_YB), "y/b", "x/a", 80, true, "NetworkPolicy x/allow-yb")),
                c("Baseline Deny for a pod no NetworkPolicy selects", tcase(List.of(baselineDenyAll), List.of(),
                        "y/b", "x/b", 80, false, "\"deny-all\": Deny")),
                c("Baseline Accept at a lower priority value wins over its deny-all", tcase(List.of(baselineDenyAll, baselineAcceptY),
                        List.of(), "y/b", "x/b", 80, true, "allow-y")),
                c("no tier decides: default allow", tcase(List.of(denyYToX), List.of(), "z/b", "x/a", 80, true, "default allow")),
                c("admin egress Accept still needs the destination's ingress", tcase(List.of(adminAcceptEgressToX),
                        List.of(X_DENY_ALL), "y/b", "x/a", 80, false, "ingress: NetworkPolicy tier: NetworkPolicy x/deny-all")),
                c("admin egress Accept overrides the source's NetworkPolicy egress", tcase(List.of(adminAcceptEgressToX),
                        List.of(policy("y", "deny-egress", policyTypes("Egress"))), "y/b", "x/a", 80, true, "to-x")),
                c("Accept with an unknown peer matches nothing", tcase(List.of(admin("unknown-accept", 1, ALL,
                        ingress(accept("u", peers(unknown())))), baselineDenyAll), List.of(), "y/b", "x/b", 80, false, "default-deny")),
                c("Deny with an unknown peer denies all (fail closed)", tcase(List.of(admin("unknown-deny", 1, ALL,
                        ingress(deny("u", peers(unknown(), namespaces(matchLabels("ns=nothing"))))))), List.of(),
                        "y/b", "x/b", 80, false, "fail-closed")),
                c("Pass with an unknown peer denies all (fail closed)", tcase(List.of(admin("unknown-pass", 1, ALL,
                        ingress(pass("u", peers(unknown()))))), List.of(), "y/b", "x/b", 80, false, "unknown-pass")),
                c("host-network pods are never subjects", tcase(List.of(admin("deny-egress", 1, ALL,
                        egress(deny("all", peers(networks("0.0.0.0/0")))))), List.of(), "x/host", "y/a", 80, true, null)),
                c("host-network pods are never namespaces peers", tcase(List.of(admin("deny-from-x", 1, namespacesSubject(matchLabels("ns=y")),
                        ingress(deny("from-x", peers(namespaces(matchLabels("ns=x"))))))), List.of(), "x/host", "y/c", 80, true, "default allow")),
                c("networks peers match pod traffic too", tcase(List.of(admin("deny-net", 1, namespacesSubject(matchLabels("ns=x")),
                        egress(deny("pods-of-y", peers(networks("10.0.2.0/24")))))), List.of(), "x/a", "y/b", 80, false, "pods-of-y")),
                c("nodes peers select node addresses by node labels", tcase(List.of(admin("deny-zone-2", 1, ALL,
                        egress(deny("zone-2", peers(nodes(matchLabels("zone=2"))))))), List.of(), "x/a", "10.1.0.2", 80, false, "zone-2")),
                c("nodes peers leave other nodes alone", tcase(List.of(admin("deny-zone-2", 1, ALL,
                        egress(deny("zone-2", peers(nodes(matchLabels("zone=2"))))))), List.of(), "x/c", "10.1.0.1", 80, true, "default allow")),
                c("protocols: a port outside the rule's does not match", tcase(List.of(admin("deny-80", 1, ALL,
                        ingress(deny("80", peers(namespaces(matchLabels())), tcp(80))))), List.of(), "y/b", "x/a", 81, true, "default allow")),
                c("protocols: port ranges are inclusive", tcase(List.of(admin("deny-range", 1, ALL,
                        ingress(deny("r", peers(namespaces(matchLabels())), tcpRange(79, 81))))), List.of(), "y/b", "x/a", 81, false, "deny-range")),
                c("destinationNamedPort resolves on the destination pod", tcase(List.of(admin("deny-named", 1, ALL,
                        ingress(deny("n", peers(namespaces(matchLabels())), named("serve-81-tcp"))))), List.of(), "y/b", "x/a", 81, false, "deny-named")),
                c("destinationNamedPort with another protocol's port does not match", new Case(List.of(admin("deny-named", 1, ALL,
                        ingress(deny("n", peers(namespaces(matchLabels())), named("serve-81-tcp"))))), List.of(), List.of(), "y/b", "x/a",
                        Protocol.UDP, 80, true, "default allow")),
                c("pods subject: namespace AND pod selector", tcase(List.of(admin("deny-xa", 1, podsSubject(matchLabels("ns=x"), matchLabels("pod=a")),
                        ingress(deny("all", peers(namespaces(matchLabels())))))), List.of(), "y/b", "x/b", 80, true, "default allow")),
                c("Admin Deny beats a DefaultDeny's DNS carve-out", new Case(List.of(admin("no-dns", 1, ALL,
                        egress(deny("dns", peers(namespaces(matchLabels("ns=y"))))))), List.of(),
                        List.of(DefaultDeny.of("x")), "x/a", "y/b", Protocol.UDP, 53, false, "no-dns")));
    }

    static Arguments c(String name, Case c) {
        return Arguments.of(Named.of(name, c));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void tiers(Case c) {
        ClusterSnapshot s = cluster(c);
        PolicyEngine engine = new PolicyEngine(s);
        Flow flow = Flows.flow(s, c.from(), c.to(), c.protocol(), c.port());
        Verdict v = engine.evaluate(flow);
        assertThat(v.allowed()).as("%s", v).isEqualTo(c.allowed());
        assertThat(engine.allowed(flow)).isEqualTo(c.allowed());
        if (c.decidedBy() != null) {
            assertThat(describe(v)).contains(c.decidedBy());
        }
    }

    /** What decided each side, as the explanation names it. */
    static String describe(Verdict v) {
        StringBuilder sb = new StringBuilder();
        for (SideVerdict side : List.of(v.egress(), v.ingress())) {
            sb.append(side.direction().field()).append(": ").append(side.decidedBy().label()).append(": ");
            side.tierMatches().forEach(m -> sb.append(m.describe()).append("; "));
            side.isolatedBy().forEach(r -> sb.append(r).append("; "));
            side.allowedBy().forEach(r -> sb.append(r.describe()).append("; "));
            sb.append('\n');
        }
        return sb.toString();
    }

    @Test
    void anAdminPassIsListedBeforeTheDecidingTier() {
        ClusterSnapshot s = cluster(tcase(List.of(admin("pass-y", 5, namespacesSubject(matchLabels("ns=x")),
                ingress(pass("p", peers(namespaces(matchLabels("ns=y")))))), baseline("deny", 1, ALL,
                ingress(deny("d", peers(namespaces(matchLabels())))))), List.of(), "y/b", "x/a", 80, false, null));
        SideVerdict in = new PolicyEngine(s).evaluate(Flows.flow(s, "y/b", "x/a", Protocol.TCP, 80)).ingress();
        assertThat(in.decidedBy()).isEqualTo(DecidingTier.BASELINE);
        assertThat(in.tierMatches()).extracting(TierMatch::describe).containsExactly(
                "Admin tier, ClusterNetworkPolicy pass-y (priority 5) spec.ingress[0].from[0] \"p\": Pass",
                "Baseline tier, ClusterNetworkPolicy deny (priority 1) spec.ingress[0].from[0] \"d\": Deny");
        assertThat(in.decidingRule().policy().name()).isEqualTo("deny");
    }

    @Test
    void trafficToTheOwnNodeStaysExemptFromEveryTier() {
        ClusterSnapshot s = cluster(tcase(List.of(admin("deny-all", 0, ALL, ingress(deny("all", peers(unknown()))))),
                List.of(), "", "", 80, false, null));
        Flow probe = new Flow(new Endpoint.Host(IpAddress.parse("10.1.0.1"), "node-1", null),
                Flows.endpoint(s, "x/a"), Protocol.TCP, 80);
        assertThat(new PolicyEngine(s).allowed(probe)).isTrue();
    }
}
