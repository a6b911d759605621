package dev.netfence.cluster;

import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A {@link ClusterListener} that collects keys until its consumer {@link #drain()}s them, and then
 * runs {@code onChange} (cheap: e.g. ask a coalescing runner for a run). One per consumer, so the
 * operator and the webhook each see every change once.
 */
public final class ChangeCollector implements ClusterListener {
    private final Runnable onChange;
    private Map<ClusterChange.Kind, Set<String>> pending = new EnumMap<>(ClusterChange.Kind.class);

    public ChangeCollector(Runnable onChange) {
        this.onChange = onChange;
    }

    @Override
    public void changed(ClusterChange change) {
        synchronized (this) {
            pending.computeIfAbsent(change.kind(), k -> new HashSet<>()).add(change.key());
        }
        onChange.run();
    }

    /** The keys collected since the last drain; afterwards the collector is empty. */
    public synchronized ClusterChanges drain() {
        if (pending.isEmpty()) {
            return ClusterChanges.NONE;
        }
        ClusterChanges out = new ClusterChanges(pending);
        pending = new EnumMap<>(ClusterChange.Kind.class);
        return out;
    }

    public synchronized boolean isEmpty() {
        return pending.isEmpty();
    }
}
