package dev.netfence.operator.status;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Where the sync worker leaves each DefaultDeny's realization after a sync, and where the
 * {@link DefaultDenyStatusReconciler} reads it. Publishing tells the reconciler's event source
 * which DefaultDenies changed (only those: a compile that touched nothing of a DefaultDeny does not
 * reconcile it). Shared by the operator runtime (which may stop and start again, as in a restart)
 * and the Java Operator SDK controller (which lives as long as the application).
 */
public class DefaultDenyRealizations {
    private volatile Map<String, DefaultDenyRealization> current = Map.of();
    private volatile BooleanSupplier leader = () -> false;
    private volatile Consumer<String> onChange = key -> { };

    /** The runtime that publishes: its leader gate decides whether statuses may be written. */
    public void attach(BooleanSupplier leader) {
        this.leader = leader;
    }

    /** Called by the event source: each changed DefaultDeny ({@code namespace/name}). */
    public void onChange(Consumer<String> listener) {
        this.onChange = listener;
    }

    /** A new realization of every DefaultDeny; the ones that differ from the previous are announced. */
    public void publish(Map<String, DefaultDenyRealization> next) {
        Map<String, DefaultDenyRealization> previous = current;
        current = Map.copyOf(next);
        Set<String> keys = new HashSet<>(previous.keySet());
        keys.addAll(next.keySet());
        for (String key : keys) {
            if (!java.util.Objects.equals(previous.get(key), next.get(key))) {
                onChange.accept(key);
            }
        }
    }

    /**
     * Forgets what was published: the runtime stopped, or it just became leader (a new leader checks
     * every status, whatever happened while it was not writing), so the next publish announces all.
     */
    public void forget() {
        current = Map.of();
    }

    /** Detaches a stopped runtime. */
    public void detach() {
        leader = () -> false;
        forget();
    }

    /** The DefaultDeny's realization in the last sync, or null (not compiled yet, or no runtime running). */
    public DefaultDenyRealization of(String namespace, String name) {
        return current.get(namespace + "/" + name);
    }

    /** Whether this replica holds the lease: only the leader writes statuses. */
    public boolean leading() {
        return leader.getAsBoolean();
    }
}
