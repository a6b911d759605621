package dev.netfence.enforcer.loop;

import dev.netfence.enforcer.netns.NetworkNamespace;
import dev.netfence.enforcer.nft.ApplyResult;
import dev.netfence.enforcer.nft.Nftables;
import dev.netfence.enforcer.nft.NftablesException;
import dev.netfence.enforcer.nft.RuleCounters;
import dev.netfence.enforcer.nft.RuleSetApplier;
import dev.netfence.enforcer.source.RuleSetSource;
import dev.netfence.enforcer.source.RuleSetSourceException;
import dev.netfence.policy.compile.ResolvedRuleSet;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * The enforcer's one worker: polls the source, applies what changed, reads the counters. All
 * kernel work happens on this single thread (which enters the configured network namespace
 * first, if any). A failed apply leaves the last good rules in force (the kernel rejected the
 * whole batch), is logged and reported, and is retried with exponential backoff.
 */
public final class EnforcerLoop implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EnforcerLoop.class);

    private final EnforcerSettings config;
    private final EnforcerObserver metrics;
    private final AtomicReference<EnforcementState> state = new AtomicReference<>(EnforcementState.INITIAL);
    private final RuleSetSource source;
    private ScheduledExecutorService worker;
    private RuleSetApplier applier;
    private Nftables nft;
    private Duration backoff;

    public EnforcerLoop(EnforcerSettings config, RuleSetSource source, EnforcerObserver metrics) {
        this.config = config;
        this.source = source;
        this.metrics = metrics;
    }

    public void start() {
        nft = new Nftables();
        applier = new RuleSetApplier(nft);
        backoff = config.retryInitial();
        worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "netfence-enforcer");
            t.setDaemon(true);
            return t;
        });
        config.networkNamespace().ifPresent(ns -> worker.submit(() -> NetworkNamespace.enter(ns)));
        LOG.infof("enforcing rule sets of node %s from %s", config.nodeName(), source.describe());
        worker.submit(this::tick);
    }

    @Override
    public void close() {
        if (worker != null) {
            worker.shutdownNow();
        }
    }

    public EnforcementState state() {
        return state.get();
    }

    public boolean running() {
        return worker != null && !worker.isShutdown();
    }

    private void tick() {
        Duration next = config.pollInterval();
        try {
            Optional<ResolvedRuleSet> rs = source.current();
            if (rs.isPresent()) {
                ApplyResult result = applier.apply(rs.get());
                if (result.kind() != ApplyResult.Kind.UNCHANGED) {
                    LOG.infof("applied rule set %s of node %s (%s, %d rules, %d elements) in %d ms",
                            rs.get().contentHash(), config.nodeName(), result.kind(), result.rules(),
                            result.elements(), result.duration().toMillis());
                    metrics.applied(result);
                }
                // lastResult keeps the last apply that changed something, for status and tests
                ApplyResult changed = result.kind() == ApplyResult.Kind.UNCHANGED && state.get().lastResult() != null
                        ? state.get().lastResult() : result;
                state.set(state.get().succeeded(rs.get().contentHash(), changed));
                metrics.counters(RuleCounters.read(nft));
            }
            backoff = config.retryInitial();
        } catch (NftablesException | RuleSetSourceException e) {
            fail(e.getMessage());
            next = backoff;
            backoff = backoff.multipliedBy(2).compareTo(config.retryMax()) > 0 ? config.retryMax() : backoff.multipliedBy(2);
        } catch (RuntimeException e) {
            fail(e.toString());
            next = backoff;
        } finally {
            if (!worker.isShutdown()) {
                worker.schedule(this::tick, next.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    private void fail(String message) {
        metrics.failed();
        state.set(state.get().failed(message));
        LOG.errorf("node %s keeps its last good rules (%s); retrying: %s", config.nodeName(),
                state.get().appliedHash() == null ? "none applied yet" : state.get().appliedHash(), message);
    }
}
