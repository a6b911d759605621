package dev.netfence.operator.work;

import dev.netfence.cluster.ChangeCollector;
import dev.netfence.cluster.ClusterModel;
import dev.netfence.operator.publish.PublishResult;
import dev.netfence.operator.publish.PublishedObjects;
import dev.netfence.operator.publish.Publisher;
import dev.netfence.policy.compile.CompiledChanges;
import dev.netfence.policy.compile.CompiledCluster;
import dev.netfence.policy.compile.IncrementalCompiler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * One sync, run by the {@link CoalescingRunner} on the leader only. What it does depends on what
 * happened since the last one:
 * <ul>
 * <li>the cluster model changed ({@link ChangeCollector} has keys): snapshot, incremental compile,
 * publish what the compiler changed;</li>
 * <li>published objects were changed or deleted by someone (drift, keyed by name): compare those
 * alone and put them back;</li>
 * <li>the maximum interval elapsed, or this replica just became leader, or the last publish failed:
 * the full repair pass, every published object compared;</li>
 * <li>then realization is reported when anything above happened or an enforcer reported.</li>
 * </ul>
 * With nothing of that, it does nothing and writes nothing.
 */
public final class OperatorSync implements CoalescingRunner.Task {
    private static final Logger LOG = Logger.getLogger(OperatorSync.class);

    private final ClusterModel model;
    private final BooleanSupplier synced;
    private final PublishedObjects published;
    private final ChangeCollector changes;
    private final Publisher publisher;
    private final Consumer<CompiledCluster> reporter;
    /** Recompiles only what changed since the previous sync; a new process (restart, new leader) starts with a full compile. */
    private final IncrementalCompiler compiler = new IncrementalCompiler();
    private final Timer compileTimer;
    private final Timer publishTimer;
    private final AtomicLong compiles = new AtomicLong();

    private final Set<String> driftedRuleSets = new HashSet<>();
    private final Set<String> driftedParts = new HashSet<>();
    private final AtomicBoolean statusPending = new AtomicBoolean();
    private volatile boolean repairPending = true;
    private volatile boolean compileFailed;
    private volatile CompiledCluster compiled;
    private volatile PublishResult lastPublish;

    /**
     * @param synced    whether every informer (cluster model and published objects) has listed
     * @param published what is published now
     * @param changes   the model's changes since the last sync (this consumer's collector)
     * @param reporter  reports realization of a compiled cluster ({@link dev.netfence.operator.status.RealizationReporter#update})
     */
    public OperatorSync(ClusterModel model, BooleanSupplier synced, PublishedObjects published, ChangeCollector changes,
                        Publisher publisher, Consumer<CompiledCluster> reporter, MeterRegistry registry) {
        this.model = model;
        this.synced = synced;
        this.published = published;
        this.changes = changes;
        this.publisher = publisher;
        this.reporter = reporter;
        this.compileTimer = Timer.builder("netfence_compile").description("Snapshot and compile duration").register(registry);
        this.publishTimer = Timer.builder("netfence_publish").description("Publish duration").register(registry);
    }

    /** A published NodeRuleSet's spec changed or it was deleted (informer thread: only recorded). */
    public synchronized void ruleSetDrifted(String name) {
        driftedRuleSets.add(name);
    }

    public synchronized void addressSetDrifted(String name) {
        driftedParts.add(name);
    }

    public void statusChanged() {
        statusPending.set(true);
    }

    /** This replica became leader: another one may have written meanwhile, so the first pass compares everything. */
    public void leading() {
        repairPending = true;
    }

    @Override
    public boolean run(boolean periodic) {
        if (!synced.getAsBoolean()) {
            return false;   // not every initial list is in yet: a compile now would publish a partial cluster
        }
        ClusterModel.Update update = model.update(changes);
        boolean reported = statusPending.getAndSet(false) || periodic;
        CompiledCluster previous = compiled;
        if (previous == null || !update.changes().isEmpty() || compileFailed) {
            boolean full = previous == null || compileFailed;
            compileFailed = true;   // stays set if the compile throws: the retry compiles in full, the drained changes are not lost
            CompiledCluster next = compileTimer.record(() -> full ? compiler.full(update.snapshot())
                    : compiler.update(update.snapshot(), update.delta()));
            compileFailed = false;
            compiles.incrementAndGet();
            compiled = next;
            CompiledChanges what = compiler.lastChanges();
            if (previous != null && !repairPending) {
                repairPending = true;   // stays set if this publish fails: the retry compares everything
                PublishResult r = publishTimer.record(() -> publisher.publishChanges(next, what, published));
                repairPending = false;
                log("published", r);
            } else {
                repairPending = true;
            }
            reported = true;
        }
        Set<String> ruleSets;
        Set<String> parts;
        synchronized (this) {
            ruleSets = Set.copyOf(driftedRuleSets);
            parts = Set.copyOf(driftedParts);
            driftedRuleSets.clear();
            driftedParts.clear();
        }
        if (repairPending || periodic) {
            repairPending = true;   // stays set if this pass fails
            PublishResult r = publishTimer.record(() -> publisher.publish(compiled, published));
            repairPending = false;
            log(periodic ? "full repair pass" : "published (full comparison)", r);
            reported = true;
        } else if (!ruleSets.isEmpty() || !parts.isEmpty()) {
            try {
                PublishResult r = publisher.repair(compiled, ruleSets, parts, published);
                if (r.writes() > 0) {
                    LOG.infof("put back %d published objects changed or deleted by someone else", r.writes());
                }
                lastPublish = r;
            } catch (RuntimeException e) {
                repairPending = true;
                throw e;
            }
        }
        if (reported) {
            reporter.accept(compiled);
        }
        return true;
    }

    private void log(String what, PublishResult r) {
        lastPublish = r;
        if (r.writes() > 0) {
            LOG.infof("%s: %d NodeRuleSets and %d AddressSets written, %d and %d deleted, %d unchanged", what,
                    r.nodeRuleSetsWritten(), r.addressSetsWritten(), r.nodeRuleSetsDeleted(), r.addressSetsDeleted(),
                    r.unchanged());
        }
    }

    /** How many compiles this replica ran. */
    public long compiles() {
        return compiles.get();
    }

    public PublishResult lastPublish() {
        return lastPublish;
    }

    public CompiledCluster compiled() {
        return compiled;
    }
}
