package dev.netfence.crds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * Written by the node's enforcer after each attempt to apply the rule set (only that enforcer may: see
 * the ValidatingAdmissionPolicy {@code netfence-noderuleset-status} in the install bundle). Nothing here
 * reaches nftables; the limits keep a status small and its values recognisable.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeRuleSetStatus {
    @JsonPropertyDescription("spec.contentHash of the rule set in force on the node; equal to spec.contentHash once the current spec is applied.")
    @Size(min = 0, max = 128)
    public String appliedHash;
    @JsonPropertyDescription("When appliedHash was applied (RFC 3339).")
    @Size(min = 0, max = 64)
    public String appliedTime;
    @JsonPropertyDescription("Why the last attempt failed (the previous rules stay in force); absent after a successful apply.")
    @Size(min = 0, max = SchemaRules.MAX_ERROR_LENGTH)
    public String error;
    @JsonPropertyDescription("When the last attempt failed (RFC 3339).")
    @Size(min = 0, max = 64)
    public String errorTime;
    @JsonPropertyDescription("The enforcer that wrote this status (pod name).")
    @Size(min = 0, max = SchemaRules.DNS_SUBDOMAIN_MAX_LENGTH)
    public String enforcer;
    @JsonPropertyDescription("nftables rules in force.")
    @Min(0)
    public Integer rules;
    @JsonPropertyDescription("nftables set elements in force.")
    @Min(0)
    public Integer elements;
    @JsonPropertyDescription("Pods the CNI plugin announced on this node that the applied rule set does not name yet: their"
            + " traffic is dropped (fail-closed) until the operator compiles them. Above zero for long: the operator is behind or down.")
    @Min(0)
    public Integer podsWaiting;
    @JsonPropertyDescription("The first of the waiting pods (namespace/name, sorted; at most " + SchemaRules.MAX_WAITING_PODS_LISTED
            + "; podsWaiting counts all).")
    @Size(min = 0, max = SchemaRules.MAX_WAITING_PODS_LISTED)
    public List<@Size(min = 1, max = SchemaRules.POD_KEY_MAX_LENGTH) String> waitingPods;
    @JsonPropertyDescription("How the last change was applied: FULL (table replaced), DELTA (set elements) or UNCHANGED.")
    @Pattern("^(FULL|DELTA|UNCHANGED)$")
    public String applyKind;
}
