package dev.netfence.policy.analysis;

import dev.netfence.policy.model.ObjectRef;

/**
 * One result of the analysis. {@code ruleId} is stable (tools filter on it); {@code fieldPath}
 * points into {@code object} ({@code spec.egress[0].to[1]}); {@code fix} is a YAML snippet to add
 * or change, or null when there is nothing to paste; {@code flow} names the critical flow for
 * {@link Rules#CRITICAL_FLOW} findings and is null otherwise.
 */
public record Finding(String ruleId, Severity severity, ObjectRef object, String fieldPath, String message,
                      String fix, String flow) {

    public Finding withSeverity(Severity s) {
        return new Finding(ruleId, s, object, fieldPath, message, fix, flow);
    }

    public Finding withMessage(String m) {
        return new Finding(ruleId, severity, object, fieldPath, m, fix, flow);
    }

    /** {@code path.to.field: message}. */
    public String shortText() {
        return fieldPath + ": " + message;
    }

    @Override
    public String toString() {
        return severity.label() + " " + ruleId + " " + object + " " + fieldPath + ": " + message;
    }
}
