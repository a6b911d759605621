package dev.netfence.operator.status;

import dev.netfence.crds.Condition;
import dev.netfence.crds.DefaultDenyStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds a DefaultDeny's status from its realization (pure). Conditions and their stable reasons:
 * <ul>
 *   <li>{@code Ready}: {@code Compiled} (True) once the generation was compiled into the NodeRuleSets;
 *       {@code InvalidSpec} (False) when it was refused (the message names the field), the last valid
 *       version then stays in force.</li>
 *   <li>{@code Enforced}: {@code Enforced} (True) when every node running a selected pod applied it,
 *       {@code NoPodsSelected} (True) when there is nothing to enforce, {@code Pending} (False) while
 *       enforcers have not reported the current rule sets, {@code ApplyFailed} (False) when one reported an error.</li>
 * </ul>
 * A condition keeps its {@code lastTransitionTime} while its status does not change.
 */
public final class DefaultDenyStatusAggregator {

    private DefaultDenyStatusAggregator() {
    }

    public static DefaultDenyStatus build(PolicyRealization r, long generation, DefaultDenyStatus previous, String now) {
        return build(r, generation, null, previous, now);
    }

    /** @param invalid why this generation was refused, or null */
    public static DefaultDenyStatus build(PolicyRealization r, long generation, String invalid, DefaultDenyStatus previous,
                                          String now) {
        DefaultDenyStatus s = new DefaultDenyStatus();
        s.selectedPods = r.selectedPods();
        s.nodesDesired = r.nodesDesired().size();
        s.nodesRealized = r.nodesRealized().size();
        s.observedGeneration = generation;
        List<Condition> conditions = new ArrayList<>();
        if (invalid != null) {
            conditions.add(condition(previous, "Ready", "False", "InvalidSpec",
                    invalid + " (the last valid version, if any, stays in force)", generation, now));
        } else {
            conditions.add(condition(previous, "Ready", "True", "Compiled",
                    "compiled into the NodeRuleSets of " + s.nodesDesired + " nodes", generation, now));
        }
        if (r.nodesDesired().isEmpty()) {
            conditions.add(condition(previous, "Enforced", "True", "NoPodsSelected",
                    "no running pod is selected: nothing to enforce", generation, now));
        } else if (r.enforced()) {
            conditions.add(condition(previous, "Enforced", "True", "Enforced",
                    "enforced on all " + s.nodesDesired + " nodes running its " + s.selectedPods + " pods", generation, now));
        } else if (!r.nodeErrors().isEmpty()) {
            var first = r.nodeErrors().entrySet().iterator().next();
            conditions.add(condition(previous, "Enforced", "False", "ApplyFailed",
                    r.nodeErrors().size() + " nodes failed to apply their rule set (the previous rules stay in force); node "
                            + first.getKey() + ": " + first.getValue(), generation, now));
        } else {
            conditions.add(condition(previous, "Enforced", "False", "Pending",
                    s.nodesRealized + " of " + s.nodesDesired + " nodes applied the current rule set", generation, now));
        }
        s.conditions = conditions;
        return s;
    }

    private static Condition condition(DefaultDenyStatus previous, String type, String status, String reason, String message,
                                       long generation, String now) {
        String since = now;
        if (previous != null && previous.conditions != null) {
            for (Condition c : previous.conditions) {
                if (type.equals(c.type) && status.equals(c.status) && c.lastTransitionTime != null) {
                    since = c.lastTransitionTime;
                }
            }
        }
        return new Condition(type, status, reason, message, since, generation);
    }

    /** True when two statuses say the same thing (transition times aside). */
    public static boolean same(DefaultDenyStatus a, DefaultDenyStatus b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (!Objects.equals(a.selectedPods, b.selectedPods) || !Objects.equals(a.nodesDesired, b.nodesDesired)
                || !Objects.equals(a.nodesRealized, b.nodesRealized) || !Objects.equals(a.observedGeneration, b.observedGeneration)) {
            return false;
        }
        List<Condition> ca = a.conditions == null ? List.of() : a.conditions;
        List<Condition> cb = b.conditions == null ? List.of() : b.conditions;
        if (ca.size() != cb.size()) {
            return false;
        }
        for (int i = 0; i < ca.size(); i++) {
            Condition x = ca.get(i);
            Condition y = cb.get(i);
            if (!Objects.equals(x.type, y.type) || !Objects.equals(x.status, y.status) || !Objects.equals(x.reason, y.reason)
                    || !Objects.equals(x.message, y.message) || !Objects.equals(x.observedGeneration, y.observedGeneration)) {
                return false;
            }
        }
        return true;
    }
}
