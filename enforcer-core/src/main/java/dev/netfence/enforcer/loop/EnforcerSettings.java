package dev.netfence.enforcer.loop;

import dev.netfence.enforcer.revoke.ConnectionRevocation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The enforcer's settings, as plain values: the Quarkus app binds {@code netfence.enforcer.*} to
 * this record, the lab and the demo construct it with {@link #defaults(String)}. The defaults live
 * here only; {@code EnforcerConfig}'s {@code @WithDefault}s repeat them and {@code EnforcerConfigTest}
 * checks that they agree.
 *
 * @param nodeName          the node whose NodeRuleSet this enforcer applies
 * @param source            where rule sets come from
 * @param rulesPath         the rule set file or directory (source {@code file})
 * @param pollInterval      how often the file source is read (source {@code file} only)
 * @param retryInitial      first retry delay after a failed apply; doubled up to {@code retryMax}
 * @param retryMax          longest retry delay
 * @param networkNamespace  apply inside this network namespace ({@code ip netns} name or path) instead of
 *                          the enforcer's own; a DaemonSet with hostNetwork leaves it empty
 * @param resyncInterval    how often the kernel's table is read back and compared with what was applied
 *                          (drift such as {@code nft flush ruleset} is repaired then), and the source re-read
 * @param counterInterval   how often the rule counters are read for the metrics (never on the apply path). Five
 *                          minutes by default: one read is a netlink dump of every rule of the table (~0.3 s of
 *                          CPU, mostly the kernel's, with a 10,000-pod table, see IdleBenchmark), which every 30 s
 *                          would cost ~1% of a core
 * @param coalesceDelay     how long after an informer event the loop waits for more before it syncs, so a
 *                          burst (an AddressSet and its parts, a NodeRuleSet and its sets) is one apply
 * @param connectionRevocation what happens to established connections a change no longer allows
 *                          ({@link ConnectionRevocation}; default revoke)
 */
public record EnforcerSettings(String nodeName, Source source, Path rulesPath, Duration pollInterval,
                               Duration retryInitial, Duration retryMax, Optional<String> networkNamespace,
                               Duration resyncInterval, Duration counterInterval, Duration coalesceDelay,
                               ConnectionRevocation connectionRevocation) {

    public enum Source { FILE, KUBERNETES }

    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);
    public static final Duration DEFAULT_RETRY_INITIAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_RETRY_MAX = Duration.ofSeconds(60);
    public static final Duration DEFAULT_RESYNC_INTERVAL = Duration.ofSeconds(30);
    public static final Duration DEFAULT_COUNTER_INTERVAL = Duration.ofMinutes(5);
    public static final Duration DEFAULT_COALESCE_DELAY = Duration.ofMillis(50);

    public EnforcerSettings {
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(networkNamespace, "networkNamespace");
        if (nodeName.isBlank()) {
            throw new IllegalArgumentException("netfence.enforcer.node-name is empty: set it to the node's name"
                    + " (the DaemonSet sets NODE_NAME from spec.nodeName)");
        }
        positive("netfence.enforcer.poll-interval", pollInterval);
        positive("netfence.enforcer.retry-initial", retryInitial);
        positive("netfence.enforcer.retry-max", retryMax);
        positive("netfence.enforcer.resync-interval", resyncInterval);
        positive("netfence.enforcer.counter-interval", counterInterval);
        Objects.requireNonNull(coalesceDelay, "netfence.enforcer.coalesce-delay");
        if (coalesceDelay.isNegative()) {
            throw new IllegalArgumentException("netfence.enforcer.coalesce-delay must not be negative, not " + coalesceDelay);
        }
        Objects.requireNonNull(connectionRevocation, "netfence.enforcer.connection-revocation");
    }

    /** With the default connection revocation. */
    public EnforcerSettings(String nodeName, Source source, Path rulesPath, Duration pollInterval, Duration retryInitial,
                            Duration retryMax, Optional<String> networkNamespace, Duration resyncInterval,
                            Duration counterInterval, Duration coalesceDelay) {
        this(nodeName, source, rulesPath, pollInterval, retryInitial, retryMax, networkNamespace, resyncInterval,
                counterInterval, coalesceDelay, ConnectionRevocation.DEFAULT);
    }

    /** The production defaults for a node whose rule sets come from the API server. */
    public static EnforcerSettings defaults(String nodeName) {
        return new EnforcerSettings(nodeName, Source.KUBERNETES, null, DEFAULT_POLL_INTERVAL, DEFAULT_RETRY_INITIAL,
                DEFAULT_RETRY_MAX, Optional.empty(), DEFAULT_RESYNC_INTERVAL, DEFAULT_COUNTER_INTERVAL,
                DEFAULT_COALESCE_DELAY);
    }

    /** These settings with another resync interval (tests that wait for a repair set it short, and say why). */
    public EnforcerSettings withResyncInterval(Duration d) {
        return new EnforcerSettings(nodeName, source, rulesPath, pollInterval, retryInitial, retryMax, networkNamespace,
                d, counterInterval, coalesceDelay, connectionRevocation);
    }

    /** These settings with other retry delays. */
    public EnforcerSettings withRetry(Duration initial, Duration max) {
        return new EnforcerSettings(nodeName, source, rulesPath, pollInterval, initial, max, networkNamespace,
                resyncInterval, counterInterval, coalesceDelay, connectionRevocation);
    }

    /** These settings with another connection revocation. */
    public EnforcerSettings withConnectionRevocation(ConnectionRevocation r) {
        return new EnforcerSettings(nodeName, source, rulesPath, pollInterval, retryInitial, retryMax, networkNamespace,
                resyncInterval, counterInterval, coalesceDelay, r);
    }

    private static void positive(String key, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + " must be a positive duration (e.g. 2s), not " + d);
        }
    }
}
