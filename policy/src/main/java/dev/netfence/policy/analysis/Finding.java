package dev.netfence.policy.analysis;

import dev.netfence.policy.model.ObjectRef;

/**
 * One result of the analysis. {@code ruleId} is stable (tools filter on it); {@code fieldPath}
 * points into {@code object} ({@code spec.egress[0].to[1]}); {@code fix} is a YAML snippet to add
 * or change, or null when there is nothing to paste; {@code flow} names the critical flow for
 * {@link Rules#CRITICAL_FLOW} findings and is null otherwise. {@code summary} is a one-line
 * version of the message for places with little room (admission warnings), or null when the
 * message is short already.
 */
public record Finding(String ruleId, Severity severity, ObjectRef object, String fieldPath, String message,
                      String fix, String flow, String summary) {

    public Finding(String ruleId, Severity severity, ObjectRef object, String fieldPath, String message, String fix, String flow) {
        this(ruleId, severity, object, fieldPath, message, fix, flow, null);
    }

    /** {@code path.to.field: message}, using the summary when there is one. */
    public String shortText() {
        return fieldPath + ": " + (summary != null ? summary : message);
    }

    @Override
    public String toString() {
        return severity.label() + " " + ruleId + " " + object + " " + fieldPath + ": " + message;
    }
}
