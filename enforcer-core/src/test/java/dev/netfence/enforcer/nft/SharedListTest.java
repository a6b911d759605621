package dev.netfence.enforcer.nft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link SharedList} and {@link ElementList} against plain lists: random replacements, appends and element edits give
 * the same elements as the same edits of an {@code ArrayList}, and what they say of their differences
 * ({@link SharedList#candidates}, {@link ElementList#changesFrom}) agrees with a comparison of the whole lists.
 */
class SharedListTest {

    @Test
    void replacedAndAppendedListsEqualTheSameEditsOfAPlainList() {
        Random random = new Random(5);
        for (int round = 0; round < 300; round++) {
            List<String> source = new ArrayList<>();
            int n = random.nextInt(100);
            for (int i = 0; i < n; i++) {
                source.add("s" + i);
            }
            List<String> shared = List.copyOf(source);
            List<String> plain = new ArrayList<>(source);
            List<String> previous = shared;
            List<String> previousPlain = new ArrayList<>(plain);
            for (int step = 0; step < 60; step++) {
                if (random.nextInt(4) == 0 || plain.isEmpty()) {
                    List<String> more = List.of("a" + round + "-" + step, "b" + round + "-" + step);
                    shared = SharedList.appended(shared, more);
                    plain.addAll(more);
                } else {
                    Map<Integer, String> changes = new HashMap<>();
                    for (int k = random.nextInt(3); k >= 0; k--) {
                        int at = random.nextInt(plain.size());
                        // sometimes an equal element of another instance, which compares equal
                        String e = random.nextBoolean() ? "r" + round + "-" + step + "-" + k : new String(plain.get(at));
                        changes.put(at, e);
                    }
                    shared = SharedList.replaced(shared, changes);
                    changes.forEach(plain::set);
                }
                assertThat(shared).as("round %d step %d", round, step).isEqualTo(plain);
                assertThat(shared.hashCode()).isEqualTo(plain.hashCode());
                assertThat(SharedList.share(shared)).isSameAs(shared);
                assertThat(SharedList.equal(shared, previous)).as("round %d step %d", round, step)
                        .isEqualTo(plain.equals(previousPlain));
                int[] where = SharedList.candidates(shared, previous);
                if (where != null) {
                    // every position not named holds the same instance in both
                    java.util.Set<Integer> named = new java.util.HashSet<>();
                    for (int i : where) {
                        named.add(i);
                    }
                    for (int i = 0; i < shared.size(); i++) {
                        if (!named.contains(i)) {
                            assertThat(shared.get(i)).isSameAs(previous.get(i));
                        }
                    }
                }
                if (random.nextInt(3) == 0) {
                    previous = shared;
                    previousPlain = new ArrayList<>(plain);
                }
            }
        }
    }

    @Test
    void editedElementListsHoldTheEditedElementsAndKnowTheirChanges() {
        Random random = new Random(11);
        for (int round = 0; round < 200; round++) {
            int n = random.nextInt(700);
            List<String> start = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                start.add("e" + i);
            }
            ElementList list = ElementList.of(start);
            assertThat(list).isEqualTo(start);
            // a rendered set's plain list edited: the result knows its changes from that very list
            ElementList.Editor first = new ElementList.Editor(start);
            first.append("first-" + round);
            assertThat(first.done(List.of(), List.of("first-" + round)).changesFrom(start))
                    .isEqualTo(List.of(List.of(), List.of("first-" + round)));
            java.util.Set<String> model = new java.util.HashSet<>(start);
            int fresh = 0;
            for (int step = 0; step < 20; step++) {
                List<String> before = new ArrayList<>(list);
                ElementList.Editor editor = new ElementList.Editor(list);
                List<String> removed = new ArrayList<>();
                List<String> added = new ArrayList<>();
                for (int k = random.nextInt(300); k > 0; k--) {
                    if (editor.size() > 0 && random.nextBoolean()) {
                        // swap-remove at a random place, as PodElements does
                        int at = random.nextInt(editor.size());
                        removed.add(editor.get(at));
                        editor.set(at, editor.get(editor.size() - 1));
                        editor.removeLast();
                    } else {
                        String e = "n" + round + "-" + step + "-" + fresh++;
                        added.add(e);
                        editor.append(e);
                    }
                }
                added.removeAll(removed);
                String thisStep = "n" + round + "-" + step + "-";
                removed.removeIf(e -> e.startsWith(thisStep));
                ElementList next = editor.done(removed, added);
                model.removeAll(removed);
                model.addAll(added);
                assertThat(new java.util.HashSet<>(next)).as("round %d step %d", round, step).isEqualTo(model);
                assertThat(next).hasSize(model.size()).doesNotHaveDuplicates();
                assertThat(next.changesFrom(list)).isEqualTo(List.of(removed, added));
                assertThat(next.changesFrom(new ArrayList<>(list))).as("only from that very list").isNull();
                assertThat(list).as("the list it was edited from is unchanged").isEqualTo(before);
                list = next;
            }
        }
    }
}
