package dev.netfence.policy.persistent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The persistent map against {@link TreeMap}: random inserts, replacements and removals (enough
 * to split and merge chunks many times), after each of which the new map must hold what the
 * TreeMap holds, in order and by index, and every earlier version must still hold what it held.
 */
class PersistentSortedMapTest {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4})
    void behavesLikeATreeMapAndOldVersionsStayAsTheyWere(long seed) {
        Random random = new Random(seed);
        int range = seed % 2 == 0 ? 3000 : 600;
        TreeMap<Integer, String> expected = new TreeMap<>();
        PersistentSortedMap<Integer, String> map = PersistentSortedMap.empty();
        List<PersistentSortedMap<Integer, String>> versions = new ArrayList<>();
        List<Map<Integer, String>> contents = new ArrayList<>();
        for (int step = 0; step < 6000; step++) {
            int key = random.nextInt(range);
            // grow for the first half, shrink for the second, so chunks split and then merge
            boolean remove = random.nextInt(10) < (step < 3000 ? 3 : 7);
            if (remove) {
                expected.remove(key);
                map = map.without(key);
            } else {
                String value = "v" + step;
                expected.put(key, value);
                map = map.with(key, value);
            }
            if (step % 500 == 0) {
                versions.add(map);
                contents.add(new TreeMap<>(expected));
            }
            if (step % 97 == 0) {
                assertSame(map, expected);
            }
            assertThat(map.get(key)).isEqualTo(expected.get(key));
            // the range query: the index of the first key not below a probe, as TreeMap's ceilingKey finds it
            int probe = random.nextInt(range + 2) - 1;
            Integer ceiling = expected.ceilingKey(probe);
            int at = map.ceilingIndex(probe);
            assertThat(at).as("ceilingIndex(%d)", probe).isEqualTo(expected.headMap(probe).size());
            assertThat(at < map.size() ? map.keyAt(at) : null).isEqualTo(ceiling);
        }
        assertSame(map, expected);
        for (int i = 0; i < versions.size(); i++) {
            assertSame(versions.get(i), contents.get(i));
        }
    }

    @ParameterizedTest(name = "{0} entries")
    @ValueSource(ints = {0, 1, 127, 128, 129, 1000})
    void aBulkBuiltMapEqualsOneBuiltByUpdates(int n) {
        List<Integer> keys = new ArrayList<>();
        List<String> values = new ArrayList<>();
        PersistentSortedMap<Integer, String> updated = PersistentSortedMap.empty();
        for (int i = 0; i < n; i++) {
            keys.add(i * 2);
            values.add("v" + i);
            updated = updated.with(i * 2, "v" + i);
        }
        PersistentSortedMap<Integer, String> bulk = PersistentSortedMap.ofSorted(Comparator.naturalOrder(), keys, values);
        assertThat(bulk).isEqualTo(updated);
        assertThat(bulk.valueList()).isEqualTo(values);
        assertThat(List.copyOf(bulk.keySet())).isEqualTo(keys);
        assertThat(bulk.get(1)).isNull();
    }

    @org.junit.jupiter.api.Test
    void unsortedInputIsRefusedAndUnchangedUpdatesReturnTheSameMap() {
        assertThatThrownBy(() -> PersistentSortedMap.ofSorted(Comparator.<Integer>naturalOrder(), List.of(2, 1), List.of("a", "b")))
                .isInstanceOf(IllegalArgumentException.class);
        PersistentSortedMap<Integer, String> m = PersistentSortedMap.<Integer, String>empty().with(1, "a");
        assertThat(m.with(1, m.get(1))).isSameAs(m);
        assertThat(m.without(2)).isSameAs(m);
        assertThatThrownBy(() -> m.put(3, "c")).isInstanceOf(UnsupportedOperationException.class);
    }

    private static void assertSame(PersistentSortedMap<Integer, String> map, Map<Integer, String> expected) {
        assertThat(map.size()).isEqualTo(expected.size());
        assertThat(new ArrayList<>(map.entrySet())).isEqualTo(new ArrayList<>(expected.entrySet()));
        assertThat(map.valueList()).isEqualTo(new ArrayList<>(expected.values()));
        int i = 0;
        for (Map.Entry<Integer, String> e : expected.entrySet()) {
            assertThat(map.keyAt(i)).isEqualTo(e.getKey());
            assertThat(map.valueAt(i)).isEqualTo(e.getValue());
            assertThat(map.get(e.getKey())).isEqualTo(e.getValue());
            i++;
        }
        assertThat(map).isEqualTo(expected);
    }
}
