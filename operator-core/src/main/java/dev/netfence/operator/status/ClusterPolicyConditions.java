package dev.netfence.operator.status;

import dev.netfence.crds.Condition;
import dev.netfence.crds.clusterpolicy.ClusterNetworkPolicyStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds a ClusterNetworkPolicy's {@code status.conditions} (pure). Upstream's v1beta1 status is a
 * list of {@code metav1.Condition} keyed by type ("Status is the status to be reported by the
 * implementation") and defines no condition types of its own, so Netfence writes:
 * <ul>
 *   <li>{@value #ACCEPTED} (the name the Kubernetes SIG Network APIs use for "the implementation
 *       read this generation and will act on it"): {@code True}/{@code Accepted} once the generation
 *       passed the CRD's rules as Netfence checks them and is compiled; {@code False}/{@code Invalid}
 *       with the field path and what is wrong otherwise (the last valid version, if any, stays in force).
 *       Its {@code observedGeneration} is the generation judged: the object's current one.</li>
 *   <li>{@value #ENFORCED}, Netfence's own (domain-prefixed so it cannot collide with a condition
 *       upstream or another implementation defines): how far the version in force is applied by the
 *       node enforcers, as for DefaultDeny: {@code Enforced} (True: every node running a pod its
 *       subject selects applied the rule set holding it), {@code NoPodsSelected} (True: nothing to
 *       enforce), {@code Pending} (False: not every such node reported the current rule set yet),
 *       {@code ApplyFailed} (False: an enforcer reported an error; its previous rules stay in force),
 *       {@code NotAccepted} (False: no version was ever valid, nothing of it is enforced). Its
 *       {@code observedGeneration} is the generation in force.</li>
 * </ul>
 * A condition keeps its {@code lastTransitionTime} while its status does not change. Messages stay
 * within metav1.Condition's 32768 characters.
 */
public final class ClusterPolicyConditions {
    public static final String ACCEPTED = "Accepted";
    public static final String ENFORCED = "netfence.dev/Enforced";
    static final int MAX_MESSAGE = 32768;

    private ClusterPolicyConditions() {
    }

    /**
     * @param r                  its realization in the last compile (pods selected, nodes desired and realized)
     * @param currentGeneration  the object's metadata.generation now
     * @param compiledGeneration the generation in force (-1: none was ever valid)
     * @param invalid            why the current generation was refused, or null
     */
    public static ClusterNetworkPolicyStatus build(PolicyRealization r, long currentGeneration, long compiledGeneration,
                                                   String invalid, ClusterNetworkPolicyStatus previous, String now) {
        List<Condition> conditions = new ArrayList<>();
        int nodes = r.nodesDesired().size();
        if (invalid != null) {
            conditions.add(condition(previous, ACCEPTED, "False", "Invalid", invalid + (compiledGeneration < 0
                    ? " (no version of it was valid: nothing of it is enforced)"
                    : " (generation " + compiledGeneration + ", the last valid version, stays in force)"), currentGeneration, now));
        } else {
            conditions.add(condition(previous, ACCEPTED, "True", "Accepted", "valid; compiled into the NodeRuleSets of " + nodes
                    + (nodes == 1 ? " node" : " nodes"), currentGeneration, now));
        }
        long inForce = compiledGeneration < 0 ? currentGeneration : compiledGeneration;
        if (compiledGeneration < 0) {
            conditions.add(condition(previous, ENFORCED, "False", "NotAccepted", "no valid version: nothing of it is enforced",
                    inForce, now));
        } else if (nodes == 0) {
            conditions.add(condition(previous, ENFORCED, "True", "NoPodsSelected",
                    "its subject selects no running pod: nothing to enforce", inForce, now));
        } else if (r.enforced()) {
            conditions.add(condition(previous, ENFORCED, "True", "Enforced", "enforced on all " + nodes + " nodes running the "
                    + r.selectedPods() + " pods its subject selects", inForce, now));
        } else if (!r.nodeErrors().isEmpty()) {
            var first = r.nodeErrors().entrySet().iterator().next();
            conditions.add(condition(previous, ENFORCED, "False", "ApplyFailed", r.nodeErrors().size() + " of " + nodes
                    + " nodes failed to apply their rule set (their previous rules stay in force); node " + first.getKey() + ": "
                    + first.getValue(), inForce, now));
        } else {
            conditions.add(condition(previous, ENFORCED, "False", "Pending", r.nodesRealized().size() + " of " + nodes
                    + " nodes applied the current rule set", inForce, now));
        }
        ClusterNetworkPolicyStatus s = new ClusterNetworkPolicyStatus();
        s.conditions = conditions;
        return s;
    }

    private static Condition condition(ClusterNetworkPolicyStatus previous, String type, String status, String reason,
                                       String message, long generation, String now) {
        String since = now;
        if (previous != null && previous.conditions != null) {
            for (Condition c : previous.conditions) {
                if (type.equals(c.type) && status.equals(c.status) && c.lastTransitionTime != null) {
                    since = c.lastTransitionTime;
                }
            }
        }
        String m = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 3) + "..." : message;
        return new Condition(type, status, reason, m, since, generation);
    }

    /**
     * True when {@code desired} says what {@code current} says (transition times aside). Conditions of
     * other types in {@code current} (another implementation's) are not compared: {@link #merged} keeps them.
     */
    public static boolean same(ClusterNetworkPolicyStatus desired, ClusterNetworkPolicyStatus current) {
        List<Condition> have = current == null || current.conditions == null ? List.of() : current.conditions;
        for (Condition d : desired.conditions) {
            Condition c = have.stream().filter(x -> d.type.equals(x.type)).findFirst().orElse(null);
            if (c == null || !Objects.equals(d.status, c.status) || !Objects.equals(d.reason, c.reason)
                    || !Objects.equals(d.message, c.message) || !Objects.equals(d.observedGeneration, c.observedGeneration)) {
                return false;
            }
        }
        return true;
    }

    /** {@code desired}'s conditions in place of the same types in {@code current}; other types stay as they are. */
    public static ClusterNetworkPolicyStatus merged(ClusterNetworkPolicyStatus desired, ClusterNetworkPolicyStatus current) {
        ClusterNetworkPolicyStatus out = new ClusterNetworkPolicyStatus();
        List<Condition> conditions = new ArrayList<>();
        if (current != null && current.conditions != null) {
            for (Condition c : current.conditions) {
                if (desired.conditions.stream().noneMatch(d -> d.type.equals(c.type))) {
                    conditions.add(c);
                }
            }
        }
        conditions.addAll(desired.conditions);
        out.conditions = conditions;
        return out;
    }
}
