package dev.netfence.crds;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A flow no NetworkPolicy or DefaultDeny may cut (cluster-scoped): the admission webhook refuses a
 * change after which pods lose it, and {@code netfence lint} reports it. DNS is built in; declaring
 * a CriticalFlow named {@code dns} replaces the built-in one.
 */
@Group("netfence.dev")
@Version("v1alpha1")
@ShortNames("cf")
@AdditionalPrinterColumn(name = "Description", jsonPath = ".spec.description", type = AdditionalPrinterColumn.Type.STRING,
        getDescription = "What the flow is for")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class CriticalFlow extends CustomResource<CriticalFlowSpec, Void> {

    /** Overridden only to describe the field in the CRD schema ({@code kubectl explain criticalflow.spec}). */
    @Override
    @JsonPropertyDescription("The flow: its source pods, its destination pods and/or addresses, and its ports.")
    public CriticalFlowSpec getSpec() {
        return super.getSpec();
    }

    @Override
    protected CriticalFlowSpec initSpec() {
        return new CriticalFlowSpec();
    }
}
