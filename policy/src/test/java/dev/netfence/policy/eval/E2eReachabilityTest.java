package dev.netfence.policy.eval;

import static dev.netfence.policy.testing.Fixtures.allPorts;
import static dev.netfence.policy.testing.Fixtures.doesNotExist;
import static dev.netfence.policy.testing.Fixtures.egress;
import static dev.netfence.policy.testing.Fixtures.exists;
import static dev.netfence.policy.testing.Fixtures.in;
import static dev.netfence.policy.testing.Fixtures.ingress;
import static dev.netfence.policy.testing.Fixtures.matchExpressions;
import static dev.netfence.policy.testing.Fixtures.matchLabels;
import static dev.netfence.policy.testing.Fixtures.namedPort;
import static dev.netfence.policy.testing.Fixtures.namespacePeer;
import static dev.netfence.policy.testing.Fixtures.notIn;
import static dev.netfence.policy.testing.Fixtures.peers;
import static dev.netfence.policy.testing.Fixtures.podInNamespacePeer;
import static dev.netfence.policy.testing.Fixtures.podPeer;
import static dev.netfence.policy.testing.Fixtures.podSelector;
import static dev.netfence.policy.testing.Fixtures.policy;
import static dev.netfence.policy.testing.Fixtures.policyTypes;
import static dev.netfence.policy.testing.Fixtures.port;
import static dev.netfence.policy.testing.Fixtures.portRange;
import static dev.netfence.policy.testing.Fixtures.ports;
import static dev.netfence.policy.testing.Fixtures.rule;
import static dev.netfence.policy.testing.Fixtures.selector;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.testing.E2eModel;
import dev.netfence.policy.testing.Fixtures;
import dev.netfence.policy.testing.Reachability;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The upstream e2e model (namespaces x, y, z; pods a, b, c) under one set of policies per case,
 * probed on TCP/80 from every pod to every pod; expected tables as the e2e suite prints them. A pod's
 * connection to itself never leaves its network namespace, so the diagonal is always allowed (the
 * e2e suite's {@code AllowLoopback}).
 */
class E2eReachabilityTest {

    static final String ALL_ALLOWED = """
            -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
            x/a  .   .   .   .   .   .   .   .   .
            x/b  .   .   .   .   .   .   .   .   .
            x/c  .   .   .   .   .   .   .   .   .
            y/a  .   .   .   .   .   .   .   .   .
            y/b  .   .   .   .   .   .   .   .   .
            y/c  .   .   .   .   .   .   .   .   .
            z/a  .   .   .   .   .   .   .   .   .
            z/b  .   .   .   .   .   .   .   .   .
            z/c  .   .   .   .   .   .   .   .   .
            """;

    static final String X_INGRESS_DENIED = """
            -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
            x/a  .   X   X   .   .   .   .   .   .
            x/b  X   .   X   .   .   .   .   .   .
            x/c  X   X   .   .   .   .   .   .   .
            y/a  X   X   X   .   .   .   .   .   .
            y/b  X   X   X   .   .   .   .   .   .
            y/c  X   X   X   .   .   .   .   .   .
            z/a  X   X   X   .   .   .   .   .   .
            z/b  X   X   X   .   .   .   .   .   .
            z/c  X   X   X   .   .   .   .   .   .
            """;

    static final String X_EGRESS_DENIED = """
            -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
            x/a  .   X   X   X   X   X   X   X   X
            x/b  X   .   X   X   X   X   X   X   X
            x/c  X   X   .   X   X   X   X   X   X
            y/a  .   .   .   .   .   .   .   .   .
            y/b  .   .   .   .   .   .   .   .   .
            y/c  .   .   .   .   .   .   .   .   .
            z/a  .   .   .   .   .   .   .   .   .
            z/b  .   .   .   .   .   .   .   .   .
            z/c  .   .   .   .   .   .   .   .   .
            """;

    static final String X_BOTH_DENIED = """
            -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
            x/a  .   X   X   X   X   X   X   X   X
            x/b  X   .   X   X   X   X   X   X   X
            x/c  X   X   .   X   X   X   X   X   X
            y/a  X   X   X   .   .   .   .   .   .
            y/b  X   X   X   .   .   .   .   .   .
            y/c  X   X   X   .   .   .   .   .   .
            z/a  X   X   X   .   .   .   .   .   .
            z/b  X   X   X   .   .   .   .   .   .
            z/c  X   X   X   .   .   .   .   .   .
            """;

    static final String XA_INGRESS_DENIED = """
            -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
            x/a  .   .   .   .   .   .   .   .   .
            x/b  X   .   .   .   .   .   .   .   .
            x/c  X   .   .   .   .   .   .   .   .
            y/a  X   .   .   .   .   .   .   .   .
            y/b  X   .   .   .   .   .   .   .   .
            y/c  X   .   .   .   .   .   .   .   .
            z/a  X   .   .   .   .   .   .   .   .
            z/b  X   .   .   .   .   .   .   .   .
            z/c  X   .   .   .   .   .   .   .   .
            """;

    static final String YA_INGRESS_DENIED = """
            -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
            x/a  .   .   .   X   .   .   .   .   .
            x/b  .   .   .   X   .   .   .   .   .
            x/c  .   .   .   X   .   .   .   .   .
            y/a  .   .   .   .   .   .   .   .   .
            y/b  .   .   .   X   .   .   .   .   .
            y/c  .   .   .   X   .   .   .   .   .
            z/a  .   .   .   X   .   .   .   .   .
            z/b  .   .   .   X   .   .   .   .   .
            z/c  .   .   .   X   .   .   .   .   .
            """;

    /** x/a accepts only x/b (and itself). */
    static final String XA_FROM_XB_ONLY = """
            -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
            x/a  .   .   .   .   .   .   .   .   .
            x/b  .   .   .   .   .   .   .   .   .
            x/c  X   .   .   .   .   .   .   .   .
            y/a  X   .   .   .   .   .   .   .   .
            y/b  X   .   .   .   .   .   .   .   .
            y/c  X   .   .   .   .   .   .   .   .
            z/a  X   .   .   .   .   .   .   .   .
            z/b  X   .   .   .   .   .   .   .   .
            z/c  X   .   .   .   .   .   .   .   .
            """;

    static final String XA_FROM_X_ONLY = """
            -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
            x/a  .   .   .   .   .   .   .   .   .
            x/b  .   .   .   .   .   .   .   .   .
            x/c  .   .   .   .   .   .   .   .   .
            y/a  X   .   .   .   .   .   .   .   .
            y/b  X   .   .   .   .   .   .   .   .
            y/c  X   .   .   .   .   .   .   .   .
            z/a  X   .   .   .   .   .   .   .   .
            z/b  X   .   .   .   .   .   .   .   .
            z/c  X   .   .   .   .   .   .   .   .
            """;

    static final String XA_FROM_Y_ONLY = """
            -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
            x/a  .   .   .   .   .   .   .   .   .
            x/b  X   .   .   .   .   .   .   .   .
            x/c  X   .   .   .   .   .   .   .   .
            y/a  .   .   .   .   .   .   .   .   .
            y/b  .   .   .   .   .   .   .   .   .
            y/c  .   .   .   .   .   .   .   .   .
            z/a  X   .   .   .   .   .   .   .   .
            z/b  X   .   .   .   .   .   .   .   .
            z/c  X   .   .   .   .   .   .   .   .
            """;

    static final String XA_FROM_Y_AND_Z = """
            -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
            x/a  .   .   .   .   .   .   .   .   .
            x/b  X   .   .   .   .   .   .   .   .
            x/c  X   .   .   .   .   .   .   .   .
            y/a  .   .   .   .   .   .   .   .   .
            y/b  .   .   .   .   .   .   .   .   .
            y/c  .   .   .   .   .   .   .   .   .
            z/a  .   .   .   .   .   .   .   .   .
            z/b  .   .   .   .   .   .   .   .   .
            z/c  .   .   .   .   .   .   .   .   .
            """;

    static final String XA_FROM_Z_ONLY = """
            -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
            x/a  .   .   .   .   .   .   .   .   .
            x/b  X   .   .   .   .   .   .   .   .
            x/c  X   .   .   .   .   .   .   .   .
            y/a  X   .   .   .   .   .   .   .   .
            y/b  X   .   .   .   .   .   .   .   .
            y/c  X   .   .   .   .   .   .   .   .
            z/a  .   .   .   .   .   .   .   .   .
            z/b  .   .   .   .   .   .   .   .   .
            z/c  .   .   .   .   .   .   .   .   .
            """;

    /** podSelector pod=b AND namespaceSelector ns=y, in one peer. */
    static final String XA_FROM_YB_ONLY = """
            -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
            x/a  .   .   .   .   .   .   .   .   .
            x/b  X   .   .   .   .   .   .   .   .
            x/c  X   .   .   .   .   .   .   .   .
            y/a  X   .   .   .   .   .   .   .   .
            y/b  .   .   .   .   .   .   .   .   .
            y/c  X   .   .   .   .   .   .   .   .
            z/a  X   .   .   .   .   .   .   .   .
            z/b  X   .   .   .   .   .   .   .   .
            z/c  X   .   .   .   .   .   .   .   .
            """;

    /** podSelector pod=b OR namespaceSelector ns=y, as two peers. */
    static final String XA_FROM_XB_OR_Y = """
            -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
            x/a  .   .   .   .   .   .   .   .   .
            x/b  .   .   .   .   .   .   .   .   .
            x/c  X   .   .   .   .   .   .   .   .
            y/a  .   .   .   .   .   .   .   .   .
            y/b  .   .   .   .   .   .   .   .   .
            y/c  .   .   .   .   .   .   .   .   .
            z/a  X   .   .   .   .   .   .   .   .
            z/b  X   .   .   .   .   .   .   .   .
            z/c  X   .   .   .   .   .   .   .   .
            """;

    /** pods b or c of namespaces y or z. */
    static final String XA_FROM_BC_OF_YZ = """
            -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
            x/a  .   .   .   .   .   .   .   .   .
            x/b  X   .   .   .   .   .   .   .   .
            x/c  X   .   .   .   .   .   .   .   .
            y/a  X   .   .   .   .   .   .   .   .
            y/b  .   .   .   .   .   .   .   .   .
            y/c  .   .   .   .   .   .   .   .   .
            z/a  X   .   .   .   .   .   .   .   .
            z/b  .   .   .   .   .   .   .   .   .
            z/c  .   .   .   .   .   .   .   .   .
            """;

    /** x/b and x/c (pod NotIn (a)) refuse all ingress. */
    static final String XB_XC_INGRESS_DENIED = """
            -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
            x/a  .   X   X   .   .   .   .   .   .
            x/b  .   .   X   .   .   .   .   .   .
            x/c  .   X   .   .   .   .   .   .   .
            y/a  .   X   X   .   .   .   .   .   .
            y/b  .   X   X   .   .   .   .   .   .
            y/c  .   X   X   .   .   .   .   .   .
            z/a  .   X   X   .   .   .   .   .   .
            z/b  .   X   X   .   .   .   .   .   .
            z/c  .   X   X   .   .   .   .   .   .
            """;

    /** x/a may only connect to y (egress), and, its policyTypes defaulted to [Ingress, Egress], accepts nothing. */
    static final String XA_EGRESS_TO_Y_AND_NO_INGRESS = """
            -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
            x/a  .   X   X   .   .   .   X   X   X
            x/b  X   .   .   .   .   .   .   .   .
            x/c  X   .   .   .   .   .   .   .   .
            y/a  X   .   .   .   .   .   .   .   .
            y/b  X   .   .   .   .   .   .   .   .
            y/c  X   .   .   .   .   .   .   .   .
            z/a  X   .   .   .   .   .   .   .   .
            z/b  X   .   .   .   .   .   .   .   .
            z/c  X   .   .   .   .   .   .   .   .
            """;

    static final String XA_EGRESS_TO_Y_ONLY = """
            -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
            x/a  .   X   X   .   .   .   X   X   X
            x/b  .   .   .   .   .   .   .   .   .
            x/c  .   .   .   .   .   .   .   .   .
            y/a  .   .   .   .   .   .   .   .   .
            y/b  .   .   .   .   .   .   .   .   .
            y/c  .   .   .   .   .   .   .   .   .
            z/a  .   .   .   .   .   .   .   .   .
            z/b  .   .   .   .   .   .   .   .   .
            z/c  .   .   .   .   .   .   .   .   .
            """;

    /** x is deny-all for ingress, but a second policy lets y into x/a: policies add up. */
    static final String X_DENIED_BUT_Y_TO_XA = """
            -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
            x/a  .   X   X   .   .   .   .   .   .
            x/b  X   .   X   .   .   .   .   .   .
            x/c  X   X   .   .   .   .   .   .   .
            y/a  .   X   X   .   .   .   .   .   .
            y/b  .   X   X   .   .   .   .   .   .
            y/c  .   X   X   .   .   .   .   .   .
            z/a  X   X   X   .   .   .   .   .   .
            z/b  X   X   X   .   .   .   .   .   .
            z/c  X   X   X   .   .   .   .   .   .
            """;

    record Case(List<NetworkPolicy> policies, String expected) {
    }

    static Arguments tcp80(String name, String expected, NetworkPolicy... policies) {
        return Arguments.of(Named.of(name, new Case(List.of(policies), expected)));
    }

    static final Fixtures.PolicyTweak SELECT_XA = podSelector(matchLabels("pod=a"));

    static Stream<Arguments> tcp80Cases() {
        return Stream.of(
                tcp80("no policy: everything allowed", ALL_ALLOWED),
                tcp80("deny-all ingress: podSelector {} with ingress and policyTypes absent", X_INGRESS_DENIED,
                        policy("x", "deny-ingress")),
                tcp80("deny-all ingress: ingress: []", X_INGRESS_DENIED,
                        policy("x", "deny-ingress", ingress())),
                tcp80("deny-all ingress: policyTypes [Ingress]", X_INGRESS_DENIED,
                        policy("x", "deny-ingress", policyTypes("Ingress"))),
                tcp80("policyTypes: [] is defaulted like an absent list", X_INGRESS_DENIED,
                        policy("x", "deny-ingress", policyTypes())),
                tcp80("egress: [] without policyTypes does not isolate egress (only non-empty egress defaults Egress)",
                        X_INGRESS_DENIED, policy("x", "deny-ingress", egress())),
                tcp80("deny-all egress: policyTypes [Egress]", X_EGRESS_DENIED,
                        policy("x", "deny-egress", policyTypes("Egress"))),
                tcp80("deny-all egress: policyTypes [Egress] ignores ingress rules", X_EGRESS_DENIED,
                        policy("x", "deny-egress", policyTypes("Egress"), ingress(rule()))),
                tcp80("deny-all both directions", X_BOTH_DENIED,
                        policy("x", "deny-all", policyTypes("Ingress", "Egress"))),
                tcp80("two deny-all policies, one per direction, add up", X_BOTH_DENIED,
                        policy("x", "deny-ingress"), policy("x", "deny-egress", policyTypes("Egress"))),
                tcp80("allow-all ingress: ingress: [{}]", ALL_ALLOWED,
                        policy("x", "allow-all", ingress(rule()))),
                tcp80("from: [] (empty) means all sources", ALL_ALLOWED,
                        policy("x", "allow-all", ingress(rule(peers())))),
                tcp80("allow-all ingress added to a deny-all: union", ALL_ALLOWED,
                        policy("x", "deny-ingress"), policy("x", "allow-all", ingress(rule()))),
                tcp80("policy podSelector selects only x/a", XA_INGRESS_DENIED,
                        policy("x", "deny-a", SELECT_XA, ingress())),
                tcp80("policy podSelector with matchExpressions (pod NotIn (a))", XB_XC_INGRESS_DENIED,
                        policy("x", "deny-bc", podSelector(matchExpressions(notIn("pod", "a"))), ingress())),
                tcp80("a policy in y selecting pod=a isolates y/a, not x/a", YA_INGRESS_DENIED,
                        policy("y", "deny-a", SELECT_XA, ingress())),
                tcp80("peer podSelector only: pods of the policy's own namespace", XA_FROM_XB_ONLY,
                        policy("x", "allow-b", SELECT_XA, ingress(rule(peers(podPeer(matchLabels("pod=b"))))))),
                tcp80("peer podSelector {}: every pod of the policy's own namespace", XA_FROM_X_ONLY,
                        policy("x", "allow-x", SELECT_XA, ingress(rule(peers(podPeer(matchLabels())))))),
                tcp80("peer namespaceSelector only: every pod of matching namespaces", XA_FROM_Y_ONLY,
                        policy("x", "allow-y", SELECT_XA, ingress(rule(peers(namespacePeer(matchLabels("ns=y"))))))),
                tcp80("peer namespaceSelector {}: every pod of every namespace", ALL_ALLOWED,
                        policy("x", "allow-any-ns", SELECT_XA, ingress(rule(peers(namespacePeer(matchLabels())))))),
                tcp80("peer podSelector {} and namespaceSelector {}: every pod", ALL_ALLOWED,
                        policy("x", "allow-any", SELECT_XA,
                                ingress(rule(peers(podInNamespacePeer(matchLabels(), matchLabels())))))),
                tcp80("podSelector and namespaceSelector in one peer: AND", XA_FROM_YB_ONLY,
                        policy("x", "allow-yb", SELECT_XA,
                                ingress(rule(peers(podInNamespacePeer(matchLabels("pod=b"), matchLabels("ns=y"))))))),
                tcp80("podSelector and namespaceSelector in two peers: OR", XA_FROM_XB_OR_Y,
                        policy("x", "allow-b-or-y", SELECT_XA,
                                ingress(rule(peers(podPeer(matchLabels("pod=b")), namespacePeer(matchLabels("ns=y"))))))),
                tcp80("the same peers in two rules: OR", XA_FROM_XB_OR_Y,
                        policy("x", "allow-b-or-y", SELECT_XA,
                                ingress(rule(peers(podPeer(matchLabels("pod=b")))),
                                        rule(peers(namespacePeer(matchLabels("ns=y"))))))),
                tcp80("the same peers in two policies: OR", XA_FROM_XB_OR_Y,
                        policy("x", "allow-b", SELECT_XA, ingress(rule(peers(podPeer(matchLabels("pod=b")))))),
                        policy("x", "allow-y", SELECT_XA, ingress(rule(peers(namespacePeer(matchLabels("ns=y"))))))),
                tcp80("matchExpressions In on pods and namespaces", XA_FROM_BC_OF_YZ,
                        policy("x", "allow-bc-yz", SELECT_XA, ingress(rule(peers(podInNamespacePeer(
                                matchExpressions(in("pod", "b", "c")), matchExpressions(in("ns", "y", "z")))))))),
                tcp80("matchExpressions NotIn on namespaces", XA_FROM_Y_AND_Z,
                        policy("x", "allow-not-x", SELECT_XA,
                                ingress(rule(peers(namespacePeer(matchExpressions(notIn("ns", "x")))))))),
                tcp80("matchExpressions Exists on pods (own namespace)", XA_FROM_X_ONLY,
                        policy("x", "allow-labelled", SELECT_XA, ingress(rule(peers(podPeer(matchExpressions(exists("pod")))))))),
                tcp80("matchExpressions DoesNotExist: no pod lacks the label", XA_INGRESS_DENIED,
                        policy("x", "allow-unlabelled", SELECT_XA,
                                ingress(rule(peers(podPeer(matchExpressions(doesNotExist("pod")))))))),
                tcp80("namespaceSelector on kubernetes.io/metadata.name, set by the API server", XA_FROM_Z_ONLY,
                        policy("x", "allow-z", SELECT_XA,
                                ingress(rule(peers(namespacePeer(matchLabels("kubernetes.io/metadata.name=z"))))))),
                tcp80("matchLabels and matchExpressions of one selector are ANDed", XA_FROM_YB_ONLY,
                        policy("x", "allow-yb", SELECT_XA, ingress(rule(peers(podInNamespacePeer(
                                selector(Fixtures.labels("pod=b"), exists("pod")),
                                selector(Fixtures.labels("ns=y"), notIn("ns", "x", "z")))))))),
                tcp80("matchLabels and a contradicting expression select nothing", XA_INGRESS_DENIED,
                        policy("x", "allow-nobody", SELECT_XA, ingress(rule(peers(namespacePeer(
                                selector(Fixtures.labels("ns=y"), doesNotExist("ns")))))))),
                tcp80("egress rules without policyTypes: defaulted to [Ingress, Egress]", XA_EGRESS_TO_Y_AND_NO_INGRESS,
                        policy("x", "egress-to-y", SELECT_XA, egress(rule(peers(namespacePeer(matchLabels("ns=y"))))))),
                tcp80("egress rules with policyTypes [Egress]: ingress not isolated", XA_EGRESS_TO_Y_ONLY,
                        policy("x", "egress-to-y", SELECT_XA, policyTypes("Egress"),
                                egress(rule(peers(namespacePeer(matchLabels("ns=y"))))))),
                tcp80("deny-all plus an allow from y to x/a", X_DENIED_BUT_Y_TO_XA,
                        policy("x", "deny-ingress"),
                        policy("x", "allow-y", SELECT_XA, ingress(rule(peers(namespacePeer(matchLabels("ns=y"))))))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tcp80Cases")
    void reachabilityOnTcp80(Case c) {
        assertThat(Reachability.probe(E2eModel.with(c.policies().toArray(NetworkPolicy[]::new)), Protocol.TCP, 80))
                .hasToString(Reachability.parse(c.expected()).toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tcp80Cases")
    void sameVerdictsOverIpv6(Case c) {
        assertThat(Reachability.probe(E2eModel.with(c.policies().toArray(NetworkPolicy[]::new)), Protocol.TCP, 80, true))
                .hasToString(Reachability.parse(c.expected()).toString());
    }

    // ------------------------------------------------------------------ ports and protocols

    record PortCase(NetworkPolicy policy, Protocol protocol, int port, boolean allowed) {
    }

    static Arguments portCase(String name, NetworkPolicy policy, Protocol protocol, int port, boolean allowed) {
        return Arguments.of(Named.of(name + " -> " + protocol + "/" + port + (allowed ? " allowed" : " denied"),
                new PortCase(policy, protocol, port, allowed)));
    }

    static NetworkPolicy xaIngressOn(dev.netfence.policy.model.PolicyPort... ports) {
        return policy("x", "allow-ports", SELECT_XA, ingress(rule(ports(ports))));
    }

    static Stream<Arguments> portCases() {
        NetworkPolicy tcp81 = xaIngressOn(Fixtures.port(Protocol.TCP, 81));
        NetworkPolicy defaultProtocol80 = xaIngressOn(port(80));
        NetworkPolicy named81tcp = xaIngressOn(namedPort(Protocol.TCP, "serve-81-tcp"));
        NetworkPolicy namedDefaultProtocol = xaIngressOn(namedPort("serve-80-tcp"));
        NetworkPolicy named80udp = xaIngressOn(namedPort(Protocol.UDP, "serve-80-udp"));
        NetworkPolicy namedWrongProtocol = xaIngressOn(namedPort(Protocol.UDP, "serve-80-tcp"));
        NetworkPolicy range80to81 = xaIngressOn(portRange(Protocol.TCP, 80, 81));
        NetworkPolicy range81to82 = xaIngressOn(portRange(Protocol.TCP, 81, 82));
        NetworkPolicy sctpAll = xaIngressOn(allPorts(Protocol.SCTP));
        NetworkPolicy udp80 = xaIngressOn(Fixtures.port(Protocol.UDP, 80));
        NetworkPolicy portsAbsent = policy("x", "allow-from-x", SELECT_XA, ingress(rule(peers(podPeer(matchLabels())))));
        NetworkPolicy twoPorts = xaIngressOn(Fixtures.port(Protocol.UDP, 81), namedPort(Protocol.SCTP, "serve-80-sctp"));
        return Stream.of(
                portCase("numeric TCP 81", tcp81, Protocol.TCP, 81, true),
                portCase("numeric TCP 81", tcp81, Protocol.TCP, 80, false),
                portCase("numeric TCP 81", tcp81, Protocol.UDP, 81, false),
                portCase("protocol absent means TCP", defaultProtocol80, Protocol.TCP, 80, true),
                portCase("protocol absent means TCP", defaultProtocol80, Protocol.UDP, 80, false),
                portCase("protocol absent means TCP", defaultProtocol80, Protocol.SCTP, 80, false),
                portCase("named serve-81-tcp", named81tcp, Protocol.TCP, 81, true),
                portCase("named serve-81-tcp", named81tcp, Protocol.TCP, 80, false),
                portCase("named port with protocol absent (TCP)", namedDefaultProtocol, Protocol.TCP, 80, true),
                portCase("named port with protocol absent (TCP)", namedDefaultProtocol, Protocol.UDP, 80, false),
                portCase("named serve-80-udp", named80udp, Protocol.UDP, 80, true),
                portCase("named serve-80-udp", named80udp, Protocol.TCP, 80, false),
                portCase("named serve-80-udp", named80udp, Protocol.UDP, 81, false),
                portCase("named port looked up for another protocol", namedWrongProtocol, Protocol.UDP, 80, false),
                portCase("named port looked up for another protocol", namedWrongProtocol, Protocol.TCP, 80, false),
                portCase("endPort 80-81", range80to81, Protocol.TCP, 80, true),
                portCase("endPort 80-81", range80to81, Protocol.TCP, 81, true),
                portCase("endPort 80-81", range80to81, Protocol.UDP, 80, false),
                portCase("endPort 81-82", range81to82, Protocol.TCP, 80, false),
                portCase("endPort 81-82", range81to82, Protocol.TCP, 81, true),
                portCase("SCTP, port absent: every SCTP port", sctpAll, Protocol.SCTP, 80, true),
                portCase("SCTP, port absent: every SCTP port", sctpAll, Protocol.SCTP, 81, true),
                portCase("SCTP, port absent: every SCTP port", sctpAll, Protocol.TCP, 80, false),
                portCase("UDP 80", udp80, Protocol.UDP, 80, true),
                portCase("UDP 80", udp80, Protocol.TCP, 80, false),
                portCase("UDP 80", udp80, Protocol.SCTP, 80, false),
                portCase("ports absent: every port and protocol", portsAbsent, Protocol.UDP, 81, true),
                portCase("ports absent: every port and protocol", portsAbsent, Protocol.SCTP, 80, true),
                portCase("two ports entries: OR", twoPorts, Protocol.UDP, 81, true),
                portCase("two ports entries: OR", twoPorts, Protocol.SCTP, 80, true),
                portCase("two ports entries: OR", twoPorts, Protocol.UDP, 80, false));
    }

    /** x/a isolated for ingress; the table is all allowed or all allowed but the x/a column. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("portCases")
    void portsOfIngressRules(PortCase c) {
        String expected = c.allowed() ? ALL_ALLOWED : XA_INGRESS_DENIED;
        if (c.policy().name().equals("allow-from-x")) {
            expected = XA_FROM_X_ONLY;
        }
        assertThat(Reachability.probe(E2eModel.with(c.policy()), c.protocol(), c.port()))
                .hasToString(Reachability.parse(expected).toString());
    }

    static final String XA_EGRESS_DENIED = """
            -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
            x/a  .   X   X   X   X   X   X   X   X
            x/b  .   .   .   .   .   .   .   .   .
            x/c  .   .   .   .   .   .   .   .   .
            y/a  .   .   .   .   .   .   .   .   .
            y/b  .   .   .   .   .   .   .   .   .
            y/c  .   .   .   .   .   .   .   .   .
            z/a  .   .   .   .   .   .   .   .   .
            z/b  .   .   .   .   .   .   .   .   .
            z/c  .   .   .   .   .   .   .   .   .
            """;

    static Stream<Arguments> egressPortCases() {
        NetworkPolicy named = policy("x", "egress-named", SELECT_XA, policyTypes("Egress"),
                egress(rule(ports(namedPort(Protocol.UDP, "serve-81-udp")))));
        NetworkPolicy range = policy("x", "egress-range", SELECT_XA, policyTypes("Egress"),
                egress(rule(ports(portRange(Protocol.SCTP, 79, 80)))));
        return Stream.of(
                portCase("egress named serve-81-udp, resolved on the destination pod", named, Protocol.UDP, 81, true),
                portCase("egress named serve-81-udp, resolved on the destination pod", named, Protocol.UDP, 80, false),
                portCase("egress named serve-81-udp, resolved on the destination pod", named, Protocol.TCP, 81, false),
                portCase("egress SCTP 79-80", range, Protocol.SCTP, 80, true),
                portCase("egress SCTP 79-80", range, Protocol.SCTP, 81, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("egressPortCases")
    void portsOfEgressRules(PortCase c) {
        assertThat(Reachability.probe(E2eModel.with(c.policy()), c.protocol(), c.port()))
                .hasToString(Reachability.parse(c.allowed() ? ALL_ALLOWED : XA_EGRESS_DENIED).toString());
    }
}
