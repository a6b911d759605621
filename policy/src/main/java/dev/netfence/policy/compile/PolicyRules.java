package dev.netfence.policy.compile;

import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.Tier;
import java.util.List;

/**
 * One direction of one policy (a NetworkPolicy or a DefaultDeny), compiled: a traffic in that
 * direction of a pod isolated by this policy is allowed when it matches any of {@code rules}
 * (rules are ORed; an empty list allows nothing, as {@code ingress: []} does). The rules are the
 * same for every pod the policy selects: named ports are resolved into destination address/port
 * pairs (see {@link CompiledRule#namedPorts()}), not per applied-to pod.
 *
 * @param id        stable id, {@code NetworkPolicy/ns/name/Ingress}; the datapath names its chain after a hash of it
 * @param kind      {@code NetworkPolicy} or {@code DefaultDeny}
 * @param namespace the policy's namespace
 * @param name      the policy's name
 * @param direction the direction these rules allow
 * @param rules     the compiled rules, in the order written ({@link CompiledRule#fieldPath()} names each)
 * @param audit     the policy is audited ({@code Enforcement}): it isolates only pods that no enforcing
 *                  policy isolates in this direction ({@link LocalPod}), whose traffic its rules do not
 *                  allow is accepted and logged as would-deny instead of dropped
 * @param tier      null for the NetworkPolicy tier (NetworkPolicy, DefaultDeny); {@code ADMIN} or
 *                  {@code BASELINE} for a ClusterNetworkPolicy direction (kind {@code ClusterNetworkPolicy},
 *                  namespace "", id {@code ClusterNetworkPolicy/name/Ingress}), whose rules carry their
 *                  {@link CompiledRule#action()} and are evaluated in written order, first match deciding
 * @param priority  the ClusterNetworkPolicy's {@code spec.priority} (0 for the NetworkPolicy tier); with the
 *                  name it orders a tier ({@code ClusterNetworkPolicy.EVALUATION_ORDER})
 */
public record PolicyRules(String id, String kind, String namespace, String name, Direction direction,
                          List<CompiledRule> rules, boolean audit, Tier tier, int priority) {
    public PolicyRules {
        rules = rules == null ? List.of() : List.copyOf(rules);
        namespace = namespace == null ? "" : namespace;
    }

    /** A NetworkPolicy-tier policy direction, enforcing or audited. */
    public PolicyRules(String id, String kind, String namespace, String name, Direction direction,
                       List<CompiledRule> rules, boolean audit) {
        this(id, kind, namespace, name, direction, rules, audit, null, 0);
    }

    /** An enforcing policy direction. */
    public PolicyRules(String id, String kind, String namespace, String name, Direction direction, List<CompiledRule> rules) {
        this(id, kind, namespace, name, direction, rules, false);
    }

    /** A ClusterNetworkPolicy direction of {@code tier}. */
    public static PolicyRules cluster(String name, Tier tier, int priority, Direction direction, List<CompiledRule> rules) {
        return new PolicyRules(clusterIdOf(name, direction), dev.netfence.policy.model.ClusterNetworkPolicy.KIND, "", name,
                direction, rules, false, tier, priority);
    }

    public static String idOf(String kind, String namespace, String name, Direction direction) {
        return kind + "/" + namespace + "/" + name + "/" + direction.apiName();
    }

    /** {@code ClusterNetworkPolicy/name/Ingress}: cluster-scoped, so no namespace part. */
    public static String clusterIdOf(String name, Direction direction) {
        return dev.netfence.policy.model.ClusterNetworkPolicy.KIND + "/" + name + "/" + direction.apiName();
    }

    /** Whether this is a ClusterNetworkPolicy direction (Admin or Baseline tier). */
    public boolean clusterTier() {
        return tier != null;
    }
}
