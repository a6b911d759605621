package dev.netfence.operator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** The operator's settings ({@code netfence.operator.*}), defaults in one place. */
@ConfigMapping(prefix = "netfence.operator")
public interface OperatorConfig {

    /** Start watching and publishing with the application (tests start and stop the operator themselves). */
    @WithDefault("true")
    boolean autostart();

    /** How long the worker waits after a change for more changes before it compiles (batches bursts). */
    @WithDefault("100ms")
    Duration debounce();

    /** First wait after a failed sync; doubled after each further failure up to {@link #retryMax()}. */
    @WithDefault("1s")
    Duration retryInitial();

    @WithDefault("60s")
    Duration retryMax();

    /** How often DefaultDeny statuses are refreshed even without an event (enforcers report asynchronously). */
    @WithDefault("10s")
    Duration statusResync();

    LeaderElection leaderElection();

    interface LeaderElection {
        /** Off: this replica always leads (one replica, or tests). */
        @WithDefault("true")
        boolean enabled();

        @WithDefault("netfence-operator")
        String leaseName();

        /** The lease's namespace; default: the namespace the operator runs in (POD_NAMESPACE), else netfence-system. */
        Optional<String> leaseNamespace();

        /** This replica's identity; default: the pod name (HOSTNAME). */
        Optional<String> identity();

        @WithDefault("15s")
        Duration leaseDuration();

        @WithDefault("10s")
        Duration renewDeadline();

        @WithDefault("2s")
        Duration retryPeriod();
    }
}
