package dev.netfence.crds.clusterpolicy;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * {@code ClusterNetworkPolicy} of the Kubernetes SIG Network API ({@code policy.networking.k8s.io},
 * cluster-scoped), as Netfence reads it. The CRD is upstream's: users install it from
 * kubernetes-sigs/network-policy-api; Netfence reads version {@value #VERSION} (the storage version
 * of the current upstream CRD, whose schema is v1alpha2's with masked CIDRs) and checks at start-up
 * that the cluster serves it ({@code ClusterPolicyCrdCheck} in cluster/). These classes are written
 * from the upstream field list; the CRD generated from them (excluded from {@code crds/*.yml}) is only
 * installed into the mock API server by tests.
 */
@Group(ClusterNetworkPolicy.GROUP)
@Version(ClusterNetworkPolicy.VERSION)
@Plural(ClusterNetworkPolicy.PLURAL)
@ShortNames("cnp")
@AdditionalPrinterColumn(name = "Tier", jsonPath = ".spec.tier", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Priority", jsonPath = ".spec.priority", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class ClusterNetworkPolicy extends CustomResource<ClusterNetworkPolicySpec, ClusterNetworkPolicyStatus> {

    public static final String GROUP = "policy.networking.k8s.io";
    public static final String VERSION = "v1beta1";
    public static final String PLURAL = "clusternetworkpolicies";
    public static final String CRD_NAME = PLURAL + "." + GROUP;

    @Override
    @JsonPropertyDescription("Spec defines the desired behavior of ClusterNetworkPolicy.")
    public ClusterNetworkPolicySpec getSpec() {
        return super.getSpec();
    }

    @Override
    @JsonPropertyDescription("Status is the status to be reported by the implementation.")
    public ClusterNetworkPolicyStatus getStatus() {
        return super.getStatus();
    }

    @Override
    protected ClusterNetworkPolicySpec initSpec() {
        return new ClusterNetworkPolicySpec();
    }

    @Override
    protected ClusterNetworkPolicyStatus initStatus() {
        return new ClusterNetworkPolicyStatus();
    }
}
