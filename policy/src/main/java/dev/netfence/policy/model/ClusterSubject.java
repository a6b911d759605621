package dev.netfence.policy.model;

/**
 * {@code spec.subject}: "Exactly one field must be set": {@code namespaces} (every pod of the
 * matching namespaces) or {@code pods} (namespace selector AND pod selector). "Note that
 * host-networked pods are not included in subject selection." {@code podSelector} null means
 * the {@code namespaces} form.
 */
public record ClusterSubject(LabelSelector namespaceSelector, LabelSelector podSelector) {
    public ClusterSubject {
        namespaceSelector = namespaceSelector == null ? LabelSelector.ALL : namespaceSelector;
    }

    public static ClusterSubject namespaces(LabelSelector namespaces) {
        return new ClusterSubject(namespaces, null);
    }

    public static ClusterSubject pods(LabelSelector namespaces, LabelSelector pods) {
        return new ClusterSubject(namespaces, pods == null ? LabelSelector.ALL : pods);
    }

    public boolean selects(Pod pod, java.util.Map<String, String> namespaceLabels) {
        return !pod.hostNetwork() && namespaceSelector.matches(namespaceLabels)
                && (podSelector == null || podSelector.matches(pod.labels()));
    }

    @Override
    public String toString() {
        return podSelector == null ? "namespaces " + namespaceSelector
                : "pods " + podSelector + " in namespaces " + namespaceSelector;
    }
}
