package dev.netfence.policy.model;

/** A policy direction; also the value of {@code policyTypes} entries. */
public enum Direction {
    INGRESS("Ingress"), EGRESS("Egress");

    private final String apiName;

    Direction(String apiName) {
        this.apiName = apiName;
    }

    /** The spelling used in {@code policyTypes}. */
    public String apiName() {
        return apiName;
    }

    public String field() {
        return this == INGRESS ? "ingress" : "egress";
    }

    public static Direction parse(String value) {
        for (Direction d : values()) {
            if (d.apiName.equals(value)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unsupported policy type \"" + value + "\": use Ingress or Egress");
    }
}
