package dev.netfence.webhook;

import dev.netfence.policy.analysis.Change;
import dev.netfence.policy.analysis.Finding;
import java.util.List;
import java.util.Optional;

/**
 * The webhook's answer to one change: admitted or refused with the message {@code kubectl} prints
 * after "denied the request: ", and the one-line warnings it prints either way.
 */
public record AdmissionDecision(Change change, List<Finding> findings, Optional<String> refusal, List<String> warnings) {

    public AdmissionDecision {
        findings = List.copyOf(findings);
        warnings = List.copyOf(warnings);
    }

    public boolean allowed() {
        return refusal.isEmpty();
    }

    /** Admitted without analysis (nothing in a namespace being deleted is refused). */
    static AdmissionDecision admit(Change change) {
        return new AdmissionDecision(change, List.of(), Optional.empty(), List.of());
    }
}
