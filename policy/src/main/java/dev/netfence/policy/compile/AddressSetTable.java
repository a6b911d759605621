package dev.netfence.policy.compile;

import dev.netfence.policy.model.ClusterSnapshot;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The address sets known to a compile, by name, with their definitions. A definition's members
 * are selected only the first time it is seen (equal definitions select equal pods): at 10,000
 * policies most peers repeat, and selecting a cross-namespace peer's pods again for each of them
 * was most of the compile time. The incremental compiler keeps the table across changes and
 * re-evaluates only the definitions a change can affect.
 */
final class AddressSetTable {
    private final Map<String, AddressSet> sets = new HashMap<>();
    private final Map<String, PeerDefinition> definitions = new HashMap<>();
    /** Names of the definitions whose member pods all live in one namespace, by namespace. */
    private final Map<String, Set<String>> byNamespace = new HashMap<>();
    /** Names of the definitions whose member pods can live in any namespace (namespace selectors). */
    private final Set<String> anyNamespace = new HashSet<>();
    /** Names of the definitions whose members depend on the nodes (ClusterNetworkPolicy {@code nodes} peers). */
    private final Set<String> nodeSelecting = new HashSet<>();

    /** The set of {@code definition}, evaluated on {@code snapshot} if it is new. */
    AddressSet intern(PeerDefinition definition, ClusterSnapshot snapshot) {
        String name = definition.name();
        AddressSet set = sets.get(name);
        if (set == null) {
            set = new AddressSet(name, definition.entries(snapshot));
            sets.put(name, set);
            definitions.put(name, definition);
            if (definition.dependsOnNodes()) {
                nodeSelecting.add(name);
            }
            PeerDefinition.Scope scope = definition.scope();
            if (scope.pods()) {
                if (scope.namespace() == null) {
                    anyNamespace.add(name);
                } else {
                    byNamespace.computeIfAbsent(scope.namespace(), k -> new HashSet<>()).add(name);
                }
            }
        }
        return set;
    }

    AddressSet get(String name) {
        return sets.get(name);
    }

    Collection<PeerDefinition> definitions() {
        return definitions.values();
    }

    PeerDefinition definition(String name) {
        return definitions.get(name);
    }

    /** The names of the definitions a pod of {@code namespace} can be a member of (a superset). */
    void candidatesFor(String namespace, Set<String> out) {
        out.addAll(byNamespace.getOrDefault(namespace, Set.of()));
        out.addAll(anyNamespace);
    }

    /** The names of the definitions whose members depend on namespace labels (a superset). */
    Set<String> namespaceSelecting() {
        return anyNamespace;
    }

    /** The names of the definitions whose members depend on the nodes. */
    Set<String> nodeSelecting() {
        return nodeSelecting;
    }

    /** Re-evaluates a known set on {@code snapshot}; true when its entries changed. */
    boolean refresh(String name, ClusterSnapshot snapshot) {
        AddressSet updated = new AddressSet(name, definitions.get(name).entries(snapshot));
        return !updated.equals(sets.put(name, updated));
    }

    void remove(String name) {
        sets.remove(name);
        PeerDefinition definition = definitions.remove(name);
        nodeSelecting.remove(name);
        if (definition != null && definition.scope().pods()) {
            String ns = definition.scope().namespace();
            if (ns == null) {
                anyNamespace.remove(name);
            } else {
                Set<String> names = byNamespace.get(ns);
                if (names != null && names.remove(name) && names.isEmpty()) {
                    byNamespace.remove(ns);
                }
            }
        }
    }
}
