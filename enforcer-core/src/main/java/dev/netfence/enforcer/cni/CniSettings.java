package dev.netfence.enforcer.cni;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the enforcer serves the CNI plugin ({@code netfence.enforcer.cni.*}; the defaults live here,
 * {@code EnforcerConfig} repeats them and its test checks they agree).
 *
 * @param enabled  serve the plugin; false on a node without the plugin in its conflist (nothing announces
 *                 pods, nothing is held)
 * @param socket   the unix socket the plugin connects to (the conflist entry's {@code "socket"}, default
 *                 {@value #DEFAULT_SOCKET}); a hostPath in the DaemonSet
 * @param stateDir where announced pods are recorded so that a restarted enforcer keeps holding them
 * @param waitForRules how long an ADD waits, after the pod is held, for a NodeRuleSet that names the pod to be
 *                 applied (its real rules: what its policies allow works from its first packet); zero (the
 *                 default) does not wait. Bounded: when the rules do not come in time, the ADD succeeds all the
 *                 same and the pod starts held (fail-closed), as without the option. Off by default because
 *                 Kubernetes lets the allow rules arrive after the pod starts, and a slow or stopped operator
 *                 would otherwise slow every pod start on the node
 */
public record CniSettings(boolean enabled, Path socket, Path stateDir, Duration waitForRules) {
    public static final String DEFAULT_SOCKET = "/run/netfence/cni.sock";
    public static final String DEFAULT_STATE_DIR = "/run/netfence/pods";
    public static final Duration DEFAULT_WAIT_FOR_RULES = Duration.ZERO;
    /** The plugin's front end gives up on an answer after 60 s: both waits together must end before it. */
    public static final Duration MAX_WAIT_FOR_RULES = Duration.ofSeconds(30);
    public static final CniSettings DEFAULTS = new CniSettings(true, Path.of(DEFAULT_SOCKET), Path.of(DEFAULT_STATE_DIR),
            DEFAULT_WAIT_FOR_RULES);

    public CniSettings {
        Objects.requireNonNull(socket, "netfence.enforcer.cni.socket");
        Objects.requireNonNull(stateDir, "netfence.enforcer.cni.state-dir");
        if (socket.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 107) {
            throw new IllegalArgumentException("netfence.enforcer.cni.socket is longer than a unix socket path may be"
                    + " (107 bytes): " + socket);
        }
        if (waitForRules == null || waitForRules.isNegative() || waitForRules.compareTo(MAX_WAIT_FOR_RULES) > 0) {
            throw new IllegalArgumentException("netfence.enforcer.cni.wait-for-rules must be between 0s (do not wait) and "
                    + MAX_WAIT_FOR_RULES.toSeconds() + "s, not " + waitForRules);
        }
    }

    /** Without waiting for the pod's rules. */
    public CniSettings(boolean enabled, Path socket, Path stateDir) {
        this(enabled, socket, stateDir, DEFAULT_WAIT_FOR_RULES);
    }

    /** These settings with another wait for the pod's rules. */
    public CniSettings withWaitForRules(Duration d) {
        return new CniSettings(enabled, socket, stateDir, d);
    }

    /** These settings with the socket and state under {@code dir} (the lab: one per lab node). */
    public static CniSettings under(Path dir) {
        return new CniSettings(true, dir.resolve("cni.sock"), dir.resolve("pods"));
    }
}
