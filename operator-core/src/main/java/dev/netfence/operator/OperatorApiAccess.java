package dev.netfence.operator;

import java.util.List;

/**
 * Every API call the operator makes, as RBAC sees it. Keep it next to the code: a new call means a
 * new line here and in {@code src/main/kubernetes/operator-rbac.yaml}; {@code RbacIT} fails when the
 * manifest, this list and the requests the operator really sends disagree.
 */
public final class OperatorApiAccess {

    /** One RBAC permission; {@code namespaced} ones are granted by a Role in the operator's namespace. */
    public record Permission(String apiGroup, String resource, String verb, boolean namespaced) {
    }

    public static final List<Permission> PERMISSIONS = List.of(
            // ClusterInformers
            cluster("", "namespaces", "list"), cluster("", "namespaces", "watch"),
            cluster("", "pods", "list"), cluster("", "pods", "watch"),
            cluster("", "nodes", "list"), cluster("", "nodes", "watch"),
            cluster("networking.k8s.io", "networkpolicies", "list"), cluster("networking.k8s.io", "networkpolicies", "watch"),
            cluster("netfence.dev", "defaultdenies", "list"), cluster("netfence.dev", "defaultdenies", "watch"),
            cluster("policy.networking.k8s.io", "clusternetworkpolicies", "list"),
            cluster("policy.networking.k8s.io", "clusternetworkpolicies", "watch"),
            // ClusterPolicyCrdCheck, before the ClusterNetworkPolicy informer starts (the manifest names the one CRD)
            cluster("apiextensions.k8s.io", "customresourcedefinitions", "get"),
            cluster("netfence.dev", "noderulesets", "list"), cluster("netfence.dev", "noderulesets", "watch"),
            cluster("netfence.dev", "addresssets", "list"), cluster("netfence.dev", "addresssets", "watch"),
            // KubernetesObjectWriter (fabric8 reads the object before it sends a patch)
            cluster("netfence.dev", "noderulesets", "get"), cluster("netfence.dev", "addresssets", "get"),
            cluster("netfence.dev", "noderulesets", "create"), cluster("netfence.dev", "noderulesets", "patch"),
            cluster("netfence.dev", "noderulesets", "delete"),
            cluster("netfence.dev", "addresssets", "create"), cluster("netfence.dev", "addresssets", "patch"),
            cluster("netfence.dev", "addresssets", "delete"),
            // RealizationReporter: the NetworkPolicy annotation
            cluster("networking.k8s.io", "networkpolicies", "get"), cluster("networking.k8s.io", "networkpolicies", "patch"),
            // ClusterPolicyStatusWriter: the status subresource only; a 409 Conflict is retried from a fresh read
            cluster("policy.networking.k8s.io", "clusternetworkpolicies/status", "update"),
            cluster("policy.networking.k8s.io", "clusternetworkpolicies", "get"),
            // DefaultDenyStatusReconciler (its controller's informer: the list + watch of defaultdenies above)
            cluster("netfence.dev", "defaultdenies/status", "patch"),
            // LeaderGate
            new Permission("coordination.k8s.io", "leases", "get", true),
            new Permission("coordination.k8s.io", "leases", "create", true),
            new Permission("coordination.k8s.io", "leases", "patch", true));

    private OperatorApiAccess() {
    }

    private static Permission cluster(String group, String resource, String verb) {
        return new Permission(group, resource, verb, false);
    }
}
