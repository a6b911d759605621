package dev.netfence.policy.model;

/** Names a Kubernetes object in messages: kind, namespace (null when cluster-scoped) and name. */
public record ObjectRef(String kind, String namespace, String name) {

    public static ObjectRef networkPolicy(String namespace, String name) {
        return new ObjectRef("NetworkPolicy", namespace, name);
    }

    public static ObjectRef defaultDeny(String namespace, String name) {
        return new ObjectRef("DefaultDeny", namespace, name);
    }

    public static ObjectRef clusterNetworkPolicy(String name) {
        return new ObjectRef("ClusterNetworkPolicy", null, name);
    }

    public static ObjectRef pod(String namespace, String name) {
        return new ObjectRef("Pod", namespace, name);
    }

    /** {@code NetworkPolicy x/allow-dns}. */
    @Override
    public String toString() {
        return kind + " " + (namespace == null ? name : namespace + "/" + name);
    }
}
