package dev.netfence.cluster;

import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * A keyed change set: the keys of every object of each kind that changed since the consumer last
 * looked (several changes of one object are one key). Read the current values from the model.
 */
public record ClusterChanges(Map<ClusterChange.Kind, Set<String>> keys) {

    public static final ClusterChanges NONE = new ClusterChanges(Map.of());

    public ClusterChanges {
        EnumMap<ClusterChange.Kind, Set<String>> copy = new EnumMap<>(ClusterChange.Kind.class);
        keys.forEach((k, v) -> {
            if (!v.isEmpty()) {
                copy.put(k, Set.copyOf(v));
            }
        });
        keys = java.util.Collections.unmodifiableMap(copy);
    }

    public Set<String> of(ClusterChange.Kind kind) {
        return keys.getOrDefault(kind, Set.of());
    }

    public boolean isEmpty() {
        return keys.isEmpty();
    }

    public boolean settingsChanged() {
        return keys.containsKey(ClusterChange.Kind.SETTINGS);
    }

    /** How many objects changed. */
    public int size() {
        return keys.values().stream().mapToInt(Set::size).sum();
    }
}
