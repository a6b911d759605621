package dev.netfence.operator.status;

import dev.netfence.crds.NodeRuleSetStatus;
import dev.netfence.policy.compile.CompiledCluster;
import dev.netfence.policy.compile.LocalPod;
import dev.netfence.policy.compile.NodeRuleSet;
import dev.netfence.policy.compile.PolicyRules;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Realization of every policy object (NetworkPolicy, DefaultDeny, ClusterNetworkPolicy), from the compiled rule sets (who must enforce what) and the
 * NodeRuleSet statuses the enforcers wrote (what they applied). A node realizes a policy when its
 * enforcer reports the content hash of the current rule set as applied. Pure.
 */
public final class RealizationSummary {

    private final Map<String, PolicyRealization> byObject = new HashMap<>();

    /**
     * @param statuses the status of each node's NodeRuleSet as published, by node (null: none yet)
     */
    public RealizationSummary(CompiledCluster compiled, Function<String, NodeRuleSetStatus> statuses) {
        this(compiled, statuses, NodeRuleSet::contentHash);
    }

    public RealizationSummary(CompiledCluster compiled, Function<String, NodeRuleSetStatus> statuses,
                              Function<NodeRuleSet, String> hashes) {
        for (NodeRuleSet rs : compiled.nodes().values()) {
            NodeRuleSetStatus st = statuses.apply(rs.node());
            boolean realized = st != null && hashes.apply(rs).equals(st.appliedHash);
            String error = st == null ? null : st.error;
            for (PolicyRules p : rs.policies()) {
                at(p.kind(), p.namespace(), p.name()).addNode(rs.node(), realized, error);
            }
            for (LocalPod pod : rs.pods()) {
                pod.ingressPolicies().forEach(id -> atId(id).addPod(pod.key()));
                pod.egressPolicies().forEach(id -> atId(id).addPod(pod.key()));
                // a ClusterNetworkPolicy "selects" the pods its subject selects (LocalPod lists them per direction)
                pod.clusterIngress().forEach(id -> atId(id).addPod(pod.key()));
                pod.clusterEgress().forEach(id -> atId(id).addPod(pod.key()));
            }
        }
    }

    private PolicyRealization at(String kind, String namespace, String name) {
        return byObject.computeIfAbsent(kind + "/" + namespace + "/" + name, k -> new PolicyRealization());
    }

    /**
     * A policy id is {@code kind/namespace/name/direction} ({@code ClusterNetworkPolicy/name/direction} for the
     * cluster-scoped kind, whose namespace is ""): both directions count as one object.
     */
    private PolicyRealization atId(String id) {
        String object = id.substring(0, id.lastIndexOf('/'));
        if (object.startsWith(CLUSTER_PREFIX)) {
            object = CLUSTER_PREFIX + "/" + object.substring(CLUSTER_PREFIX.length());
        }
        return byObject.computeIfAbsent(object, k -> new PolicyRealization());
    }

    private static final String CLUSTER_PREFIX = dev.netfence.policy.model.ClusterNetworkPolicy.KIND + "/";

    /** The realization of one object; an object that selects no pods has an empty one (nothing to enforce). */
    public PolicyRealization of(String kind, String namespace, String name) {
        return byObject.getOrDefault(kind + "/" + namespace + "/" + name, PolicyRealization.none());
    }
}
