package dev.netfence.crds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Written by the node's enforcer after each attempt to apply the rule set. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeRuleSetStatus {
    @JsonPropertyDescription("spec.contentHash of the rule set in force on the node; equal to spec.contentHash once the current spec is applied.")
    public String appliedHash;
    @JsonPropertyDescription("When appliedHash was applied (RFC 3339).")
    public String appliedTime;
    @JsonPropertyDescription("Why the last attempt failed (the previous rules stay in force); absent after a successful apply.")
    public String error;
    @JsonPropertyDescription("When the last attempt failed (RFC 3339).")
    public String errorTime;
    @JsonPropertyDescription("The enforcer that wrote this status (pod name).")
    public String enforcer;
    @JsonPropertyDescription("nftables rules in force.")
    public Integer rules;
    @JsonPropertyDescription("nftables set elements in force.")
    public Integer elements;
    @JsonPropertyDescription("How the last change was applied: FULL (table replaced), DELTA (set elements) or UNCHANGED.")
    public String applyKind;
}
