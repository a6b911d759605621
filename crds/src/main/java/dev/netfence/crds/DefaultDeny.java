package dev.netfence.crds;

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
public class DefaultDeny extends CustomResource<DefaultDenySpec, DefaultDenyStatus> implements Namespaced {

    @Override
    protected DefaultDenySpec initSpec() {
        return new DefaultDenySpec();
    }

    @Override
    protected DefaultDenyStatus initStatus() {
        return new DefaultDenyStatus();
    }
}
