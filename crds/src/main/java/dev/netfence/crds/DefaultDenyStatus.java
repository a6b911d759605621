package dev.netfence.crds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class DefaultDenyStatus {
    @JsonPropertyDescription("Ready: the DefaultDeny was compiled; Enforced: every node with selected pods applied it.")
    public List<Condition> conditions = new ArrayList<>();
    @JsonPropertyDescription("Number of pods this DefaultDeny isolates.")
    public Integer selectedPods;
    @JsonPropertyDescription("Nodes that applied the rule sets carrying this DefaultDeny.")
    public Integer nodesRealized;
    @JsonPropertyDescription("Nodes that must apply it (nodes running selected pods).")
    public Integer nodesDesired;
    @JsonPropertyDescription("The metadata.generation last reconciled.")
    public Long observedGeneration;
}
