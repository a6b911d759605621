package dev.netfence.policy.analysis;

import static dev.netfence.policy.analysis.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.ObjectRef;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.PolicyPort;
import dev.netfence.policy.model.PolicyRule;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.Cidr;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** One case per lint rule (all warnings), on policies that keep DNS so that only the rule under test fires. */
class LintRulesTest {

    static final LabelSelector WEB = LabelSelector.of("app", "web");
    static final ObjectRef REF = ObjectRef.networkPolicy("shop", "p");

    record Case(String name, NetworkPolicy policy, AnalysisConfig config, List<Finding> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Finding warning(String rule, String path, String message) {
        return new Finding(rule, Severity.WARNING, REF, path, message, null, null);
    }

    static NetworkPolicy ingressPolicy(LabelSelector podSelector, PolicyRule rule) {
        return policy("shop", "p", podSelector, types("Ingress"), ingress(rule));
    }

    static Stream<Case> cases() {
        AnalysisConfig dflt = AnalysisConfig.DEFAULT;
        return Stream.of(
                new Case("clean policy", ingressPolicy(WEB, rule(List.of(Peer.pods(LabelSelector.of("app", "db"))),
                        PolicyPort.tcp(8080))), dflt, List.of()),
                new Case("DNS namespace selected by name: kube-system", policy("shop", "p", WEB, types("Egress"),
                        egress(new PolicyRule(List.of(Peer.podsInNamespaces(KUBE_DNS, LabelSelector.of("name", "kube-system"))),
                                List.of(PolicyPort.of(Protocol.UDP, 53))), dnsRule(Protocol.UDP, Protocol.TCP))), dflt,
                        List.of(warning(Rules.DNS_SELECTOR_UNSET_LABEL, "spec.egress[0].to[0].namespaceSelector.matchLabels[name]",
                                "Kubernetes does not set label name=kube-system on namespace kube-system; select it by "
                                        + "kubernetes.io/metadata.name"))),
                new Case("namespaceSelector and podSelector as two peers", ingressPolicy(WEB, rule(List.of(
                                Peer.namespaces(LabelSelector.of("kubernetes.io/metadata.name", "monitoring")),
                                Peer.pods(LabelSelector.of("app", "prometheus"))), PolicyPort.tcp(8080))), dflt,
                        List.of(warning(Rules.SPLIT_NAMESPACE_POD_PEER, "spec.ingress[0].from[0]",
                                        "namespaceSelector and podSelector are two peers (from[0], from[1]), so either one "
                                                + "matches; to select pods app=prometheus in namespaces "
                                                + "kubernetes.io/metadata.name=monitoring write them in one peer"),
                                warning(Rules.SELECTS_NO_PODS, "spec.ingress[0].from[1].podSelector",
                                        "selects no pod (app=prometheus in shop)"))),
                new Case("egress rules while policyTypes lacks Egress", policy("shop", "p", WEB, types("Ingress"),
                                egress(rule(List.of(Peer.pods(LabelSelector.of("app", "db")))))), dflt,
                        List.of(warning(Rules.IGNORED_RULES, "spec.egress", "egress rules are ignored: spec.policyTypes "
                                + "lacks Egress; add it or remove the rules"))),
                new Case("policy selecting no pods", ingressPolicy(LabelSelector.of("app", "wbe"),
                                rule(List.of(Peer.pods(WEB)))), dflt,
                        List.of(warning(Rules.SELECTS_NO_PODS, "spec.podSelector", "selects no pod of namespace shop "
                                + "(app=wbe); check the labels against the pods' labels"))),
                new Case("peer namespaceSelector selecting no namespace", ingressPolicy(WEB,
                                rule(List.of(Peer.namespaces(LabelSelector.of("team", "payments"))))), dflt,
                        List.of(warning(Rules.SELECTS_NO_PODS, "spec.ingress[0].from[0].namespaceSelector",
                                "selects no namespace (team=payments); namespaces carry kubernetes.io/metadata.name=<name> "
                                        + "and their own labels"))),
                new Case("named port no selected pod exposes", ingressPolicy(LabelSelector.of("app", "db"),
                                rule(List.of(Peer.pods(WEB)), PolicyPort.named(Protocol.TCP, "pg"),
                                        PolicyPort.named(Protocol.TCP, "postgres"))), dflt,
                        List.of(warning(Rules.UNEXPOSED_NAMED_PORT, "spec.ingress[0].ports[1].port",
                                "no selected pod exposes a TCP container port named \"postgres\" (1 pods checked); the rule "
                                        + "matches nothing on it"))),
                new Case("ipBlock covering pod IPs", ingressPolicy(WEB,
                                rule(List.of(Peer.ipBlock("10.0.0.0/16")), PolicyPort.tcp(8080))), dflt,
                        List.of(warning(Rules.IPBLOCK_COVERS_PODS, "spec.ingress[0].from[0].ipBlock.cidr",
                                "ipBlock 10.0.0.0/16 covers pod kube-system/coredns-a (10.0.0.10); pod IPs change, select pods "
                                        + "with podSelector/namespaceSelector or add the pod network to except"))),
                new Case("ipBlock with the pods excepted", ingressPolicy(WEB,
                                rule(List.of(Peer.ipBlock("10.0.0.0/8", "10.0.0.0/16")), PolicyPort.tcp(8080))), dflt, List.of()),
                new Case("ipBlock overlapping the configured pod network", ingressPolicy(WEB,
                                rule(List.of(Peer.ipBlock("192.168.0.0/24")), PolicyPort.tcp(8080))),
                        new AnalysisConfig(true, null, null, List.of(Cidr.parse("192.168.0.0/16"))),
                        List.of(warning(Rules.IPBLOCK_COVERS_PODS, "spec.ingress[0].from[0].ipBlock.cidr",
                                "ipBlock 192.168.0.0/24 covers pod network 192.168.0.0/16; pod IPs change, select pods with "
                                        + "podSelector/namespaceSelector or add the pod network to except"))),
                new Case("0.0.0.0/0 is anywhere, on purpose", ingressPolicy(WEB,
                        rule(List.of(Peer.ipBlock("0.0.0.0/0")), PolicyPort.tcp(8080))), dflt, List.of())
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void findings(Case c) {
        ClusterSnapshot cluster = cluster().build();
        List<Finding> actual = new PolicyAnalyzer(c.config())
                .review(cluster, Change.create(PolicyObject.of(c.policy())), List.of());
        assertThat(AdmissionReviewAnalysisTest.withoutFix(actual)).containsExactlyElementsOf(c.expected());
    }
}
