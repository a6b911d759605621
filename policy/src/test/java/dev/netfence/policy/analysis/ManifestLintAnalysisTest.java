package dev.netfence.policy.analysis;

import static dev.netfence.policy.analysis.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.ObjectRef;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.Protocol;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Lint judges every object of a namespace together; each lost flow is reported once, on the object
 * whose fix restores it for the most pods (the issue: one lost flow was reported on every isolating object).
 */
class ManifestLintAnalysisTest {

    final PolicyAnalyzer analyzer = new PolicyAnalyzer(AnalysisConfig.DEFAULT);
    final NetworkPolicy webEgress = policy("shop", "web-egress", LabelSelector.of("app", "web"), types("Egress"),
            egress(rule(List.of(Peer.pods(LabelSelector.of("app", "db"))))));

    /** The cluster as files describe it: pods of shop, no DNS pods (the default DNS pods are assumed). */
    ClusterSnapshot files() {
        return ClusterSnapshot.builder().namespace(new Namespace("shop", Map.of()))
                .pod(pod("shop", "web-1", "10.0.1.1", Map.of("app", "web")))
                .pod(pod("shop", "db-1", "10.0.1.3", Map.of("app", "db"))).build();
    }

    @Test
    void anotherObjectOfTheNamespaceKeepingDnsIsEnough() {
        NetworkPolicy allowDns = policy("shop", "allow-dns", LabelSelector.ALL, types("Egress"),
                egress(dnsRule(Protocol.UDP, Protocol.TCP)));
        assertThat(analyzer.lint(files(), List.of(PolicyObject.of(webEgress), PolicyObject.of(allowDns)), List.of())).isEmpty();
    }

    @Test
    void aLostFlowIsReportedOnceOnTheObjectThatIsolatesTheMostOfItsPods() {
        List<Finding> findings = analyzer.lint(files(),
                List.of(PolicyObject.of(webEgress), PolicyObject.of(defaultDeny("shop", false), Map.of())), List.of());
        String dns = "critical flow dns (UDP/53, TCP/53) to a new pod matching k8s-app=kube-dns in kube-system: ";
        assertThat(AdmissionReviewAnalysisTest.withoutFix(findings)).containsExactly(
                new Finding(Rules.CRITICAL_FLOW, Severity.ERROR, ObjectRef.defaultDeny("shop", "default-deny"), "spec.allowDNS",
                        "shop/db-1, shop/web-1 lose " + dns + "their egress is isolated by DefaultDeny shop/default-deny, "
                                + "NetworkPolicy shop/web-egress and no egress rule allows it", null, "dns"));
        assertThat(findings.get(0).fix()).as("allowDNS restores it for both pods: one allowing object is enough")
                .isEqualTo("spec:\n  allowDNS: true\n");
    }

    @Test
    void lossesNoSingleObjectIsolatesAreSplitAndEachReportedOnce() {
        NetworkPolicy dbEgress = policy("shop", "db-egress", LabelSelector.of("app", "db"), types("Egress"),
                egress(rule(List.of(Peer.pods(LabelSelector.of("app", "web"))))));
        List<Finding> findings = analyzer.lint(files(), List.of(PolicyObject.of(webEgress), PolicyObject.of(dbEgress)), List.of());
        assertThat(findings).extracting(Finding::object, Finding::message).containsExactly(
                org.assertj.core.groups.Tuple.tuple(ObjectRef.networkPolicy("shop", "db-egress"), "shop/db-1 loses critical flow dns "
                        + "(UDP/53, TCP/53) to a new pod matching k8s-app=kube-dns in kube-system: their egress is isolated by "
                        + "NetworkPolicy shop/db-egress and no egress rule allows it"),
                org.assertj.core.groups.Tuple.tuple(ObjectRef.networkPolicy("shop", "web-egress"), "shop/web-1 loses critical flow dns "
                        + "(UDP/53, TCP/53) to a new pod matching k8s-app=kube-dns in kube-system: their egress is isolated by "
                        + "NetworkPolicy shop/web-egress and no egress rule allows it"));
    }

    @Test
    void anExcusingObjectTakesTheCutAsAWarning() {
        NetworkPolicy lockdown = policy("shop", "lockdown", LabelSelector.ALL, types("Egress"),
                annotation("netfence.dev/allow-cut", "dns"));
        List<Finding> findings = analyzer.lint(files(), List.of(PolicyObject.of(webEgress), PolicyObject.of(lockdown)), List.of());
        assertThat(findings).extracting(Finding::object, Finding::severity, Finding::ruleId).containsExactly(
                org.assertj.core.groups.Tuple.tuple(ObjectRef.networkPolicy("shop", "lockdown"), Severity.WARNING, Rules.CRITICAL_FLOW));
        assertThat(findings.get(0).message()).startsWith("cut allowed by annotation netfence.dev/allow-cut: shop/db-1, shop/web-1 lose");
    }
}
