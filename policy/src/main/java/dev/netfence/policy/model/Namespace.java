package dev.netfence.policy.model;

import java.util.HashMap;
import java.util.Map;

/**
 * A namespace and its labels. The API server always sets {@code kubernetes.io/metadata.name};
 * the constructor adds it when the input lacks it so selectors behave as on a real cluster.
 */
public record Namespace(String name, Map<String, String> labels) {
    public static final String NAME_LABEL = "kubernetes.io/metadata.name";

    public Namespace {
        Map<String, String> l = new HashMap<>(labels == null ? Map.of() : labels);
        l.putIfAbsent(NAME_LABEL, name);
        labels = Map.copyOf(l);
    }

    public static Namespace of(String name) {
        return new Namespace(name, Map.of());
    }
}
