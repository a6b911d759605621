package dev.netfence.policy.compile;

import dev.netfence.policy.model.ClusterSnapshot;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

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

    /** The set of {@code definition}, evaluated on {@code snapshot} if it is new. */
    AddressSet intern(PeerDefinition definition, ClusterSnapshot snapshot) {
        String name = definition.name();
        AddressSet set = sets.get(name);
        if (set == null) {
            set = new AddressSet(name, definition.entries(snapshot));
            sets.put(name, set);
            definitions.put(name, definition);
        }
        return set;
    }

    AddressSet get(String name) {
        return sets.get(name);
    }

    Collection<PeerDefinition> definitions() {
        return definitions.values();
    }

    /** Re-evaluates a known set on {@code snapshot}; true when its entries changed. */
    boolean refresh(String name, ClusterSnapshot snapshot) {
        AddressSet updated = new AddressSet(name, definitions.get(name).entries(snapshot));
        return !updated.equals(sets.put(name, updated));
    }

    void remove(String name) {
        sets.remove(name);
        definitions.remove(name);
    }
}
