package dev.netfence.policy.compile;

import java.util.List;

/**
 * What one node must enforce (Antrea's per-node view of its applied-to groups): the node's own
 * addresses, its local pods with the policies isolating each of them, those policies' compiled
 * rules, and the names of the shared {@link AddressSet}s the rules refer to.
 *
 * <p>Plain fields only, so the record maps one-to-one to the {@code NodeRuleSet} custom resource
 * (name = {@code node}) and to the YAML read by the enforcer's file source. Lists are sorted, so
 * equal content gives equal records and equal serialized text (the operator writes only changes).
 *
 * @param node          the node name ({@code spec.nodeName} of the local pods)
 * @param nodeAddresses the node's own addresses plus those of host-network pods on it: traffic
 *                      between a local pod and these is always allowed ("traffic to and from the
 *                      node where a Pod is running is always allowed"), whatever the policies say
 * @param pods          every non-host-network pod of the node that has IPs, isolated or not (empty
 *                      policy lists: not isolated in that direction); the enforcer holds a pod that the
 *                      CNI plugin announced but this list does not name yet (fail-closed)
 * @param policies      the compiled policies referenced by {@link LocalPod#ingressPolicies()},
 *                      {@link LocalPod#egressPolicies()}, {@link LocalPod#clusterIngress()} and
 *                      {@link LocalPod#clusterEgress()}, sorted by {@link PolicyRules#id()}
 * @param addressSets   names of every {@link AddressSet} referenced by a rule of {@code policies}
 */
public record NodeRuleSet(String node, List<String> nodeAddresses, List<LocalPod> pods, List<PolicyRules> policies,
                          List<String> addressSets) {
    public NodeRuleSet {
        nodeAddresses = nodeAddresses == null ? List.of() : List.copyOf(nodeAddresses);
        pods = pods == null ? List.of() : List.copyOf(pods);
        policies = policies == null ? List.of() : List.copyOf(policies);
        addressSets = addressSets == null ? List.of() : List.copyOf(addressSets);
    }

    /**
     * A stable hash of the whole content ({@code spec.contentHash}, and the {@code status.ruleSetHash} the
     * enforcer reports), built from per-part digests so that it can be updated per pod ({@link RuleSetHash}).
     */
    public String contentHash() {
        return RuleSetHash.of(this).hash();
    }
}
