package dev.netfence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.cli.Netfence.Result;
import org.junit.jupiter.api.Test;

/**
 * The commands on the samples plus {@code cluster-policies/} (an Admin DNS guard and a Baseline
 * default deny): explain names the deciding tier, policy, rule and action; lint reads
 * ClusterNetworkPolicies and finds nothing wrong with the documented replacement for DefaultDeny.
 */
class ClusterPolicyCommandsTest {

    static final String SAMPLES = "../samples";
    static final String TIERS = "../cluster-policies";

    @Test
    void explainNamesTheBaselineRuleThatDeniesAPodNoNetworkPolicySelects() {
        Result r = Netfence.run("explain", "-f", SAMPLES, "-f", TIERS, "--from", "monitoring/prometheus", "--to", "shop/web",
                "--port", "80");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("DENIED: pod monitoring/prometheus")
                .contains("Egress from monitoring/prometheus: DENIED\n"
                        + "  cluster policy rules matched, in order:\n"
                        + "  - Baseline tier, ClusterNetworkPolicy baseline-default-deny (priority 1000) spec.egress[1].to[0] "
                        + "\"deny-all-egress\": Deny\n"
                        + "  decided by the Baseline tier: no NetworkPolicy selects monitoring/prometheus for Egress, so the "
                        + "Baseline tier decides: ClusterNetworkPolicy baseline-default-deny spec.egress[1].to[0] denies it; a "
                        + "NetworkPolicy selecting the pod for Egress overrides it (and then decides all its Egress traffic)\n")
                // shop/web is selected by web-public for ingress: the NetworkPolicy tier decides, Baseline is not consulted
                .contains("Ingress to shop/web: allowed\n  isolated by: NetworkPolicy shop/web-public");
    }

    @Test
    void explainShowsTheAdminGuardAcceptingDnsBeforeAnyNetworkPolicy() {
        Result r = Netfence.run("explain", "-f", SAMPLES, "-f", TIERS, "--from", "payments/db", "--to",
                "kube-system/coredns", "--port", "53", "--protocol", "UDP");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("ALLOWED:").contains("  decided by the Admin tier: the Admin tier decides before any "
                + "NetworkPolicy: ClusterNetworkPolicy cluster-dns-guard spec.egress[0].to[0]+protocols[0] accepts it\n");
    }

    @Test
    void queryTargetListsTheClusterPoliciesInEvaluationOrder() {
        Result r = Netfence.run("query-target", "-f", SAMPLES, "-f", TIERS, "shop/web");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("Egress: ClusterNetworkPolicies selecting it, in evaluation order (Admin before the "
                + "NetworkPolicy tier; Baseline only when no NetworkPolicy selects it)\n"
                + "  - Admin tier: ClusterNetworkPolicy cluster-dns-guard (priority 10, 2 egress rules)\n"
                + "  - Baseline tier: ClusterNetworkPolicy baseline-default-deny (priority 1000, 2 egress rules)\n");
    }

    @Test
    void lintAcceptsTheDocumentedBaselineDefaultDeny() {
        Result r = Netfence.run("lint", "-f", SAMPLES, "-f", TIERS);
        assertThat(r.out()).doesNotContain("ClusterNetworkPolicy");
    }
}
