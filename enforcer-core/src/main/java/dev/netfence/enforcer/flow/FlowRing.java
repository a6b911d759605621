package dev.netfence.enforcer.flow;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The latest flow records, bounded: a new record past {@code capacity} evicts the oldest, and the
 * evictions are counted ({@link #evicted()}). Records carry increasing sequence numbers, so a reader
 * asks for what came after the last one it saw ({@code since}) and learns from the first sequence
 * number it gets whether it missed some. Thread-safe (one writer, HTTP readers).
 */
public final class FlowRing {
    private final FlowRecord[] slots;
    private long next = 1;
    private long evicted;

    public FlowRing(int capacity) {
        this.slots = new FlowRecord[capacity];
    }

    /** Stores a record built for the next sequence number; returns it. */
    public synchronized FlowRecord add(java.util.function.LongFunction<FlowRecord> build) {
        long seq = next++;
        int slot = (int) (seq % slots.length);
        if (slots[slot] != null) {
            evicted++;
        }
        FlowRecord r = build.apply(seq);
        slots[slot] = r;
        return r;
    }

    /** Records with a sequence number above {@code since} that match, oldest first, at most {@code limit}. */
    public synchronized List<FlowRecord> since(long since, Predicate<FlowRecord> filter, int limit) {
        List<FlowRecord> out = new ArrayList<>();
        long first = Math.max(since + 1, next - slots.length);
        for (long seq = Math.max(first, 1); seq < next && out.size() < limit; seq++) {
            FlowRecord r = slots[(int) (seq % slots.length)];
            if (r != null && r.seq() == seq && filter.test(r)) {
                out.add(r);
            }
        }
        return out;
    }

    /** The sequence number the next record gets. */
    public synchronized long nextSeq() {
        return next;
    }

    public synchronized long evicted() {
        return evicted;
    }
}
