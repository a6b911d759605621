package dev.netfence.policy.compile;

import java.util.List;

/**
 * A pod running on the node, as the datapath knows it: by its addresses. A non-empty policy list
 * means the pod is isolated in that direction and only traffic allowed by one of the listed
 * policies' rules passes; an empty list means the direction is not isolated (everything passes).
 * A DefaultDeny with no carve-out is a policy with no rules: it isolates and allows nothing.
 * A list of audited policies ({@link PolicyRules#audit()}; never mixed with enforcing ones: a pod an
 * enforcing policy isolates lists only those) means the direction is not isolated, and what those
 * policies' rules do not allow is accepted and logged as would-deny.
 *
 * @param namespace       the pod's namespace
 * @param name            the pod's name
 * @param ips             {@code status.podIPs}, IPv4 and/or IPv6, canonical text
 * @param ingressPolicies ids ({@link PolicyRules#id()}) of the policies isolating the pod for ingress, sorted
 * @param egressPolicies  ids of the policies isolating the pod for egress, sorted
 * @param clusterIngress  ids of the ClusterNetworkPolicy ingress directions whose subject selects the pod, in
 *                        evaluation order: the Admin tier's by (priority, name), then the Baseline tier's by
 *                        (priority, name) ({@link PolicyRules#tier()} tells which); empty: no tier rule applies
 * @param clusterEgress   the same for egress
 */
public record LocalPod(String namespace, String name, List<String> ips, List<String> ingressPolicies,
                       List<String> egressPolicies, List<String> clusterIngress, List<String> clusterEgress) {
    public LocalPod {
        ips = ips == null ? List.of() : List.copyOf(ips);
        ingressPolicies = ingressPolicies == null ? List.of() : List.copyOf(ingressPolicies);
        egressPolicies = egressPolicies == null ? List.of() : List.copyOf(egressPolicies);
        clusterIngress = clusterIngress == null ? List.of() : List.copyOf(clusterIngress);
        clusterEgress = clusterEgress == null ? List.of() : List.copyOf(clusterEgress);
    }

    /** A pod no ClusterNetworkPolicy selects. */
    public LocalPod(String namespace, String name, List<String> ips, List<String> ingressPolicies, List<String> egressPolicies) {
        this(namespace, name, ips, ingressPolicies, egressPolicies, List.of(), List.of());
    }

    /** {@code namespace/name}. */
    public String key() {
        return namespace + "/" + name;
    }

    /** The NetworkPolicy-tier policies of a direction. */
    public List<String> policies(dev.netfence.policy.model.Direction d) {
        return d == dev.netfence.policy.model.Direction.INGRESS ? ingressPolicies : egressPolicies;
    }

    /** The ClusterNetworkPolicy directions of a direction, in evaluation order. */
    public List<String> clusterPolicies(dev.netfence.policy.model.Direction d) {
        return d == dev.netfence.policy.model.Direction.INGRESS ? clusterIngress : clusterEgress;
    }
}
