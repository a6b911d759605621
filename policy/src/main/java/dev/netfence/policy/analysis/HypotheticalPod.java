package dev.netfence.policy.analysis;

import dev.netfence.policy.model.ContainerPort;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Pod;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A pod that does not exist yet but that a selector describes, so that a policy written before its
 * pods (or a lint run without pods) is still checked. Its name says what it is; it has no IP.
 */
final class HypotheticalPod {

    static final String NAME_PREFIX = "new pod matching ";

    private HypotheticalPod() {
    }

    /** The least-labelled pod of {@code namespace} that {@code selector} selects, if one can satisfy it. */
    static Optional<Pod> matching(String namespace, LabelSelector selector, List<ContainerPort> ports) {
        Map<String, String> labels = new HashMap<>(selector.matchLabels());
        for (LabelSelector.Requirement r : selector.matchExpressions()) {
            LabelSelector.Operator op = r.op();
            if (op == LabelSelector.Operator.IN && !r.values().isEmpty()) {
                labels.putIfAbsent(r.key(), r.values().get(0));
            } else if (op == LabelSelector.Operator.EXISTS) {
                labels.putIfAbsent(r.key(), "any");
            }
        }
        if (!selector.matches(labels)) {
            return Optional.empty();   // contradictory selector: no pod can ever match it
        }
        String name = NAME_PREFIX + (selector.isEmpty() ? "{}" : selector.toString());
        return Optional.of(new Pod(namespace, name, labels, List.of(), null, false, ports));
    }

    static boolean is(Pod pod) {
        return pod.name().startsWith(NAME_PREFIX);
    }

    /** How a pod is named in messages: {@code shop/web-1} or {@code a new pod in shop matching app=web}. */
    static String describe(Pod pod) {
        return is(pod) ? "a " + pod.name() + " in " + pod.namespace() : pod.key();
    }
}
