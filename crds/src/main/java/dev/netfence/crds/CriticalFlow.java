package dev.netfence.crds;

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
public class CriticalFlow extends CustomResource<CriticalFlowSpec, Void> {

    @Override
    protected CriticalFlowSpec initSpec() {
        return new CriticalFlowSpec();
    }
}
