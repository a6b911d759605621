package dev.netfence.policy.property;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.policy.eval.AuditEvaluation;
import dev.netfence.policy.eval.Flow;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.Enforcement;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Protocol;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Audit mode against the brute-force {@link SpecReading}, on the random clusters of the engine's
 * property test with a random half of the policies and DefaultDenies audited:
 * the enforced verdict equals the spec reading of the cluster without the audited objects; the
 * audit verdict equals the spec reading of the cluster with every object enforcing (SpecReading
 * knows nothing of audit); would-deny is exactly "enforced allows, audit denies", and names only
 * audited policies.
 */
class AuditEvaluationPropertyTest {

    static Stream<Arguments> seeds() {
        return PolicyEnginePropertyTest.seeds().limit(150);
    }

    static final long[] TOTALS = new long[3];   // would-deny flows, flows, cases

    @ParameterizedTest(name = "{0}")
    @MethodSource("seeds")
    void bothVerdictsAgreeWithTheSpecReading(long seed) {
        Random r = new Random(seed);
        RandomCluster cluster = RandomCluster.generate(r);
        ClusterSnapshot allEnforcing = cluster.snapshot();
        ClusterSnapshot.Builder audited = allEnforcing.toBuilder();
        ClusterSnapshot.Builder withoutAudited = allEnforcing.toBuilder();
        for (NetworkPolicy np : allEnforcing.policies()) {
            if (r.nextBoolean()) {
                Map<String, String> annotations = new HashMap<>(np.annotations());
                annotations.put(Enforcement.ANNOTATION, r.nextBoolean() ? "audit" : "Audit");
                audited.policy(new NetworkPolicy(np.namespace(), np.name(), np.podSelector(), np.policyTypes(),
                        np.ingress(), np.egress(), annotations));
                withoutAudited.removePolicy(np.namespace(), np.name());
            }
        }
        for (DefaultDeny dd : allEnforcing.defaultDenies()) {
            if (r.nextBoolean()) {
                audited.defaultDeny(dd.withEnforcement(Enforcement.AUDIT));
                withoutAudited.removeDefaultDeny(dd.namespace(), dd.name());
            }
        }
        ClusterSnapshot s = audited.build();
        AuditEvaluation evaluation = new AuditEvaluation(s);
        SpecReading enforcedSpec = new SpecReading(withoutAudited.build());
        SpecReading auditSpec = new SpecReading(allEnforcing);
        for (boolean v6 : new boolean[] {false, true}) {
            List<PolicyEnginePropertyTest.Probe> probes = PolicyEnginePropertyTest.probes(s,
                    v6 ? cluster.v6Addresses() : cluster.v4Addresses(), v6, r);
            for (PolicyEnginePropertyTest.Probe from : probes) {
                for (PolicyEnginePropertyTest.Probe to : probes) {
                    Protocol protocol = Protocol.values()[r.nextInt(3)];
                    int port = PolicyEnginePropertyTest.PORTS[r.nextInt(PolicyEnginePropertyTest.PORTS.length)];
                    Flow flow = new Flow(from.engineEnd(), to.engineEnd(), protocol, port);
                    AuditEvaluation.Result result = evaluation.evaluate(flow);
                    boolean enforced = enforcedSpec.allowed(from.specEnd(), to.specEnd(), protocol, port);
                    boolean audit = auditSpec.allowed(from.specEnd(), to.specEnd(), protocol, port);
                    String context = "seed " + seed + ": " + flow.describe() + "\ncluster:\n" + PolicyEnginePropertyTest.describe(s);
                    assertThat(result.enforced().allowed()).as("enforced verdict, " + context).isEqualTo(enforced);
                    assertThat(result.audit().allowed()).as("audit verdict, " + context).isEqualTo(audit);
                    assertThat(PolicyEnginePropertyTest.names(result.enforced().egress()))
                            .isEqualTo(enforcedSpec.isolatedBy(Direction.EGRESS, from.specEnd()));
                    assertThat(PolicyEnginePropertyTest.names(result.audit().ingress()))
                            .isEqualTo(auditSpec.isolatedBy(Direction.INGRESS, to.specEnd()));
                    assertThat(result.wouldDeny()).as(context).isEqualTo(enforced && !audit);
                    assertThat(result.label()).isEqualTo(enforced && !audit ? "would-deny" : enforced ? "allowed" : "denied");
                    if (result.wouldDeny()) {
                        // a would-deny side is isolated by audited policies only
                        assertThat(result.auditedDeciders()).isNotEmpty().allSatisfy(ref ->
                                assertThat(isAudited(s, ref.toString())).as("%s is audited", ref).isTrue());
                        TOTALS[0]++;
                    }
                    TOTALS[1]++;
                }
            }
        }
        TOTALS[2]++;
    }

    private static boolean isAudited(ClusterSnapshot s, String ref) {
        return s.policies().stream().anyMatch(np -> np.audited() && np.ref().toString().equals(ref))
                || s.defaultDenies().stream().anyMatch(dd -> dd.audited() && dd.ref().toString().equals(ref));
    }

    @AfterAll
    static void someFlowsWouldBeDenied() {
        if (TOTALS[2] == 150) {
            assertThat(TOTALS[0]).as("would-deny flows of %s", TOTALS[1]).isGreaterThan(TOTALS[1] / 50);
        }
    }
}
