package dev.netfence.policy.analysis;

import static dev.netfence.policy.analysis.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.policy.model.ClusterDns;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.ObjectRef;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.PolicyPort;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Admission-time analysis: a change against the cluster, exact findings expected. */
class AdmissionReviewAnalysisTest {

    static final LabelSelector WEB = LabelSelector.of("app", "web");
    static final ObjectRef WEB_EGRESS = ObjectRef.networkPolicy("shop", "web-egress");
    static final String PODS_LOSE_DNS = "shop/web-1, shop/web-2 lose critical flow dns ";
    static final String TO_COREDNS = "to kube-system/coredns-a (10.0.0.10), kube-system/coredns-b (10.0.0.11): ";
    static final String ISOLATED = "their egress is isolated by NetworkPolicy shop/web-egress and no egress rule allows it";

    static final String INGRESS_ISOLATED = "the destination's ingress is isolated by NetworkPolicy "
            + "kube-system/coredns-ingress and no ingress rule allows it";

    static final NetworkPolicy EGRESS_TO_DB_ONLY = policy("shop", "web-egress", WEB, types("Egress"),
            egress(rule(List.of(Peer.pods(LabelSelector.of("app", "db"))))));

    static final CriticalFlow PROMETHEUS_SCRAPES = new CriticalFlow("prometheus-scrape", null,
            LabelSelector.of("kubernetes.io/metadata.name", "monitoring"), LabelSelector.of("app", "prometheus"),
            null, LabelSelector.ALL, List.of(), List.of(CriticalPort.named(Protocol.TCP, "metrics", Severity.ERROR)));

    record Case(String name, ClusterSnapshot before, Change change, List<CriticalFlow> declared, List<Finding> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Finding error(ObjectRef ref, String path, String message) {
        return new Finding(Rules.CRITICAL_FLOW, Severity.ERROR, ref, path, message, null, "dns");
    }

    static Finding warning(ObjectRef ref, String path, String message) {
        return new Finding(Rules.CRITICAL_FLOW, Severity.WARNING, ref, path, message, null, "dns");
    }

    static Stream<Case> cases() {
        ClusterSnapshot cluster = cluster().build();
        NetworkPolicy dnsBoth = policy("shop", "web-egress", WEB, types("Egress"),
                egress(rule(List.of(Peer.pods(LabelSelector.of("app", "db")))), dnsRule(Protocol.UDP, Protocol.TCP)));
        NetworkPolicy dnsUdpOnly = policy("shop", "web-egress", WEB, types("Egress"), egress(dnsRule(Protocol.UDP)));
        NetworkPolicy allowDns = policy("shop", "allow-dns", LabelSelector.ALL, types("Egress"),
                egress(dnsRule(Protocol.UDP, Protocol.TCP)));
        ClusterSnapshot withAllowDnsAndWebEgress = cluster().policy(allowDns).policy(EGRESS_TO_DB_ONLY).build();
        NetworkPolicy dnsIngressLockdown = policy("kube-system", "coredns-ingress", KUBE_DNS, types("Ingress"),
                ingress(rule(List.of(Peer.namespaces(LabelSelector.of("team", "shop"))), PolicyPort.of(Protocol.UDP, 53))));
        NetworkPolicy dbFromWebOnly = policy("shop", "db-ingress", LabelSelector.of("app", "db"), types("Ingress"),
                ingress(rule(List.of(Peer.pods(WEB)), PolicyPort.tcp(5432))));
        ClusterSnapshot nodeLocal = cluster().dns(new ClusterDns("kube-system", KUBE_DNS,
                ClusterDns.DEFAULT.ports(), List.of(IpAddress.parse("169.254.20.10")))).build();
        return Stream.of(
                new Case("egress policy without a DNS rule cuts UDP and TCP: error", cluster,
                        Change.create(PolicyObject.of(EGRESS_TO_DB_ONLY)), List.of(),
                        List.of(error(WEB_EGRESS, "spec.egress", PODS_LOSE_DNS + "(UDP/53, TCP/53) " + TO_COREDNS + ISOLATED))),
                new Case("egress policy with the DNS rule: nothing lost", cluster,
                        Change.create(PolicyObject.of(dnsBoth)), List.of(), List.of()),
                new Case("UDP kept, TCP cut: warning", cluster, Change.create(PolicyObject.of(dnsUdpOnly)), List.of(),
                        List.of(warning(WEB_EGRESS, "spec.egress", PODS_LOSE_DNS + "(TCP/53) " + TO_COREDNS + ISOLATED))),
                new Case("allow-cut annotation turns the error into a warning", cluster,
                        Change.create(PolicyObject.of(policy("shop", "web-egress", WEB, types("Egress"),
                                egress(rule(List.of(Peer.pods(LabelSelector.of("app", "db"))))),
                                annotation("netfence.dev/allow-cut", "dns")))), List.of(),
                        List.of(warning(WEB_EGRESS, "spec.egress", "cut allowed by annotation netfence.dev/allow-cut: "
                                + PODS_LOSE_DNS + "(UDP/53, TCP/53) " + TO_COREDNS + ISOLATED))),
                new Case("update that drops the DNS rule", cluster().policy(dnsBoth).build(),
                        Change.update(PolicyObject.of(dnsBoth), PolicyObject.of(EGRESS_TO_DB_ONLY)), List.of(),
                        List.of(error(WEB_EGRESS, "spec.egress", PODS_LOSE_DNS + "(UDP/53, TCP/53) " + TO_COREDNS + ISOLATED))),
                new Case("deleting the policy that allowed DNS orphans it", withAllowDnsAndWebEgress,
                        Change.delete(PolicyObject.of(allowDns)), List.of(),
                        List.of(error(ObjectRef.networkPolicy("shop", "allow-dns"), "spec.egress[0]",
                                PODS_LOSE_DNS + "(UDP/53, TCP/53) " + TO_COREDNS
                                        + "their egress is isolated by NetworkPolicy shop/web-egress and no egress rule allows it; "
                                        + "deleting NetworkPolicy shop/allow-dns removes spec.egress[0], which allowed it"))),
                new Case("deleting a policy nobody needs for DNS", withAllowDnsAndWebEgress,
                        Change.delete(PolicyObject.of(EGRESS_TO_DB_ONLY)), List.of(), List.of()),
                new Case("DefaultDeny with allowDNS false", cluster,
                        Change.create(PolicyObject.of(defaultDeny("monitoring", false), Map.of())), List.of(),
                        List.of(error(ObjectRef.defaultDeny("monitoring", "default-deny"), "spec.allowDNS",
                                "monitoring/prometheus-0 loses critical flow dns (UDP/53, TCP/53) " + TO_COREDNS
                                        + "their egress is isolated by DefaultDeny monitoring/default-deny and no egress rule allows it"))),
                new Case("DefaultDeny keeping DNS", cluster,
                        Change.create(PolicyObject.of(defaultDeny("monitoring", true), Map.of())), List.of(), List.of()),
                new Case("policy written before its pods: the hypothetical pod loses DNS", cluster,
                        Change.create(PolicyObject.of(policy("shop", "api-egress", LabelSelector.of("app", "api"),
                                types("Egress")))), List.of(),
                        List.of(error(ObjectRef.networkPolicy("shop", "api-egress"), "spec.egress",
                                        "a new pod matching app=api in shop loses critical flow dns (UDP/53, TCP/53) " + TO_COREDNS
                                                + "their egress is isolated by NetworkPolicy shop/api-egress and no egress rule allows it"),
                                new Finding(Rules.SELECTS_NO_PODS, Severity.WARNING, ObjectRef.networkPolicy("shop", "api-egress"),
                                        "spec.podSelector", "selects no pod of namespace shop (app=api); check the labels against "
                                        + "the pods' labels", null, null))),
                new Case("ingress lockdown of CoreDNS cuts every other namespace", cluster,
                        Change.create(PolicyObject.of(dnsIngressLockdown)), List.of(),
                        List.of(error(ObjectRef.networkPolicy("kube-system", "coredns-ingress"), "spec.ingress",
                                        "kube-system/coredns-a, kube-system/coredns-b, monitoring/prometheus-0 lose critical flow "
                                                + "dns (UDP/53, TCP/53) " + TO_COREDNS + INGRESS_ISOLATED),
                                warning(ObjectRef.networkPolicy("kube-system", "coredns-ingress"), "spec.ingress",
                                        "shop/db-1, shop/web-1, shop/web-2 lose critical flow dns (TCP/53) " + TO_COREDNS
                                                + INGRESS_ISOLATED))),
                new Case("declared flow: Prometheus scrapes the port named metrics", cluster,
                        Change.create(PolicyObject.of(dbFromWebOnly)), List.of(PROMETHEUS_SCRAPES),
                        List.of(new Finding(Rules.CRITICAL_FLOW, Severity.ERROR, ObjectRef.networkPolicy("shop", "db-ingress"),
                                "spec.ingress", "monitoring/prometheus-0 loses critical flow prometheus-scrape (TCP/metrics) to "
                                + "shop/db-1 (10.0.1.3): the destination's ingress is isolated by NetworkPolicy shop/db-ingress "
                                + "and no ingress rule allows it", null, "prometheus-scrape"))),
                new Case("configured DNS IP (NodeLocal DNSCache) must stay reachable", nodeLocal,
                        Change.create(PolicyObject.of(dnsBoth)), List.of(),
                        List.of(error(WEB_EGRESS, "spec.egress", PODS_LOSE_DNS + "(UDP/53, TCP/53) to address 169.254.20.10: "
                                + ISOLATED)))
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void findings(Case c) {
        List<Finding> actual = new PolicyAnalyzer(AnalysisConfig.DEFAULT).review(c.before(), c.change(), c.declared());
        assertThat(withoutFix(actual)).containsExactlyElementsOf(c.expected());
    }

    static List<Finding> withoutFix(List<Finding> findings) {
        return findings.stream().map(f -> new Finding(f.ruleId(), f.severity(), f.object(), f.fieldPath(), f.message(), null,
                f.flow())).toList();
    }
}
