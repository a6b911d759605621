package dev.netfence.enforcer.loop;

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
 */
public record EnforcerSettings(String nodeName, Source source, Path rulesPath, Duration pollInterval,
                               Duration retryInitial, Duration retryMax, Optional<String> networkNamespace) {

    public enum Source { FILE, KUBERNETES }

    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);
    public static final Duration DEFAULT_RETRY_INITIAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_RETRY_MAX = Duration.ofSeconds(60);

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
    }

    /** The production defaults for a node whose rule sets come from the API server. */
    public static EnforcerSettings defaults(String nodeName) {
        return new EnforcerSettings(nodeName, Source.KUBERNETES, null, DEFAULT_POLL_INTERVAL, DEFAULT_RETRY_INITIAL,
                DEFAULT_RETRY_MAX, Optional.empty());
    }

    private static void positive(String key, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + " must be a positive duration (e.g. 2s), not " + d);
        }
    }
}
