package dev.netfence.crds;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Isolates every pod of its namespace for ingress and/or egress, keeping DNS working by default.
 * Combines with NetworkPolicies by union, like one more policy.
 */
@Group("netfence.dev")
@Version("v1alpha1")
@ShortNames("dd")
@AdditionalPrinterColumn(name = "Types", jsonPath = ".spec.policyTypes", type = AdditionalPrinterColumn.Type.STRING,
        getDescription = "Directions isolated (absent: Ingress and Egress)")
@AdditionalPrinterColumn(name = "DNS", jsonPath = ".spec.allowDNS", type = AdditionalPrinterColumn.Type.BOOLEAN,
        getDescription = "Egress to the cluster DNS kept open")
@AdditionalPrinterColumn(name = "Pods", jsonPath = ".status.selectedPods", type = AdditionalPrinterColumn.Type.INTEGER,
        getDescription = "Pods isolated")
@AdditionalPrinterColumn(name = "Enforced", jsonPath = ".status.conditions[?(@.type==\"Enforced\")].status",
        type = AdditionalPrinterColumn.Type.STRING, getDescription = "Every node with selected pods applied it")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class DefaultDeny extends CustomResource<DefaultDenySpec, DefaultDenyStatus> implements Namespaced {

    /** Overridden only to describe the field in the CRD schema ({@code kubectl explain defaultdeny.spec}). */
    @Override
    @JsonPropertyDescription("What to isolate and what to keep open: policyTypes, allowDNS, allowSameNamespace, exemptPodSelector.")
    public DefaultDenySpec getSpec() {
        return super.getSpec();
    }

    /** Overridden only to describe the field in the CRD schema. */
    @Override
    @JsonPropertyDescription("Written by the operator: conditions Ready and Enforced, the pods selected, the nodes that applied it.")
    public DefaultDenyStatus getStatus() {
        return super.getStatus();
    }

    @Override
    protected DefaultDenySpec initSpec() {
        return new DefaultDenySpec();
    }

    @Override
    protected DefaultDenyStatus initStatus() {
        return new DefaultDenyStatus();
    }
}
