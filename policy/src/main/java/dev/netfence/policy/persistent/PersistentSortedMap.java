package dev.netfence.policy.persistent;

import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.RandomAccess;
import java.util.Set;

/**
 * An immutable sorted map whose updates return a new map sharing almost everything with the old
 * one. The entries are kept in chunks of at most {@value #MAX_CHUNK} sorted entries; an update
 * copies the one chunk it touches and the arrays of chunk references (a few hundred references
 * for 100,000 entries), so it costs about {@code sqrt(n)} copied references instead of a copy or
 * a re-index of the whole map, and a snapshot built from another by a few updates costs a few
 * microseconds and almost no memory. Lookups are two binary searches; iteration is in key order.
 *
 * <p>Why not a tree: a two-level layout is far simpler to get right, iterates as fast as an array,
 * and at the sizes of a cluster (up to a few hundred thousand entries) copies about as little per
 * update as a persistent tree of nodes allocates.
 *
 * <p>Read-only as a {@link Map}: the mutators of {@link AbstractMap} throw.
 */
public final class PersistentSortedMap<K, V> extends AbstractMap<K, V> {

    /** Chunks are split above this size and merged with a neighbour below a quarter of it. */
    static final int MAX_CHUNK = 256;
    private static final int BUILD_CHUNK = MAX_CHUNK / 2;

    private final Comparator<? super K> order;
    private final Object[][] keys;
    private final Object[][] values;
    /** {@code starts[i]}: the index of chunk {@code i}'s first entry; {@code starts[chunks]} = size. */
    private final int[] starts;
    private List<V> valueList;
    private Set<Entry<K, V>> entrySet;

    private PersistentSortedMap(Comparator<? super K> order, Object[][] keys, Object[][] values, int[] starts) {
        this.order = order;
        this.keys = keys;
        this.values = values;
        this.starts = starts;
    }

    public static <K extends Comparable<? super K>, V> PersistentSortedMap<K, V> empty() {
        return empty(Comparator.naturalOrder());
    }

    public static <K, V> PersistentSortedMap<K, V> empty(Comparator<? super K> order) {
        return new PersistentSortedMap<>(order, new Object[0][], new Object[0][], new int[] {0});
    }

    /** A map of the entries of {@code sorted}, which must be sorted by {@code order} with distinct keys. */
    public static <K, V> PersistentSortedMap<K, V> ofSorted(Comparator<? super K> order, List<? extends K> sortedKeys,
                                                           List<? extends V> sortedValues) {
        int n = sortedKeys.size();
        if (n != sortedValues.size()) {
            throw new IllegalArgumentException("as many keys as values");
        }
        int chunks = (n + BUILD_CHUNK - 1) / BUILD_CHUNK;
        Object[][] k = new Object[chunks][];
        Object[][] v = new Object[chunks][];
        int[] starts = new int[chunks + 1];
        for (int c = 0; c < chunks; c++) {
            int from = c * BUILD_CHUNK;
            int to = Math.min(n, from + BUILD_CHUNK);
            k[c] = sortedKeys.subList(from, to).toArray();
            v[c] = sortedValues.subList(from, to).toArray();
            starts[c] = from;
            if (c > 0 && order.compare(key(k[c - 1][k[c - 1].length - 1]), key(k[c][0])) >= 0) {
                throw new IllegalArgumentException("keys not sorted or not distinct");
            }
        }
        starts[chunks] = n;
        for (Object[] chunk : k) {
            for (int i = 1; i < chunk.length; i++) {
                if (order.compare(key(chunk[i - 1]), key(chunk[i])) >= 0) {
                    throw new IllegalArgumentException("keys not sorted or not distinct");
                }
            }
        }
        return new PersistentSortedMap<>(order, k, v, starts);
    }

    @SuppressWarnings("unchecked")
    private static <K> K key(Object o) {
        return (K) o;
    }

    public Comparator<? super K> order() {
        return order;
    }

    @Override
    public int size() {
        return starts[keys.length];
    }

    @Override
    public boolean isEmpty() {
        return keys.length == 0;
    }

    /** The chunk that holds {@code key} if present: the last chunk whose first key is not above it (0 if none). */
    private int chunkOf(K key) {
        int lo = 0;
        int hi = keys.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (order.compare(key(keys[mid][0]), key) <= 0) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** Binary search in one chunk: the index, or {@code -(insertion point) - 1}. */
    private int indexIn(Object[] chunk, K key) {
        int lo = 0;
        int hi = chunk.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = order.compare(key(chunk[mid]), key);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get(Object key) {
        if (keys.length == 0 || key == null) {
            return null;
        }
        K k;
        try {
            k = (K) key;
            int c = chunkOf(k);
            int i = indexIn(keys[c], k);
            return i >= 0 ? (V) values[c][i] : null;
        } catch (ClassCastException e) {
            return null;
        }
    }

    /**
     * The index of the first key not below {@code key} (for {@link #keyAt}/{@link #valueAt}), or
     * {@link #size()} when every key is below it: a range query in log time, without walking entries.
     */
    public int ceilingIndex(K key) {
        if (keys.length == 0) {
            return 0;
        }
        int c = chunkOf(key);
        int i = indexIn(keys[c], key);
        return starts[c] + (i >= 0 ? i : -(i + 1));
    }

    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    /** This map with {@code key} mapped to {@code value} (not null); this map when it already is. */
    public PersistentSortedMap<K, V> with(K key, V value) {
        if (value == null) {
            throw new IllegalArgumentException("null value");
        }
        if (keys.length == 0) {
            return new PersistentSortedMap<>(order, new Object[][] {{key}}, new Object[][] {{value}}, new int[] {0, 1});
        }
        int c = chunkOf(key);
        Object[] chunkKeys = keys[c];
        int i = indexIn(chunkKeys, key);
        if (i >= 0) {
            if (values[c][i] == value) {
                return this;
            }
            Object[] vs = values[c].clone();
            vs[i] = value;
            Object[][] newValues = values.clone();
            newValues[c] = vs;
            return new PersistentSortedMap<>(order, keys, newValues, starts);   // keys and positions shared
        }
        int at = -i - 1;
        Object[] ks = insert(chunkKeys, at, key);
        Object[] vs = insert(values[c], at, value);
        if (ks.length <= MAX_CHUNK) {
            Object[][] newKeys = keys.clone();
            Object[][] newValues = values.clone();
            newKeys[c] = ks;
            newValues[c] = vs;
            int[] newStarts = starts.clone();
            for (int j = c + 1; j < newStarts.length; j++) {
                newStarts[j]++;
            }
            return new PersistentSortedMap<>(order, newKeys, newValues, newStarts);
        }
        int half = ks.length / 2;
        return replaceChunks(c, 1, new Object[][] {Arrays.copyOfRange(ks, 0, half), Arrays.copyOfRange(ks, half, ks.length)},
                new Object[][] {Arrays.copyOfRange(vs, 0, half), Arrays.copyOfRange(vs, half, vs.length)});
    }

    /** This map without {@code key}; this map when it has no such key. */
    public PersistentSortedMap<K, V> without(K key) {
        if (keys.length == 0) {
            return this;
        }
        int c = chunkOf(key);
        int i = indexIn(keys[c], key);
        if (i < 0) {
            return this;
        }
        Object[] ks = remove(keys[c], i);
        Object[] vs = remove(values[c], i);
        if (ks.length == 0) {
            return replaceChunks(c, 1, new Object[0][], new Object[0][]);
        }
        if (ks.length < MAX_CHUNK / 4 && keys.length > 1) {
            // merge with the smaller neighbour so that deletions do not leave many tiny chunks
            int other = c == 0 ? 1 : c == keys.length - 1 ? c - 1 : keys[c - 1].length <= keys[c + 1].length ? c - 1 : c + 1;
            if (keys[other].length + ks.length <= MAX_CHUNK) {
                int first = Math.min(c, other);
                Object[] mk = other < c ? concat(keys[other], ks) : concat(ks, keys[other]);
                Object[] mv = other < c ? concat(values[other], vs) : concat(vs, values[other]);
                return replaceChunks(first, 2, new Object[][] {mk}, new Object[][] {mv});
            }
        }
        Object[][] newKeys = keys.clone();
        Object[][] newValues = values.clone();
        newKeys[c] = ks;
        newValues[c] = vs;
        int[] newStarts = starts.clone();
        for (int j = c + 1; j < newStarts.length; j++) {
            newStarts[j]--;
        }
        return new PersistentSortedMap<>(order, newKeys, newValues, newStarts);
    }

    /** Replaces {@code count} chunks from {@code from} by {@code ks}/{@code vs} and recomputes the starts. */
    private PersistentSortedMap<K, V> replaceChunks(int from, int count, Object[][] ks, Object[][] vs) {
        int n = keys.length - count + ks.length;
        Object[][] newKeys = new Object[n][];
        Object[][] newValues = new Object[n][];
        System.arraycopy(keys, 0, newKeys, 0, from);
        System.arraycopy(values, 0, newValues, 0, from);
        System.arraycopy(ks, 0, newKeys, from, ks.length);
        System.arraycopy(vs, 0, newValues, from, vs.length);
        System.arraycopy(keys, from + count, newKeys, from + ks.length, keys.length - from - count);
        System.arraycopy(values, from + count, newValues, from + ks.length, keys.length - from - count);
        int[] newStarts = new int[n + 1];
        System.arraycopy(starts, 0, newStarts, 0, from + 1);
        for (int j = from; j < n; j++) {
            newStarts[j + 1] = newStarts[j] + newKeys[j].length;
        }
        return new PersistentSortedMap<>(order, newKeys, newValues, newStarts);
    }

    private static Object[] insert(Object[] a, int at, Object o) {
        Object[] out = new Object[a.length + 1];
        System.arraycopy(a, 0, out, 0, at);
        out[at] = o;
        System.arraycopy(a, at, out, at + 1, a.length - at);
        return out;
    }

    private static Object[] remove(Object[] a, int at) {
        Object[] out = new Object[a.length - 1];
        System.arraycopy(a, 0, out, 0, at);
        System.arraycopy(a, at + 1, out, at, a.length - at - 1);
        return out;
    }

    private static Object[] concat(Object[] a, Object[] b) {
        Object[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The chunk holding entry {@code index}. */
    private int chunkAt(int index) {
        int lo = 0;
        int hi = keys.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (starts[mid] <= index) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    @SuppressWarnings("unchecked")
    public K keyAt(int index) {
        int c = chunkAt(checkIndex(index));
        return (K) keys[c][index - starts[c]];
    }

    @SuppressWarnings("unchecked")
    public V valueAt(int index) {
        int c = chunkAt(checkIndex(index));
        return (V) values[c][index - starts[c]];
    }

    private int checkIndex(int index) {
        if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException(index);
        }
        return index;
    }

    /** The values in key order, as an immutable random-access list (a view: nothing is copied). */
    public List<V> valueList() {
        List<V> list = valueList;
        if (list == null) {
            list = new ValueList();
            valueList = list;
        }
        return list;
    }

    @Override
    public java.util.Collection<V> values() {
        return valueList();
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
        Set<Entry<K, V>> set = entrySet;
        if (set == null) {
            set = new AbstractSet<>() {
                @Override
                public Iterator<Entry<K, V>> iterator() {
                    return new Walk<>() {
                        @Override
                        @SuppressWarnings("unchecked")
                        Entry<K, V> at(int chunk, int i) {
                            return new SimpleImmutableEntry<>((K) keys[chunk][i], (V) values[chunk][i]);
                        }
                    };
                }

                @Override
                public int size() {
                    return PersistentSortedMap.this.size();
                }
            };
            entrySet = set;
        }
        return set;
    }

    @Override
    public Set<K> keySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<K> iterator() {
                return new Walk<>() {
                    @Override
                    @SuppressWarnings("unchecked")
                    K at(int chunk, int i) {
                        return (K) keys[chunk][i];
                    }
                };
            }

            @Override
            public boolean contains(Object o) {
                return containsKey(o);
            }

            @Override
            public int size() {
                return PersistentSortedMap.this.size();
            }
        };
    }

    /** Walks the chunks in order. */
    private abstract class Walk<T> implements Iterator<T> {
        private int chunk;
        private int i;

        abstract T at(int chunk, int i);

        @Override
        public boolean hasNext() {
            return chunk < keys.length;
        }

        @Override
        public T next() {
            if (chunk >= keys.length) {
                throw new NoSuchElementException();
            }
            T t = at(chunk, i);
            if (++i == keys[chunk].length) {
                chunk++;
                i = 0;
            }
            return t;
        }
    }

    private final class ValueList extends AbstractList<V> implements RandomAccess {
        @Override
        public V get(int index) {
            return valueAt(index);
        }

        @Override
        public int size() {
            return PersistentSortedMap.this.size();
        }

        @Override
        public Iterator<V> iterator() {
            return new Walk<>() {
                @Override
                @SuppressWarnings("unchecked")
                V at(int chunk, int i) {
                    return (V) values[chunk][i];
                }
            };
        }
    }
}
