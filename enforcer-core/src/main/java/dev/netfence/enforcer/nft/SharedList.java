package dev.netfence.enforcer.nft;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.TreeMap;

/**
 * An immutable list made of another immutable list ({@code source}, shared by reference) with a few elements replaced
 * and a few appended: what the pod path makes of a table's 6,000 chains (the two base chains replaced by the
 * fail-closed and revocation rules) and 1,000 sets (the pod maps replaced, the fail-closed sets appended), without
 * copying the rest on every pod change. Two such lists of one source differ at most where either replaced or
 * appended something ({@link #candidates}), which is what the applier compares.
 *
 * <p>Why: each pod change copied the chain list four times and the set list three times and then compared them
 * element by element with the table in force; at 10,000 pods that grew a change's latency by a few hundred microseconds.
 */
final class SharedList<E> extends AbstractList<E> implements RandomAccess {
    /** More replaced positions than this: copied into a plain list instead (a lookup per get stays short). */
    private static final int MAX_REPLACED = 32;

    private final List<E> source;
    /** Replaced positions of {@code source}, ascending, and their elements. */
    private final int[] at;
    private final Object[] with;
    private final Object[] tail;

    private SharedList(List<E> source, int[] at, Object[] with, Object[] tail) {
        this.source = source;
        this.at = at;
        this.with = with;
        this.tail = tail;
    }

    /** {@code list} as a table keeps it: a shared list as it is, anything else copied ({@link List#copyOf}). */
    static <E> List<E> share(List<E> list) {
        return list instanceof SharedList<E> ? list : List.copyOf(list);
    }

    /** {@code list} with the elements at the positions of {@code changes} replaced (the rest shared). */
    static <E> List<E> replaced(List<E> list, Map<Integer, E> changes) {
        if (changes.isEmpty()) {
            return share(list);
        }
        SharedList<E> s = wrap(list);
        TreeMap<Integer, Object> replaced = new TreeMap<>();
        for (int i = 0; i < s.at.length; i++) {
            replaced.put(s.at[i], s.with[i]);
        }
        Object[] tail = s.tail;
        int base = s.source.size();
        for (Map.Entry<Integer, E> c : changes.entrySet()) {
            int i = Objects.checkIndex(c.getKey(), s.size());
            E e = Objects.requireNonNull(c.getValue());
            if (i < base) {
                replaced.put(i, e);
            } else {
                if (tail == s.tail) {
                    tail = tail.clone();
                }
                tail[i - base] = e;
            }
        }
        if (replaced.size() > MAX_REPLACED) {
            SharedList<E> wide = new SharedList<>(s.source, keys(replaced), replaced.values().toArray(), tail);
            return List.copyOf(wide);
        }
        return new SharedList<>(s.source, keys(replaced), replaced.values().toArray(), tail);
    }

    /** {@code list} with {@code more} appended (the rest shared). */
    static <E> List<E> appended(List<E> list, List<? extends E> more) {
        SharedList<E> s = wrap(list);
        Object[] tail = Arrays.copyOf(s.tail, s.tail.length + more.size());
        for (int i = 0; i < more.size(); i++) {
            tail[s.tail.length + i] = Objects.requireNonNull(more.get(i));
        }
        return new SharedList<>(s.source, s.at, s.with, tail);
    }

    /**
     * The positions where {@code a} and {@code b} can hold different elements, ascending, when both are shared lists of
     * one source and of one size (every other position holds the same instance in both); null otherwise (compare
     * them all).
     */
    static int[] candidates(List<?> a, List<?> b) {
        if (!(a instanceof SharedList<?> x) || !(b instanceof SharedList<?> y) || x.source != y.source
                || x.size() != y.size()) {
            return null;
        }
        java.util.TreeSet<Integer> out = new java.util.TreeSet<>();
        for (int i : x.at) {
            out.add(i);
        }
        for (int i : y.at) {
            out.add(i);
        }
        for (int i = x.source.size(); i < x.size(); i++) {
            out.add(i);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Whether {@code a} and {@code b} are equal lists, looking only where they can differ when they share a source. */
    static boolean equal(List<?> a, List<?> b) {
        if (a == b) {
            return true;
        }
        int[] where = candidates(a, b);
        if (where == null) {
            return a.equals(b);
        }
        for (int i : where) {
            if (!Objects.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static <E> SharedList<E> wrap(List<E> list) {
        return list instanceof SharedList<E> s ? s : new SharedList<>(List.copyOf(list), new int[0], new Object[0], new Object[0]);
    }

    private static int[] keys(TreeMap<Integer, Object> m) {
        return m.keySet().stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    @SuppressWarnings("unchecked")
    public E get(int index) {
        int base = source.size();
        if (index >= base) {
            Objects.checkIndex(index, size());
            return (E) tail[index - base];
        }
        int k = at.length == 0 ? -1 : Arrays.binarySearch(at, index);
        return k >= 0 ? (E) with[k] : source.get(index);
    }

    @Override
    public int size() {
        return source.size() + tail.length;
    }
}
