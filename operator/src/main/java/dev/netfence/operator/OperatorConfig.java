package dev.netfence.operator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * The operator's settings ({@code netfence.operator.*}), mapped onto the core's
 * {@link OperatorSettings}; an unset key takes the core's default ({@link OperatorSettings#DEFAULTS},
 * the one place defaults live). The cluster settings ({@code netfence.cluster.*}, shared with the
 * webhook and the enforcer) are read by {@link dev.netfence.cluster.ClusterSettings#read}.
 */
@ConfigMapping(prefix = "netfence.operator")
public interface OperatorConfig {

    /** Start watching and publishing with the application (tests start and stop the operator themselves). */
    @WithDefault("true")
    boolean autostart();

    /** Minimum interval between syncs: the first change of a burst waits this long, so a burst is one compile. */
    Optional<Duration> debounce();

    /** First wait after a failed sync; doubled after each further failure up to {@link #retryMax()}. */
    Optional<Duration> retryInitial();

    Optional<Duration> retryMax();

    /** Maximum interval: a full repair pass (every published object compared, realization reported) at least this often. */
    Optional<Duration> resync();

    LeaderElection leaderElection();

    interface LeaderElection {
        /** Off: this replica always leads (one replica). */
        Optional<Boolean> enabled();

        Optional<String> leaseName();

        /** The lease's namespace; default: the namespace the operator runs in (POD_NAMESPACE), else netfence-system. */
        Optional<String> leaseNamespace();

        /** This replica's identity; default: the pod name (HOSTNAME). */
        Optional<String> identity();

        Optional<Duration> leaseDuration();

        Optional<Duration> renewDeadline();

        Optional<Duration> retryPeriod();
    }

    /** The core's settings: what is set here, the core's defaults for the rest, and the shared cluster settings. */
    default OperatorSettings toSettings(dev.netfence.cluster.ClusterSettings cluster) {
        OperatorSettings d = OperatorSettings.DEFAULTS;
        OperatorSettings.LeaderElection dl = d.leaderElection();
        LeaderElection le = leaderElection();
        return new OperatorSettings(debounce().orElse(d.debounce()), retryInitial().orElse(d.retryInitial()),
                retryMax().orElse(d.retryMax()), resync().orElse(d.resync()),
                new OperatorSettings.LeaderElection(le.enabled().orElse(dl.enabled()), le.leaseName().orElse(dl.leaseName()),
                        le.leaseNamespace().or(dl::leaseNamespace), le.identity().or(dl::identity),
                        le.leaseDuration().orElse(dl.leaseDuration()), le.renewDeadline().orElse(dl.renewDeadline()),
                        le.retryPeriod().orElse(dl.retryPeriod())),
                cluster);
    }
}
