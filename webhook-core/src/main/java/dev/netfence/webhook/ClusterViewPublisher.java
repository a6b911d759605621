package dev.netfence.webhook;

import dev.netfence.cluster.ClusterModel;
import dev.netfence.policy.model.ClusterSnapshot;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * Publishes {@link ClusterView}s of the shared cluster model for the judge, built on one background
 * thread, never on a request thread: a request takes the latest published view (an immutable
 * snapshot with its version) and costs no rebuild, however many pods changed. The shared
 * {@link ClusterModel} announces changes to its listener (on an informer thread: it only schedules);
 * changes that arrive within {@code refreshInterval} of the last build are coalesced into one build,
 * so a stream of pod updates costs at most one snapshot per interval. A view therefore lags the
 * informers by at most the interval plus one build, which admission tolerates: the informers
 * themselves lag the API server, and the API server does not serialize admission with writes.
 */
public final class ClusterViewPublisher implements ClusterViewSource, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ClusterViewPublisher.class);

    private final ClusterModel model;
    private final BooleanSupplier listed;
    private final long intervalNanos;
    private final ScheduledExecutorService builder;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile ClusterView view;
    private volatile long lastBuild;

    /**
     * @param listed true once the model holds the informers' initial lists (before that, a view
     *               would judge against part of the cluster)
     */
    public ClusterViewPublisher(ClusterModel model, BooleanSupplier listed, Duration refreshInterval) {
        this.model = model;
        this.listed = listed;
        this.intervalNanos = refreshInterval.toNanos();
        this.builder = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "netfence-webhook-view");
            t.setDaemon(true);
            return t;
        });
        this.lastBuild = System.nanoTime() - intervalNanos;
        model.addListener(change -> changed());
    }

    /** The model changed: build a new view soon (at most one build per refresh interval). */
    public void changed() {
        if (scheduled.compareAndSet(false, true)) {
            long delay = Math.max(0, lastBuild + intervalNanos - System.nanoTime());
            try {
                builder.schedule(this::build, delay, TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // closed: the application is stopping, no view is needed any more
            }
        }
    }

    private void build() {
        scheduled.set(false);   // changes from now on schedule the next build
        try {
            if (!listed.getAsBoolean()) {
                lastBuild = System.nanoTime();   // look again one interval later
                changed();
                return;
            }
            long version = model.version();
            ClusterView current = view;
            if (current != null && current.version() == version) {
                return;
            }
            long t0 = System.nanoTime();
            // version first: a change racing with the build gives a newer version, hence one more build
            ClusterSnapshot snapshot = model.snapshot();
            view = new ClusterView(version, snapshot, model.terminatingNamespaces(), model.criticalFlows());
            lastBuild = System.nanoTime();
            LOG.debugf("published cluster view %d (%d pods) in %d ms", version, snapshot.pods().size(),
                    (lastBuild - t0) / 1_000_000);
            if (model.version() != version) {
                changed();
            }
        } catch (RuntimeException e) {
            // the last good view stays published; the next change tries again
            LOG.warnf("cannot build the cluster view, the previous one stays in use: %s", e.getMessage());
            lastBuild = System.nanoTime();
            changed();
        }
    }

    /** True once a view of the listed cluster is published. */
    @Override
    public boolean synced() {
        if (view == null && listed.getAsBoolean()) {
            changed();
        }
        return view != null;
    }

    @Override
    public ClusterView view() {
        ClusterView v = view;
        if (v == null) {
            throw new IllegalStateException("no cluster view published yet: ask synced() first");
        }
        return v;
    }

    @Override
    public void close() {
        builder.shutdownNow();
    }
}
