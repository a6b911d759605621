package dev.netfence.operator;

import dev.netfence.cluster.ClusterSettings;
import java.time.Duration;
import java.util.Optional;

/**
 * Everything the operator core is configured with, production defaults in one place
 * ({@link #DEFAULTS}). The Quarkus application maps {@code netfence.operator.*} onto it; the demo,
 * the lab's end-to-end test and the benchmarks construct the core with {@link #DEFAULTS} (a test that
 * needs another value sets it here, as a user would set the key, and says why).
 *
 * @param debounce     minimum interval between two syncs: the first change of a burst waits this long, so a burst is one compile
 * @param retryInitial first wait after a failed sync; doubled after each further failure up to {@code retryMax}
 * @param retryMax     longest wait between retries
 * @param resync       maximum interval: a full repair pass (every published object compared with the compiled
 *                     cluster, realization reported) at least this often, even without an event
 * @param cluster      what every component agrees on (cluster DNS, pod CIDRs): {@code netfence.cluster.*}
 */
public record OperatorSettings(Duration debounce, Duration retryInitial, Duration retryMax, Duration resync,
                               LeaderElection leaderElection, ClusterSettings cluster) {

    /**
     * @param enabled        off: this replica always leads (one replica)
     * @param leaseNamespace default: the namespace the operator runs in (POD_NAMESPACE), else netfence-system
     * @param identity       default: the pod name (HOSTNAME)
     */
    public record LeaderElection(boolean enabled, String leaseName, Optional<String> leaseNamespace, Optional<String> identity,
                                 Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {

        public static final LeaderElection DEFAULTS = new LeaderElection(true, "netfence-operator", Optional.empty(),
                Optional.empty(), Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2));

        /** One replica, no Lease: it always leads. */
        public LeaderElection disabled() {
            return new LeaderElection(false, leaseName, leaseNamespace, identity, leaseDuration, renewDeadline, retryPeriod);
        }

        public LeaderElection withLease(String namespace, String identity) {
            return new LeaderElection(enabled, leaseName, Optional.of(namespace), Optional.of(identity), leaseDuration,
                    renewDeadline, retryPeriod);
        }
    }

    public static final OperatorSettings DEFAULTS = new OperatorSettings(Duration.ofMillis(100), Duration.ofSeconds(1),
            Duration.ofSeconds(60), Duration.ofSeconds(60), LeaderElection.DEFAULTS, ClusterSettings.DEFAULTS);

    public OperatorSettings withLeaderElection(LeaderElection le) {
        return new OperatorSettings(debounce, retryInitial, retryMax, resync, le, cluster);
    }

    public OperatorSettings withCluster(ClusterSettings c) {
        return new OperatorSettings(debounce, retryInitial, retryMax, resync, leaderElection, c);
    }

    public OperatorSettings withDebounce(Duration d) {
        return new OperatorSettings(d, retryInitial, retryMax, resync, leaderElection, cluster);
    }

    public OperatorSettings withRetry(Duration initial, Duration max) {
        return new OperatorSettings(debounce, initial, max, resync, leaderElection, cluster);
    }

    public OperatorSettings withResync(Duration r) {
        return new OperatorSettings(debounce, retryInitial, retryMax, r, leaderElection, cluster);
    }

    /** One line saying what the operator runs with (the demo prints it). */
    public String describe() {
        return "debounce " + ms(debounce) + ", retry " + ms(retryInitial) + " doubling to " + ms(retryMax) + ", full repair every "
                + ms(resync) + ", leader election " + (leaderElection.enabled() ? "on (Lease " + leaderElection.leaseName() + ")"
                : "off (single replica)") + ", cluster DNS " + cluster.dns().namespace() + "/" + cluster.asKeys()
                .get(ClusterSettings.DNS_POD_SELECTOR) + " " + cluster.asKeys().get(ClusterSettings.DNS_PORTS)
                + (cluster.dns().extraIps().isEmpty() ? "" : " + " + cluster.asKeys().get(ClusterSettings.DNS_IPS));
    }

    private static String ms(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
