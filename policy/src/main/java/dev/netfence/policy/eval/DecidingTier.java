package dev.netfence.policy.eval;

/**
 * Which step decided one side of a flow. The tiers are evaluated "in the following order: Admin
 * tier, NetworkPolicy tier, Baseline tier"; "If a given connection wasn't allowed or denied by any
 * of the tiers, the default kubernetes policy is applied". {@code EXEMPT}: traffic no policy
 * ever judges (a pod to itself, a pod and its own node, an end that is not a pod).
 */
public enum DecidingTier {
    EXEMPT("exempt"), ADMIN("Admin tier"), NETWORK_POLICY("NetworkPolicy tier"), BASELINE("Baseline tier"),
    DEFAULT("default allow");

    private final String label;

    DecidingTier(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
