package dev.netfence.crds.clusterpolicy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.LabelSelector;

/** Exactly one field must be set; host-network pods are never subjects. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Subject {
    @JsonPropertyDescription("Every pod of the namespaces matching this selector.")
    public LabelSelector namespaces;

    @JsonPropertyDescription("Pods matching podSelector in namespaces matching namespaceSelector.")
    public NamespacedPod pods;
}
