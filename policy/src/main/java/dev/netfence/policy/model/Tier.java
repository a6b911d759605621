package dev.netfence.policy.model;

/**
 * The tier of a ClusterNetworkPolicy ({@code spec.tier}). "Policy tiers are evaluated in the
 * following order: Admin tier, NetworkPolicy tier, Baseline tier"; if none decides, "the default
 * kubernetes policy is applied, which says that all pods can communicate with each other".
 */
public enum Tier {
    ADMIN("Admin"), BASELINE("Baseline");

    private final String apiName;

    Tier(String apiName) {
        this.apiName = apiName;
    }

    public String apiName() {
        return apiName;
    }

    /** The tier written as {@code value}, or null when it is not one (the validator reports it). */
    public static Tier parseOrNull(String value) {
        for (Tier t : values()) {
            if (t.apiName.equals(value)) {
                return t;
            }
        }
        return null;
    }
}
