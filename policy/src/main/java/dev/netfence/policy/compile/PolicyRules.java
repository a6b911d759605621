package dev.netfence.policy.compile;

import dev.netfence.policy.model.Direction;
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
 */
public record PolicyRules(String id, String kind, String namespace, String name, Direction direction,
                          List<CompiledRule> rules, boolean audit) {
    public PolicyRules {
        rules = rules == null ? List.of() : List.copyOf(rules);
    }

    /** An enforcing policy direction. */
    public PolicyRules(String id, String kind, String namespace, String name, Direction direction, List<CompiledRule> rules) {
        this(id, kind, namespace, name, direction, rules, false);
    }

    public static String idOf(String kind, String namespace, String name, Direction direction) {
        return kind + "/" + namespace + "/" + name + "/" + direction.apiName();
    }
}
