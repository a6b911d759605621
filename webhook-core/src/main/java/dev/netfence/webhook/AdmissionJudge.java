package dev.netfence.webhook;

import dev.netfence.policy.analysis.Change;
import dev.netfence.policy.analysis.DenialMessage;
import dev.netfence.policy.analysis.Finding;
import dev.netfence.policy.analysis.PolicyAnalyzer;
import dev.netfence.policy.analysis.Severity;
import java.util.List;
import java.util.Optional;

/**
 * The admission decision: a change to the policies of one namespace (CREATE, UPDATE, or DELETE
 * judged on the old object) against a view of the cluster. Refused when some pod had a critical
 * flow before and not after; lint findings that are not errors become warnings. Nothing in a
 * namespace being deleted is ever refused. The webhook and {@code netfence demo} both call this.
 */
public final class AdmissionJudge {

    /** The name of the webhook in src/main/kubernetes/webhook/validatingwebhookconfiguration.yaml, as kubectl quotes it. */
    public static final String WEBHOOK_NAME = "policies.netfence.dev";

    static final int MAX_WARNING = 120;

    private final PolicyAnalyzer analyzer;

    public AdmissionJudge(WebhookSettings settings) {
        this.analyzer = new PolicyAnalyzer(settings.analysis());
    }

    public AdmissionDecision decide(ClusterView view, Change change) {
        if (view.terminatingNamespaces().contains(change.namespace())) {
            return AdmissionDecision.admit(change);
        }
        List<Finding> findings = analyzer.review(view.snapshot(), change, view.criticalFlows());
        List<Finding> errors = findings.stream().filter(f -> f.severity() == Severity.ERROR).toList();
        List<String> warnings = findings.stream().filter(f -> f.severity() == Severity.WARNING)
                .map(f -> shorten(f.shortText())).toList();
        Optional<String> refusal = errors.isEmpty() ? Optional.empty() : Optional.of(DenialMessage.of(change, errors));
        return new AdmissionDecision(change, findings, refusal, warnings);
    }

    /** Warnings are one line of at most 120 characters: {@code path.to.field: message}. */
    static String shorten(String text) {
        String oneLine = text.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= MAX_WARNING ? oneLine : oneLine.substring(0, MAX_WARNING - 3) + "...";
    }
}
