package dev.netfence.operator.work;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Lease-based leader election (coordination.k8s.io Lease): every replica watches and keeps its state
 * warm, only the holder of the lease writes. Losing the lease stops writing at once; the elector
 * then tries again.
 */
public final class LeaderGate {
    private static final Logger LOG = Logger.getLogger(LeaderGate.class);

    private final AtomicBoolean leader = new AtomicBoolean();
    private final Runnable onLeading;
    private final Runnable onStopped;
    private LeaderElector elector;
    private CompletableFuture<?> running;

    private LeaderGate(Runnable onLeading, Runnable onStopped) {
        this.onLeading = onLeading;
        this.onStopped = onStopped;
    }

    /** A gate that opens on {@link #start()} and stays open (leader election disabled: one replica). */
    public static LeaderGate always(Runnable onLeading, Runnable onStopped) {
        return new LeaderGate(onLeading, onStopped);
    }

    /**
     * @param onLeading run when this replica takes the lease (on the elector's thread: only hand work over)
     * @param onStopped run when it loses or releases it
     */
    public static LeaderGate elect(KubernetesClient client, String namespace, String leaseName, String identity,
                                   Duration leaseDuration, Duration renewDeadline, Duration retryPeriod, Runnable onLeading,
                                   Runnable onStopped) {
        LeaderGate g = new LeaderGate(onLeading, onStopped);
        g.elector = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName(leaseName)
                .withLock(new LeaseLock(namespace, leaseName, identity))
                .withLeaseDuration(leaseDuration)
                .withRenewDeadline(renewDeadline)
                .withRetryPeriod(retryPeriod)
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(g::started, g::stopped, newLeader -> LOG.infof("leader is %s", newLeader)))
                .build()).build();
        return g;
    }

    /**
     * Starts competing for the lease. Separate from {@link #elect} so the caller finishes wiring
     * {@code onLeading} first: against a free lease the elector leads within milliseconds.
     */
    public void start() {
        if (elector == null) {
            started();
        } else if (running == null) {
            running = elector.start();
        }
    }

    private void started() {
        LOG.info("became leader");
        leader.set(true);
        onLeading.run();
    }

    private void stopped() {
        if (leader.getAndSet(false)) {
            LOG.info("lost leadership");
        }
        onStopped.run();
    }

    public boolean isLeader() {
        return leader.get();
    }

    public void close() {
        if (running != null) {
            running.cancel(true);
        }
        stopped();
    }
}
