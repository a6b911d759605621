package dev.netfence.enforcer.nft;

import java.lang.ref.WeakReference;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/**
 * A set's elements as an immutable list that a pod change edits without copying it: the elements are kept in
 * chunks of 256, an edit copies the chunk array and the chunks it touches, and every other chunk is shared with
 * the list it was edited from. An element leaves by taking the last element into its place (a set's order means
 * nothing to the kernel), so an edit of a 10,000-element pod map copies ~300 references, not 10,000 twice.
 *
 * <p>An edited list also remembers what it was edited from and how ({@link #changesFrom}): the applier then sends
 * exactly those elements instead of comparing 10,000 elements to find them. The list it came from is held weakly:
 * the hint must not keep every earlier version of a pod map alive.
 *
 * <p>Why: a NodeRuleSet change of one pod rebuilt the pod maps and the marked path's id sets, each with an element per
 * local pod, and compared them with the ones in force; at 10,000 pods that was a large share of a pod change's
 * time, where the change itself is one or two elements per set.
 */
final class ElementList extends AbstractList<String> implements RandomAccess {
    private static final int SHIFT = 8;
    private static final int CHUNK = 1 << SHIFT;
    private static final int MASK = CHUNK - 1;

    /** Every chunk has CHUNK slots; all are full but the last, whose slots past {@code size} are null. */
    private final String[][] chunks;
    private final int size;
    private final WeakReference<List<String>> from;
    private final List<String> removed;
    private final List<String> added;

    private ElementList(String[][] chunks, int size, List<String> from, List<String> removed, List<String> added) {
        this.chunks = chunks;
        this.size = size;
        this.from = from == null ? null : new WeakReference<>(from);
        this.removed = removed;
        this.added = added;
    }

    /** {@code elements} as an element list (the same list when it is one). */
    static ElementList of(List<String> elements) {
        if (elements instanceof ElementList e) {
            return e;
        }
        int n = elements.size();
        String[][] chunks = new String[(n + MASK) >>> SHIFT][];
        for (int c = 0; c < chunks.length; c++) {
            chunks[c] = new String[CHUNK];
        }
        for (int i = 0; i < n; i++) {
            chunks[i >>> SHIFT][i & MASK] = java.util.Objects.requireNonNull(elements.get(i));
        }
        return new ElementList(chunks, n, null, null, null);
    }

    @Override
    public String get(int index) {
        java.util.Objects.checkIndex(index, size);
        return chunks[index >>> SHIFT][index & MASK];
    }

    @Override
    public int size() {
        return size;
    }

    /**
     * The elements removed from and added to {@code before} to make this list (removed in {@code before}'s order,
     * added in the order they were appended), when this list was edited from {@code before} itself; null when it
     * was not (then only a comparison can tell).
     */
    List<List<String>> changesFrom(List<String> before) {
        List<String> origin = from == null ? null : from.get();
        return origin != null && origin == before ? List.of(removed, added) : null;
    }

    /** Edits of one list: each chunk is copied at most once, the result is made by {@link #done}. */
    static final class Editor {
        private final List<String> source;
        private String[][] chunks;
        private boolean[] copied;
        private int size;

        /** Edits of {@code elements} (any list: the result's {@link #changesFrom} names this very list). */
        Editor(List<String> elements) {
            this.source = elements;
            ElementList start = of(elements);
            this.chunks = Arrays.copyOf(start.chunks, start.chunks.length + 1);
            this.copied = new boolean[chunks.length];
            this.size = start.size;
        }

        int size() {
            return size;
        }

        String get(int index) {
            return chunks[index >>> SHIFT][index & MASK];
        }

        private String[] writable(int index) {
            int c = index >>> SHIFT;
            if (c >= chunks.length) {
                chunks = Arrays.copyOf(chunks, c + 1);
                copied = Arrays.copyOf(copied, c + 1);
            }
            if (chunks[c] == null) {
                chunks[c] = new String[CHUNK];
                copied[c] = true;
            } else if (!copied[c]) {
                chunks[c] = chunks[c].clone();
                copied[c] = true;
            }
            return chunks[c];
        }

        void set(int index, String e) {
            writable(index)[index & MASK] = e;
        }

        /** Removes the last element. */
        void removeLast() {
            size--;
            writable(size)[size & MASK] = null;
        }

        void append(String e) {
            set(size, e);
            size++;
        }

        /** The edited list, which {@link #changesFrom} the source by {@code removed} and {@code added}. */
        ElementList done(List<String> removed, List<String> added) {
            return new ElementList(Arrays.copyOf(chunks, (size + MASK) >>> SHIFT), size, source, List.copyOf(removed),
                    List.copyOf(added));
        }
    }
}
