package dev.netfence.policy.eval;

import static dev.netfence.policy.testing.Fixtures.egress;
import static dev.netfence.policy.testing.Fixtures.ingress;
import static dev.netfence.policy.testing.Fixtures.ipBlockPeer;
import static dev.netfence.policy.testing.Fixtures.matchLabels;
import static dev.netfence.policy.testing.Fixtures.namespacePeer;
import static dev.netfence.policy.testing.Fixtures.peers;
import static dev.netfence.policy.testing.Fixtures.podInNamespacePeer;
import static dev.netfence.policy.testing.Fixtures.podPeer;
import static dev.netfence.policy.testing.Fixtures.podSelector;
import static dev.netfence.policy.testing.Fixtures.policy;
import static dev.netfence.policy.testing.Fixtures.policyTypes;
import static dev.netfence.policy.testing.Fixtures.port;
import static dev.netfence.policy.testing.Fixtures.ports;
import static dev.netfence.policy.testing.Fixtures.rule;
import static dev.netfence.policy.testing.Flows.flow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.ObjectRef;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.testing.E2eModel;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What {@code evaluate} says about a verdict: which policies isolate each side ({@code isolatedBy})
 * and which rule, peer and port allowed it ({@code allowedBy}, with the field path a person would
 * look up in the policy's YAML).
 */
class ExplanationTest {

    static final ClusterSnapshot CLUSTER = E2eModel.builder()
            .policy(policy("x", "deny-ingress"))
            .policy(policy("x", "allow-web", podSelector(matchLabels("pod=a")),
                    ingress(rule(peers(podPeer(matchLabels("pod=c")), podInNamespacePeer(matchLabels("pod=b"), matchLabels("ns=y"))),
                                    ports(port(Protocol.TCP, 81), port(Protocol.TCP, 80))),
                            rule(peers(namespacePeer(matchLabels("ns=z")))))))
            .policy(policy("x", "allow-80", podSelector(matchLabels("pod=a")), ingress(rule(ports(port(Protocol.TCP, 80))))))
            .policy(policy("x", "b-egress", podSelector(matchLabels("pod=b")), policyTypes("Egress"),
                    egress(rule(peers(ipBlockPeer("10.0.3.0/24", "10.0.3.3/32")), ports(port(Protocol.UDP, 53))),
                            rule(peers(podPeer(matchLabels()))))))
            .build();

    static final PolicyEngine ENGINE = new PolicyEngine(CLUSTER);

    record Case(String from, String to, Protocol protocol, int port, Direction side, boolean allowed,
                List<String> isolatedBy, List<String> allowedBy) {
    }

    static Arguments explain(String from, String to, Protocol protocol, int port, Direction side, boolean allowed,
                             List<String> isolatedBy, List<String> allowedBy) {
        return Arguments.of(Named.of(from + " -> " + to + " " + protocol + "/" + port + ", " + side.apiName(),
                new Case(from, to, protocol, port, side, allowed, isolatedBy, allowedBy)));
    }

    static final List<String> XA_ISOLATORS = List.of("NetworkPolicy x/allow-80", "NetworkPolicy x/allow-web",
            "NetworkPolicy x/deny-ingress");

    static Stream<Arguments> cases() {
        return Stream.of(
                explain("y/b", "x/a", Protocol.TCP, 80, Direction.INGRESS, true, XA_ISOLATORS, List.of(
                        "NetworkPolicy x/allow-80 spec.ingress[0].ports[0]",
                        "NetworkPolicy x/allow-web spec.ingress[0].from[1]+ports[1]")),
                explain("x/c", "x/a", Protocol.TCP, 81, Direction.INGRESS, true, XA_ISOLATORS, List.of(
                        "NetworkPolicy x/allow-web spec.ingress[0].from[0]+ports[0]")),
                explain("z/b", "x/a", Protocol.UDP, 5000, Direction.INGRESS, true, XA_ISOLATORS, List.of(
                        "NetworkPolicy x/allow-web spec.ingress[1].from[0]")),
                explain("y/a", "x/a", Protocol.TCP, 81, Direction.INGRESS, false, XA_ISOLATORS, List.of()),
                explain("y/a", "x/b", Protocol.TCP, 80, Direction.INGRESS, false, List.of("NetworkPolicy x/deny-ingress"),
                        List.of()),
                explain("y/a", "x/b", Protocol.TCP, 80, Direction.EGRESS, true, List.of(), List.of()),
                explain("x/b", "z/a", Protocol.UDP, 53, Direction.EGRESS, true, List.of("NetworkPolicy x/b-egress"), List.of(
                        "NetworkPolicy x/b-egress spec.egress[0].to[0]+ports[0]")),
                explain("x/b", "z/c", Protocol.UDP, 53, Direction.EGRESS, false, List.of("NetworkPolicy x/b-egress"), List.of()),
                explain("x/b", "x/c", Protocol.SCTP, 9, Direction.EGRESS, true, List.of("NetworkPolicy x/b-egress"), List.of(
                        "NetworkPolicy x/b-egress spec.egress[1].to[0]")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void explainsEachSide(Case c) {
        Flow flow = flow(CLUSTER, c.from(), c.to(), c.protocol(), c.port());
        Verdict verdict = ENGINE.evaluate(flow);
        SideVerdict side = c.side() == Direction.INGRESS ? verdict.ingress() : verdict.egress();
        assertThat(side.direction()).isEqualTo(c.side());
        assertThat(side.allowed()).isEqualTo(c.allowed());
        assertThat(side.isolatedBy()).extracting(ObjectRef::toString).containsExactlyElementsOf(c.isolatedBy());
        assertThat(side.allowedBy()).extracting(RuleMatch::describe).containsExactlyElementsOf(c.allowedBy());
        assertThat(side.allowedBy()).allSatisfy(m -> assertThat(m.direction()).isEqualTo(c.side()));
        assertThat(ENGINE.allowed(flow)).isEqualTo(verdict.allowed());
    }

    @Test
    void ruleMatchesCarryIndexes() {
        Verdict v = ENGINE.evaluate(flow(CLUSTER, "y/b", "x/a", Protocol.TCP, 80));
        assertThat(v.ingress().allowedBy())
                .extracting(RuleMatch::policy, RuleMatch::rule, RuleMatch::peer, RuleMatch::port)
                .containsExactly(tuple(ObjectRef.networkPolicy("x", "allow-80"), 0, -1, 0),
                        tuple(ObjectRef.networkPolicy("x", "allow-web"), 0, 1, 1));
    }

    @Test
    void notesSayWhyASideIsOpen() {
        Verdict v = ENGINE.evaluate(flow(CLUSTER, "y/a", "x/b", Protocol.TCP, 80));
        assertThat(v.egress().note()).isEqualTo("no policy selects y/a for Egress");
        assertThat(v.ingress().note()).isNull();

        Verdict self = ENGINE.evaluate(flow(CLUSTER, "x/b", "x/b", Protocol.TCP, 80));
        assertThat(self.allowed()).isTrue();
        assertThat(self.ingress().isolatedBy()).extracting(ObjectRef::toString).containsExactly("NetworkPolicy x/deny-ingress");
        assertThat(self.ingress().note()).contains("to itself");
    }

    @Test
    void describesFlows() {
        assertThat(flow(CLUSTER, "x/a", "y/b", Protocol.UDP, 53).describe())
                .isEqualTo("pod x/a (10.0.1.1) -> pod y/b (10.0.2.2) on UDP/53");
    }
}
