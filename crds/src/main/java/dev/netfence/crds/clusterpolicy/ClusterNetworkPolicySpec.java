package dev.netfence.crds.clusterpolicy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ClusterNetworkPolicySpec {

    @Required
    @JsonPropertyDescription("Admin (evaluated before NetworkPolicies, cannot be overridden) or Baseline (after them, can be).")
    public String tier;

    @Required
    @Min(0)
    @Max(1000)
    @JsonPropertyDescription("0-1000: lower values are evaluated first within the tier.")
    public Integer priority;

    @Required
    @JsonPropertyDescription("The pods this policy applies to: exactly one of namespaces or pods.")
    public Subject subject;

    @Size(max = 25)
    @JsonPropertyDescription("Ingress rules, in precedence order. None: ingress is not affected.")
    public List<Rules.IngressRule> ingress;

    @Size(max = 25)
    @JsonPropertyDescription("Egress rules, in precedence order. None: egress is not affected.")
    public List<Rules.EgressRule> egress;
}
