package dev.netfence.policy.analysis;

import static dev.netfence.policy.analysis.Fixtures.cluster;
import static dev.netfence.policy.analysis.Fixtures.defaultDeny;
import static dev.netfence.policy.testing.ClusterPolicies.accept;
import static dev.netfence.policy.testing.ClusterPolicies.admin;
import static dev.netfence.policy.testing.ClusterPolicies.baseline;
import static dev.netfence.policy.testing.ClusterPolicies.deny;
import static dev.netfence.policy.testing.ClusterPolicies.egress;
import static dev.netfence.policy.testing.ClusterPolicies.ingress;
import static dev.netfence.policy.testing.ClusterPolicies.namespaces;
import static dev.netfence.policy.testing.ClusterPolicies.namespacesSubject;
import static dev.netfence.policy.testing.ClusterPolicies.networks;
import static dev.netfence.policy.testing.ClusterPolicies.peers;
import static dev.netfence.policy.testing.ClusterPolicies.pods;
import static dev.netfence.policy.testing.ClusterPolicies.tcp;
import static dev.netfence.policy.testing.ClusterPolicies.udp;
import static dev.netfence.policy.testing.ClusterPolicies.unknown;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.policy.model.ClusterNetworkPolicy;
import dev.netfence.policy.model.ClusterRule;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.LabelSelector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The critical-flow analysis and lint with ClusterNetworkPolicies: an Admin Deny that cuts DNS is
 * refused like a NetworkPolicy would be (with the rule to insert), a Baseline deny-all with a DNS
 * Accept (the cluster-wide replacement for DefaultDeny) keeps DNS, an Admin DNS Accept keeps DNS
 * under a DefaultDeny without allowDNS, and lint names same-priority overlaps and fail-closed peers.
 */
class ClusterPolicyAnalysisTest {

    static final PolicyAnalyzer ANALYZER = new PolicyAnalyzer(AnalysisConfig.DEFAULT);
    static final LabelSelector ALL = LabelSelector.ALL;
    static final LabelSelector SHOP = LabelSelector.of("kubernetes.io/metadata.name", "shop");

    static ClusterRule acceptDns() {
        return accept("keep-dns", peers(pods(Fixtures.KUBE_SYSTEM, Fixtures.KUBE_DNS)), udp(53), tcp(53));
    }

    static List<Finding> review(ClusterSnapshot before, ClusterNetworkPolicy cnp) {
        return ANALYZER.review(before, Change.create(PolicyObject.of(cnp, Map.of())), List.of());
    }

    @Test
    void anAdminDenyThatCutsDnsIsRefusedWithTheRuleToInsert() {
        ClusterNetworkPolicy denyAll = admin("lockdown", 10, namespacesSubject(SHOP),
                egress(deny("deny-everything", peers(namespaces(ALL), networks("0.0.0.0/0")))));
        List<Finding> findings = review(cluster().build(), denyAll);
        assertThat(findings).filteredOn(f -> f.ruleId().equals(Rules.CRITICAL_FLOW)).hasSize(1).first().satisfies(f -> {
            assertThat(f.severity()).isEqualTo(Severity.ERROR);
            assertThat(f.object().toString()).isEqualTo("ClusterNetworkPolicy lockdown");
            assertThat(f.fieldPath()).isEqualTo("spec.egress[0]");
            assertThat(f.message()).startsWith("shop/db-1, shop/web-1, shop/web-2 lose critical flow dns (UDP/53, TCP/53)")
                    .contains("their egress is denied by Admin tier, ClusterNetworkPolicy lockdown (priority 10) "
                            + "spec.egress[0].to[0] \"deny-everything\": Deny");
            assertThat(f.fix()).startsWith("# insert this rule into spec.egress before spec.egress[0]")
                    .contains("  - name: keep-dns\n    action: Accept\n    to:\n    - pods:\n");
        });
    }

    @Test
    void insertingTheSuggestedRuleFirstKeepsDns() {
        ClusterNetworkPolicy fixed = admin("lockdown", 10, namespacesSubject(SHOP),
                egress(acceptDns(), deny("deny-everything", peers(namespaces(ALL), networks("0.0.0.0/0")))));
        assertThat(review(cluster().build(), fixed)).filteredOn(f -> f.ruleId().equals(Rules.CRITICAL_FLOW)).isEmpty();
    }

    /** Every namespace but kube-system: a deny-all ingress there would cut DNS at the DNS pods themselves. */
    static final LabelSelector NOT_KUBE_SYSTEM = new LabelSelector(Map.of(), List.of(new LabelSelector.Requirement(
            "kubernetes.io/metadata.name", LabelSelector.Operator.NOT_IN, List.of("kube-system"))));

    @Test
    void aBaselineDenyAllWithADnsAcceptKeepsDnsWhereItIsTheDefault() {
        ClusterNetworkPolicy baselineDeny = baseline("default-deny", 1000, namespacesSubject(NOT_KUBE_SYSTEM),
                egress(acceptDns(), deny("deny-all", peers(namespaces(ALL), networks("0.0.0.0/0", "::/0")))),
                ingress(deny("deny-all", peers(namespaces(ALL)))));
        assertThat(review(cluster().build(), baselineDeny)).isEmpty();
        ClusterNetworkPolicy withoutDns = baseline("default-deny", 1000, namespacesSubject(NOT_KUBE_SYSTEM),
                egress(deny("deny-all", peers(namespaces(ALL), networks("0.0.0.0/0", "::/0")))));
        assertThat(review(cluster().build(), withoutDns)).extracting(Finding::ruleId, Finding::fieldPath)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Rules.CRITICAL_FLOW, "spec.egress[0]"));
        // the same deny-all on every namespace, kube-system included, cuts DNS at the DNS pods' ingress
        ClusterNetworkPolicy everywhere = baseline("default-deny", 1000, namespacesSubject(ALL),
                egress(acceptDns()), ingress(deny("deny-all", peers(namespaces(ALL)))));
        assertThat(review(cluster().build(), everywhere)).extracting(Finding::fieldPath, Finding::message)
                .singleElement().satisfies(t -> assertThat(t.toList()).first().isEqualTo("spec.ingress[0]"));
    }

    @Test
    void anAdminDnsAcceptKeepsDnsUnderADefaultDenyWithoutAllowDns() {
        ClusterSnapshot withGuard = cluster().clusterPolicy(admin("dns-guard", 1, namespacesSubject(ALL),
                egress(acceptDns()))).build();
        Change dd = Change.create(PolicyObject.of(defaultDeny("shop", false, Direction.EGRESS), Map.of()));
        assertThat(ANALYZER.review(withGuard, dd, List.of())).isEmpty();
        assertThat(ANALYZER.review(cluster().build(), dd, List.of())).extracting(Finding::fieldPath).containsExactly("spec.allowDNS");
    }

    @Test
    void deletingTheAdminDnsGuardUnderADefaultDenyWithoutAllowDnsIsRefused() {
        ClusterNetworkPolicy guard = admin("dns-guard", 1, namespacesSubject(ALL), egress(acceptDns()));
        ClusterSnapshot before = cluster().clusterPolicy(guard).defaultDeny(defaultDeny("shop", false, Direction.EGRESS)).build();
        List<Finding> findings = ANALYZER.review(before, Change.delete(PolicyObject.of(guard, Map.of())), List.of());
        assertThat(findings).extracting(Finding::ruleId, Finding::severity)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Rules.CRITICAL_FLOW, Severity.ERROR));
        assertThat(findings.get(0).object().toString()).isEqualTo("ClusterNetworkPolicy dns-guard");
    }

    @Test
    void lintWarnsAboutSamePriorityOverlapsAndFailClosedPeers() {
        ClusterNetworkPolicy a = admin("a-allow-web", 50, namespacesSubject(SHOP), ingress(accept("web", peers(namespaces(ALL)))));
        ClusterNetworkPolicy b = admin("b-deny", 50, namespacesSubject(ALL), ingress(deny("unknown", peers(unknown()))));
        List<PolicyObject> objects = new ArrayList<>(List.of(PolicyObject.of(a, Map.of()), PolicyObject.of(b, Map.of())));
        List<Finding> findings = ANALYZER.lint(cluster().build(), objects, List.of());
        assertThat(findings).filteredOn(f -> f.ruleId().equals(Rules.SAME_PRIORITY_OVERLAP)).extracting(Finding::message)
                .containsExactly(
                        "same Admin priority 50 as ClusterNetworkPolicy b-deny and both select shop/db-1, shop/web-1, shop/web-2 "
                                + "with ingress rules: the API leaves their order to the implementation; Netfence evaluates them "
                                + "by name, so this one comes first; give them distinct priorities to make the order explicit",
                        "same Admin priority 50 as ClusterNetworkPolicy a-allow-web and both select shop/db-1, shop/web-1, "
                                + "shop/web-2 with ingress rules: the API leaves their order to the implementation; Netfence "
                                + "evaluates them by name, so a-allow-web comes first; give them distinct priorities to make the "
                                + "order explicit");
        assertThat(findings).filteredOn(f -> f.ruleId().equals(Rules.FAIL_CLOSED_PEER))
                .extracting(Finding::object, Finding::fieldPath)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(b.ref(), "spec.ingress[0].from[0]"));
    }
}
