package dev.netfence.operator.work;

import dev.netfence.operator.cluster.ClusterInformers;
import dev.netfence.operator.cluster.ClusterState;
import dev.netfence.operator.publish.Publisher;
import dev.netfence.operator.publish.PublishResult;
import dev.netfence.operator.status.RealizationReporter;
import dev.netfence.policy.compile.CompiledCluster;
import dev.netfence.policy.compile.IncrementalCompiler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * The one thread that compiles and publishes. Informer handlers only {@link #signal()}; the worker
 * waits a short debounce to batch bursts, then, if the cluster state changed since its last
 * compile, compiles a snapshot and publishes the difference, and reports realization (also on
 * {@link #signalStatus()}, when an enforcer reported, and every status resync period): NetworkPolicy
 * annotations, and each DefaultDeny's realization for the status reconciler.
 * Only the leader works. A failed sync is retried with exponential backoff.
 */
public final class SyncWorker implements Runnable {
    private static final Logger LOG = Logger.getLogger(SyncWorker.class);

    private final ClusterState state;
    private final ClusterInformers informers;
    private final Publisher publisher;
    private final RealizationReporter reporter;
    private final BooleanSupplier leader;
    private final Duration debounce;
    private final Duration retryInitial;
    private final Duration retryMax;
    private final Duration statusResync;
    private final Timer compileTimer;
    private final Timer publishTimer;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final AtomicInteger pending = new AtomicInteger();
    private boolean statusPending;
    private volatile boolean driftPending;
    private volatile boolean running = true;
    private volatile long compiledVersion = -1;
    private volatile CompiledCluster compiled;
    /** Recompiles only what changed since the previous sync; a new process (restart, new leader) starts with a full compile. */
    private final IncrementalCompiler compiler = new IncrementalCompiler();
    private volatile PublishResult lastPublish;
    private volatile boolean lastSyncFailed;
    private Thread thread;

    public SyncWorker(ClusterState state, ClusterInformers informers, Publisher publisher, RealizationReporter reporter,
                      BooleanSupplier leader, Duration debounce, Duration retryInitial, Duration retryMax,
                      Duration statusResync, MeterRegistry registry) {
        this.state = state;
        this.informers = informers;
        this.publisher = publisher;
        this.reporter = reporter;
        this.leader = leader;
        this.debounce = debounce;
        this.retryInitial = retryInitial;
        this.retryMax = retryMax;
        this.statusResync = statusResync;
        this.compileTimer = Timer.builder("netfence_compile").description("Snapshot and compile duration").register(registry);
        this.publishTimer = Timer.builder("netfence_publish").description("Publish duration").register(registry);
        registry.gauge("netfence_queue_depth", pending);
    }

    /** Something in the cluster changed (called on informer threads: cheap). */
    public void signal() {
        pending.incrementAndGet();
        wakeUp();
    }

    /** A published object's status changed: refresh realization, no compile needed. */
    public void signalStatus() {
        lock.lock();
        try {
            statusPending = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A published object was changed or deleted by someone: compare the published objects with the last compile again. */
    public void signalDrift() {
        driftPending = true;
        wakeUp();
    }

    private void wakeUp() {
        lock.lock();
        try {
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public void start() {
        thread = new Thread(this, "netfence-sync");
        thread.setDaemon(true);
        thread.start();
    }

    public void stop() {
        running = false;
        wakeUp();
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void run() {
        Duration backoff = Duration.ZERO;
        while (running) {
            try {
                await(backoff.isZero() ? statusResync : backoff);
                if (!running) {
                    return;
                }
                if (!leader.getAsBoolean() || !informers.synced()) {
                    continue;
                }
                if (state.version() != compiledVersion) {
                    await(debounce); // more events of the same burst
                }
                syncOnce();
                backoff = Duration.ZERO;
                lastSyncFailed = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                lastSyncFailed = true;
                backoff = backoff.isZero() ? retryInitial : min(backoff.multipliedBy(2), retryMax);
                LOG.warnf("sync failed, retrying in %s: %s", backoff, e.toString());
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private void await(Duration d) throws InterruptedException {
        lock.lock();
        try {
            if (pending.get() == 0 && !statusPending && !driftPending) {
                wake.await(d.toNanos(), TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /** One pass: compile and publish when the state changed, then refresh status. */
    void syncOnce() {
        pending.set(0);
        lock.lock();
        try {
            statusPending = false;
        } finally {
            lock.unlock();
        }
        boolean drift = driftPending;
        driftPending = false;
        long version = state.version();
        if (version == compiledVersion && compiled != null && drift) {
            PublishResult r = publishTimer.record(() -> publisher.publish(compiled, informers));
            lastPublish = r;
            if (r.writes() > 0) {
                LOG.infof("repaired %d published objects changed or deleted by someone else", r.writes());
            }
        }
        if (version != compiledVersion || compiled == null) {
            CompiledCluster c = compileTimer.record(() -> compiler.update(state.snapshot()));
            PublishResult r = publishTimer.record(() -> publisher.publish(c, informers));
            compiled = c;
            compiledVersion = version;
            lastPublish = r;
            if (r.writes() > 0) {
                LOG.infof("published: %d NodeRuleSets and %d AddressSets written, %d and %d deleted, %d unchanged",
                        r.nodeRuleSetsWritten(), r.addressSetsWritten(), r.nodeRuleSetsDeleted(), r.addressSetsDeleted(),
                        r.unchanged());
            }
        }
        reporter.update(compiled);
    }

    public PublishResult lastPublish() {
        return lastPublish;
    }

    public boolean healthy() {
        return thread != null && thread.isAlive() && !lastSyncFailed;
    }
}
