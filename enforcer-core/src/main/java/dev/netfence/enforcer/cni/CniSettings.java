package dev.netfence.enforcer.cni;

import java.nio.file.Path;
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
 */
public record CniSettings(boolean enabled, Path socket, Path stateDir) {
    public static final String DEFAULT_SOCKET = "/run/netfence/cni.sock";
    public static final String DEFAULT_STATE_DIR = "/run/netfence/pods";
    public static final CniSettings DEFAULTS = new CniSettings(true, Path.of(DEFAULT_SOCKET), Path.of(DEFAULT_STATE_DIR));

    public CniSettings {
        Objects.requireNonNull(socket, "netfence.enforcer.cni.socket");
        Objects.requireNonNull(stateDir, "netfence.enforcer.cni.state-dir");
        if (socket.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 107) {
            throw new IllegalArgumentException("netfence.enforcer.cni.socket is longer than a unix socket path may be"
                    + " (107 bytes): " + socket);
        }
    }

    /** These settings with the socket and state under {@code dir} (the lab: one per lab node). */
    public static CniSettings under(Path dir) {
        return new CniSettings(true, dir.resolve("cni.sock"), dir.resolve("pods"));
    }
}
