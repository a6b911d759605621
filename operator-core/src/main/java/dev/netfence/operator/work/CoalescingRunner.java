package dev.netfence.operator.work;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Runs one task on its own thread, coalescing requests, on a {@link ScheduledExecutorService}:
 * <ul>
 * <li>minimum interval (debounce): a request schedules a run {@code minInterval} later, and every
 * request until then joins it, so a burst of events is one run; a request during a run schedules the
 * next run {@code minInterval} after it;</li>
 * <li>retry with exponential backoff: a run that throws is run again after {@code retryInitial},
 * doubled on each further failure up to {@code retryMax};</li>
 * <li>maximum interval (resync): a periodic run at least every {@code maxInterval}, flagged as such.</li>
 * </ul>
 * Only an active runner runs (the leader); an inactive one only remembers that it was asked, and
 * schedules nothing: a standby replica costs nothing after events. Activating it runs at once.
 */
public final class CoalescingRunner implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CoalescingRunner.class);

    /** The work. {@code periodic}: the maximum interval elapsed (do the full pass). Returns false to be run again after the minimum interval (not ready yet). */
    @FunctionalInterface
    public interface Task {
        boolean run(boolean periodic) throws Exception;
    }

    private final Task task;
    private final Duration minInterval;
    private final Duration retryInitial;
    private final Duration retryMax;
    private final Duration maxInterval;
    private final ScheduledExecutorService executor;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong runs = new AtomicLong();

    // guarded by this
    private boolean active;
    private boolean requested;
    private boolean periodicDue;
    private boolean running;
    private ScheduledFuture<?> next;
    private ScheduledFuture<?> resync;
    private Duration backoff = Duration.ZERO;
    private volatile boolean lastFailed;
    private volatile Thread thread;

    public CoalescingRunner(String name, Task task, Duration minInterval, Duration retryInitial, Duration retryMax,
                            Duration maxInterval) {
        this.task = task;
        this.minInterval = minInterval;
        this.retryInitial = retryInitial;
        this.retryMax = retryMax;
        this.maxInterval = maxInterval;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            thread = t;
            return t;
        });
    }

    /** Something changed: run (once) after the minimum interval. Cheap; called on informer threads. */
    public synchronized void request() {
        requested = true;
        if (active && !running && next == null) {
            schedule(minInterval);
        }
    }

    /** Start running (this replica leads): a run now, then on requests and at least every maximum interval. */
    public synchronized void activate() {
        if (active) {
            return;
        }
        active = true;
        requested = true;
        backoff = Duration.ZERO;
        long period = maxInterval.toNanos();
        resync = executor.scheduleWithFixedDelay(this::periodic, period, period, TimeUnit.NANOSECONDS);
        if (!running && next == null) {
            schedule(Duration.ZERO);
        } else if (next != null) {
            next.cancel(false);
            next = null;
            schedule(Duration.ZERO);
        }
    }

    /** Stop running (leadership lost): nothing is scheduled any more; requests are only remembered. */
    public synchronized void deactivate() {
        active = false;
        if (next != null) {
            next.cancel(false);
            next = null;
        }
        if (resync != null) {
            resync.cancel(false);
            resync = null;
        }
    }

    public synchronized boolean active() {
        return active;
    }

    private synchronized void periodic() {
        periodicDue = true;
        requested = true;
        if (active && !running && next == null) {
            schedule(Duration.ZERO);
        }
    }

    private void schedule(Duration delay) {
        next = executor.schedule(this::runOnce, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void runOnce() {
        boolean periodic;
        synchronized (this) {
            next = null;
            if (!active) {
                return;
            }
            running = true;
            requested = false;
            periodic = periodicDue;
            periodicDue = false;
        }
        boolean failed = false;
        boolean again = false;
        Throwable error = null;
        try {
            again = !task.run(periodic);
        } catch (Exception | Error e) {
            // an Error too: the executor would otherwise swallow it with the task and never run again
            failed = true;
            error = e;
            failures.incrementAndGet();
        }
        runs.incrementAndGet();
        lastFailed = failed;
        synchronized (this) {
            running = false;
            if (failed) {
                backoff = backoff.isZero() ? retryInitial : min(backoff.multipliedBy(2), retryMax);
                periodicDue |= periodic;   // a failed full pass is done again
                requested = true;
                LOG.warnf("sync failed, retrying in %d ms: %s", backoff.toMillis(), error.getMessage() == null ? error.toString()
                        : error.getMessage());
            } else {
                backoff = Duration.ZERO;
            }
            if (!active) {
                return;
            }
            if (failed) {
                schedule(backoff);
            } else if (requested || again) {
                requested |= again;
                schedule(minInterval);
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** The runner's thread (for CPU accounting), or null before its first task. */
    public Thread thread() {
        return thread;
    }

    public boolean alive() {
        return !executor.isShutdown();
    }

    public boolean lastFailed() {
        return lastFailed;
    }

    public long failures() {
        return failures.get();
    }

    public long runs() {
        return runs.get();
    }

    @Override
    public void close() {
        deactivate();
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
