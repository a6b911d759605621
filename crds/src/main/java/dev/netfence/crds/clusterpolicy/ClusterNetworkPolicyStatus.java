package dev.netfence.crds.clusterpolicy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.netfence.crds.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ClusterNetworkPolicyStatus {
    @JsonPropertyDescription("Conditions (metav1.Condition), one per type.")
    public List<Condition> conditions = new ArrayList<>();
}
