package dev.netfence.policy.model;

import java.util.Comparator;
import java.util.List;

/**
 * A {@code policy.networking.k8s.io} ClusterNetworkPolicy (cluster-scoped): its tier, its
 * {@code priority} ("a value from 0 to 1000 ... Policies with lower priority values have higher
 * precedence"), its subject and its rules ("The relative precedence of ingress rules within a
 * single CNP object ... will be determined by the order in which the rule is written"; "CNPs with
 * no ingress rules do not affect ingress traffic").
 */
public record ClusterNetworkPolicy(String name, Tier tier, int priority, ClusterSubject subject,
                                   List<ClusterRule> ingress, List<ClusterRule> egress) {

    public static final String KIND = "ClusterNetworkPolicy";

    /**
     * The order in which Netfence evaluates the policies of one tier: priority, then name.
     * Upstream leaves same-priority overlaps to the implementation ("the implementation can apply
     * any of the matching policies ... there is no way for the user to reliably determine which
     * one it will choose"); Netfence picks the alphabetical order of the names so every part
     * (engine, compiler, datapath) and every run agree, and {@code lint} warns about such overlaps.
     */
    public static final Comparator<ClusterNetworkPolicy> EVALUATION_ORDER =
            Comparator.comparingInt(ClusterNetworkPolicy::priority).thenComparing(ClusterNetworkPolicy::name);

    public ClusterNetworkPolicy {
        ingress = ingress == null ? List.of() : List.copyOf(ingress);
        egress = egress == null ? List.of() : List.copyOf(egress);
    }

    public ObjectRef ref() {
        return ObjectRef.clusterNetworkPolicy(name);
    }

    public List<ClusterRule> rules(Direction d) {
        return d == Direction.INGRESS ? ingress : egress;
    }
}
