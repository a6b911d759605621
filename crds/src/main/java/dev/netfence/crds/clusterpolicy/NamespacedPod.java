package dev.netfence.crds.clusterpolicy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.LabelSelector;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class NamespacedPod {
    @JsonPropertyDescription("Namespaces to select pods in; empty selects all namespaces.")
    public LabelSelector namespaceSelector;

    @Required
    @JsonPropertyDescription("Pods to select in those namespaces; empty selects all pods.")
    public LabelSelector podSelector;
}
