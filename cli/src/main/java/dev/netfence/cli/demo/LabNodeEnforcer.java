package dev.netfence.cli.demo;

import dev.netfence.enforcer.loop.EnforcementState;
import dev.netfence.enforcer.kube.KubernetesRuleSetSource;
import dev.netfence.enforcer.kube.NodeRuleSetStatusReporter;
import dev.netfence.enforcer.nft.ApplyResult;
import dev.netfence.enforcer.nft.Nftables;
import dev.netfence.enforcer.nft.NftablesException;
import dev.netfence.enforcer.nft.RuleSetApplier;
import dev.netfence.enforcer.source.RuleSetSourceException;
import dev.netfence.lab.Lab;
import dev.netfence.lab.LabException;
import dev.netfence.policy.compile.ResolvedRuleSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The enforcer of one lab node, as the DaemonSet runs it on a real node: the enforcer's Kubernetes
 * {@code RuleSetSource} (informers on the node's NodeRuleSet and the AddressSets) and its status
 * reporter talk to the API server from this JVM's own network namespace, and only the applier runs
 * inside the node's namespace, on the lab's setns thread for that node. The loop thread is created
 * here, outside any lab namespace (a thread inherits the namespace of the thread that creates it),
 * and so are the client's threads.
 */
final class LabNodeEnforcer implements AutoCloseable {

    static final Duration POLL = Duration.ofMillis(20);

    private final Lab lab;
    private final String node;
    private final KubernetesRuleSetSource source;
    private final NodeRuleSetStatusReporter reporter;
    private final ScheduledExecutorService loop;
    /** Created and used only on the node's namespace thread: libnftables opens its netlink socket there. */
    private RuleSetApplier applier;
    private volatile EnforcementState state = EnforcementState.INITIAL;

    LabNodeEnforcer(Lab lab, String node, KubernetesClient client) {
        this.lab = lab;
        this.node = node;
        this.source = new KubernetesRuleSetSource(client, node);
        this.reporter = new NodeRuleSetStatusReporter(client, source, "netfence-enforcer-" + node);
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "demo-enforcer-" + node);
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        loop.scheduleWithFixedDelay(this::tick, 0, POLL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One round of the enforcer's loop: read the source, apply what changed inside the node, report. */
    private void tick() {
        try {
            Optional<ResolvedRuleSet> rs = source.current();
            if (rs.isPresent() && !rs.get().contentHash().equals(state.appliedHash())) {
                ResolvedRuleSet ruleSet = rs.get();
                ApplyResult result = lab.runInNode(node, () -> {
                    if (applier == null) {
                        applier = new RuleSetApplier(new Nftables());
                    }
                    return applier.apply(ruleSet);
                });
                state = state.succeeded(ruleSet.contentHash(), ruleSet.ruleSet().contentHash(), result, java.time.Instant.now());
            }
        } catch (RuleSetSourceException e) {
            return; // informers catching up: the next round retries, as the enforcer's loop does
        } catch (NftablesException | LabException e) {
            state = state.failed(e.getMessage());
        } catch (RuntimeException e) {
            state = state.failed(e.toString());
        }
        try {
            reporter.report(state);
        } catch (RuntimeException e) {
            // the API server went away (the demo is ending); the next round retries
        }
    }

    EnforcementState state() {
        return state;
    }

    @Override
    public void close() {
        loop.shutdownNow();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        source.close();
    }
}
