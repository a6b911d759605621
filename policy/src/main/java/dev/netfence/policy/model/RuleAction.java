package dev.netfence.policy.model;

/**
 * What a ClusterNetworkPolicy rule does with the traffic it matches. {@code Accept}: "No further
 * ClusterNetworkPolicy or NetworkPolicy rules will be processed" for this direction (on egress "any
 * ingress rules at the destination do apply"); {@code Deny}: "Drops the selected traffic";
 * {@code Pass}: "Skips all further ClusterNetworkPolicy rules in the current tier ... and passes
 * evaluation to the next tier".
 */
public enum RuleAction {
    ACCEPT("Accept"), DENY("Deny"), PASS("Pass");

    private final String apiName;

    RuleAction(String apiName) {
        this.apiName = apiName;
    }

    public String apiName() {
        return apiName;
    }

    public static RuleAction parseOrNull(String value) {
        for (RuleAction a : values()) {
            if (a.apiName.equals(value)) {
                return a;
            }
        }
        return null;
    }
}
