package dev.netfence.cli.demo;

import dev.netfence.policy.analysis.AnalysisConfig;
import dev.netfence.policy.analysis.Change;
import dev.netfence.policy.analysis.DenialMessage;
import dev.netfence.policy.analysis.Finding;
import dev.netfence.policy.analysis.PolicyAnalyzer;
import dev.netfence.policy.analysis.PolicyObject;
import dev.netfence.policy.analysis.Severity;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.NetworkPolicy;
import java.util.List;
import java.util.Optional;

/**
 * What the admission webhook answers to a change, computed with the webhook's own analysis
 * ({@link PolicyAnalyzer#review}, default configuration: DNS is critical) and refusal text
 * ({@link DenialMessage}). An object that already exists in the cluster is an UPDATE, else a CREATE.
 */
final class AdmissionPreview {

    /** The name of the webhook in src/main/kubernetes/webhook/validatingwebhookconfiguration.yaml, as kubectl quotes it. */
    static final String WEBHOOK = "policies.netfence.dev";

    record Answer(Change change, List<Finding> findings, Optional<String> refusal) {
        List<String> warnings() {
            return findings.stream().filter(f -> f.severity() == Severity.WARNING).map(Finding::shortText).toList();
        }
    }

    private final PolicyAnalyzer analyzer = new PolicyAnalyzer(AnalysisConfig.DEFAULT);

    Answer judge(ClusterSnapshot cluster, PolicyObject object) {
        Change change = existing(cluster, object).map(old -> Change.update(old, object)).orElseGet(() -> Change.create(object));
        List<Finding> findings = analyzer.review(cluster, change, List.of());
        List<Finding> errors = findings.stream().filter(f -> f.severity() == Severity.ERROR).toList();
        return new Answer(change, findings, errors.isEmpty() ? Optional.empty() : Optional.of(DenialMessage.of(change, errors)));
    }

    private static Optional<PolicyObject> existing(ClusterSnapshot cluster, PolicyObject object) {
        if (object instanceof PolicyObject.Policy p) {
            NetworkPolicy np = p.policy();
            return cluster.policiesInNamespace(np.namespace()).stream().filter(x -> x.name().equals(np.name()))
                    .findFirst().map(PolicyObject::of);
        }
        DefaultDeny dd = ((PolicyObject.Deny) object).defaultDeny();
        return cluster.defaultDeniesInNamespace(dd.namespace()).stream().filter(x -> x.name().equals(dd.name()))
                .findFirst().map(x -> PolicyObject.of(x, java.util.Map.of()));
    }

    /** The cluster as it would be had the change been admitted. */
    static ClusterSnapshot admitted(ClusterSnapshot cluster, Change change) {
        ClusterSnapshot.Builder b = cluster.toBuilder();
        change.removed().forEach(o -> o.removeFrom(b));
        change.added().forEach(o -> o.addTo(b));
        return b.build();
    }
}
