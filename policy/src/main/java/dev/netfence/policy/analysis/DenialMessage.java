package dev.netfence.policy.analysis;

import java.util.List;

/**
 * The text of a refusal: what would break (which pods lose which flow, and why), then the YAML that
 * keeps it working. kubectl prints it as is, so it reads top-down in a terminal. The admission
 * webhook sends it; {@code netfence demo} shows it as a user would see it.
 */
public final class DenialMessage {

    private DenialMessage() {
    }

    public static String of(Change change, List<Finding> errors) {
        StringBuilder m = new StringBuilder("netfence refuses to ").append(verb(change.operation())).append(' ')
                .append(change.subject().ref()).append(":\n");
        for (Finding f : errors) {
            m.append("- ").append(f.ruleId()).append(' ').append(f.fieldPath()).append(": ").append(f.message()).append('\n');
            if (f.fix() != null) {
                m.append("  fix").append(change.operation() == Change.Operation.DELETE
                        ? " (keep it, or create this policy first):\n" : ":\n");
                f.fix().lines().forEach(l -> m.append("    ").append(l).append('\n'));
            }
        }
        return m.toString().stripTrailing();
    }

    private static String verb(Change.Operation op) {
        return switch (op) {
            case CREATE -> "create";
            case UPDATE -> "update";
            case DELETE -> "delete";
        };
    }
}
