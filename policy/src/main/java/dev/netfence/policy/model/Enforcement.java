package dev.netfence.policy.model;

import java.util.Locale;
import java.util.Optional;

/**
 * Whether a policy enforces or is audited. An audited policy changes nothing that is allowed: the
 * enforced verdict of every flow is computed as if it did not exist (so it does not isolate
 * anything either), and its audit verdict as if it enforced; a flow the enforced verdict allows and
 * the audit verdict denies is a {@code would-deny}. Switching is one annotation (NetworkPolicy
 * {@code netfence.dev/enforcement: audit}) or one field (DefaultDeny {@code spec.enforcement: Audit}).
 */
public enum Enforcement {
    ENFORCE, AUDIT;

    /** The NetworkPolicy annotation; absent or {@code enforce}: enforcing. */
    public static final String ANNOTATION = "netfence.dev/enforcement";

    /** The mode a NetworkPolicy's annotations give; empty when the value is neither {@code audit} nor {@code enforce}. */
    public static Optional<Enforcement> ofAnnotation(String value) {
        if (value == null) {
            return Optional.of(ENFORCE);
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "audit" -> Optional.of(AUDIT);
            case "enforce" -> Optional.of(ENFORCE);
            default -> Optional.empty();
        };
    }

    /** How {@code simulate}, {@code explain} and the status name it: {@code Audit} or {@code Enforce}. */
    public String apiName() {
        return this == AUDIT ? "Audit" : "Enforce";
    }
}
