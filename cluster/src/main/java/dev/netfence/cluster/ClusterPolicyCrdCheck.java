package dev.netfence.cluster;

import dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;

/**
 * Checks, at start-up, that the cluster serves the ClusterNetworkPolicy version Netfence reads
 * ({@value ClusterNetworkPolicy#VERSION} of {@value ClusterNetworkPolicy#GROUP}). The CRD is
 * upstream's (kubernetes-sigs/network-policy-api), installed by the cluster's administrators; its
 * versions differ in validation (v1beta1 requires masked CIDRs), so reading another version's
 * objects as ours would misjudge them. The result is a sentence for the log, never an exception:
 * a missing or mismatched CRD turns off ClusterNetworkPolicy support, not NetworkPolicy support.
 */
public final class ClusterPolicyCrdCheck {

    public enum Status { SERVED, NOT_INSTALLED, VERSION_NOT_SERVED, UNKNOWN }

    public record Result(Status status, String message) {
    }

    /**
     * How to install upstream's CRD: the standard channel's manifest of a kubernetes-sigs/network-policy-api
     * release. Release v0.2.0 serves v1alpha2 only; v1beta1 comes with the releases after it, so the
     * tag is the user's to fill in (the check then tells whether it serves v1beta1).
     */
    public static final String INSTALL = "kubectl apply -f https://raw.githubusercontent.com/kubernetes-sigs/"
            + "network-policy-api/<release>/config/crd/standard/policy.networking.k8s.io_clusternetworkpolicies.yaml";

    private ClusterPolicyCrdCheck() {
    }

    public static Result check(KubernetesClient client) {
        CustomResourceDefinition crd;
        try {
            crd = client.apiextensions().v1().customResourceDefinitions().withName(ClusterNetworkPolicy.CRD_NAME).get();
        } catch (KubernetesClientException e) {
            return new Result(Status.UNKNOWN, "cannot read CustomResourceDefinition " + ClusterNetworkPolicy.CRD_NAME + " (HTTP "
                    + e.getCode() + "): grant get on customresourcedefinitions to this service account; "
                    + "ClusterNetworkPolicies are ignored until then (restart after fixing)");
        }
        return of(crd);
    }

    /** The verdict for a CRD as read (null: not installed). */
    public static Result of(CustomResourceDefinition crd) {
        String wanted = ClusterNetworkPolicy.VERSION;
        if (crd == null) {
            return new Result(Status.NOT_INSTALLED, "CustomResourceDefinition " + ClusterNetworkPolicy.CRD_NAME + " is not "
                    + "installed: ClusterNetworkPolicies are ignored (NetworkPolicies and DefaultDenies work as usual); to use "
                    + "them, install upstream's CRD from a kubernetes-sigs/network-policy-api release that serves " + wanted
                    + " (" + INSTALL + "), then restart Netfence");
        }
        List<String> served = crd.getSpec().getVersions().stream().filter(v -> Boolean.TRUE.equals(v.getServed()))
                .map(CustomResourceDefinitionVersion::getName).toList();
        if (!served.contains(wanted)) {
            return new Result(Status.VERSION_NOT_SERVED, "CustomResourceDefinition " + ClusterNetworkPolicy.CRD_NAME
                    + " serves " + (served.isEmpty() ? "no version" : String.join(", ", served)) + ", not " + wanted
                    + ", the version Netfence reads: ClusterNetworkPolicies are ignored; install the CRD of a "
                    + "kubernetes-sigs/network-policy-api release that serves " + wanted + " (" + INSTALL + "), then restart Netfence");
        }
        return new Result(Status.SERVED, "CustomResourceDefinition " + ClusterNetworkPolicy.CRD_NAME + " serves " + wanted);
    }
}
