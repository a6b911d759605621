package dev.netfence.enforcer.app;

import dev.netfence.enforcer.cni.CniSettings;
import dev.netfence.enforcer.flow.FlowLogSettings;
import dev.netfence.enforcer.loop.EnforcerSettings;
import dev.netfence.enforcer.revoke.ConnectionRevocation;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The enforcer's settings ({@code netfence.enforcer.*}); defaults live here only. */
@ConfigMapping(prefix = "netfence.enforcer")
public interface EnforcerConfig {

    /** The node this enforcer runs on (the DaemonSet sets it from {@code spec.nodeName}). */
    String nodeName();

    /** Where rule sets come from: {@code file} ({@link #rulesPath()}) or {@code kubernetes} (the node's NodeRuleSet). */
    @WithDefault("file")
    EnforcerSettings.Source source();


    /** A rule set YAML file, or a directory holding {@code <node>.yaml}. */
    Path rulesPath();

    /** How often the file source is read (source kubernetes reacts to informer events instead). */
    @WithDefault("2s")
    Duration pollInterval();

    /** First retry delay after a failed apply; doubled on each failure up to {@link #retryMax()}. */
    @WithDefault("1s")
    Duration retryInitial();

    @WithDefault("60s")
    Duration retryMax();

    /** How often the kernel's table is read back and compared with what was applied (drift is repaired). */
    @WithDefault("30s")
    Duration resyncInterval();

    /** How often the rule counters are read for the metrics (one read lists every rule: ~2 s CPU at 10,000 pods). */
    @WithDefault("5m")
    Duration counterInterval();

    /** How long the loop waits after an informer event for more before it applies (a burst is one apply). */
    @WithDefault("50ms")
    Duration coalesceDelay();

    /**
     * Apply the rules in this network namespace ({@code ip netns} name or path) instead of the
     * enforcer's own: the lab and tests use it; a DaemonSet with hostNetwork leaves it unset.
     */
    Optional<String> networkNamespace();

    /**
     * The node's pod CIDRs (its Node's {@code spec.podCIDRs}, comma-separated), e.g. {@code 10.244.1.0/24}:
     * in fail-closed mode an address of these that no known pod has is dropped too. Unset with the
     * Kubernetes source: read from the enforcer's own Node ({@code NodePodCidrs}); with the file source,
     * or a Node without them: only the pods the CNI plugin announced are held.
     */
    Optional<List<String>> podCidrs();

    /**
     * What happens to established connections a rule set change no longer allows: {@code revoke} deletes
     * their conntrack entries (their next packet is dropped), {@code keep} lets them run until they close.
     */
    @WithDefault("revoke")
    ConnectionRevocation connectionRevocation();

    /** The CNI plugin's endpoint ({@code netfence.enforcer.cni.*}). */
    Cni cni();

    interface Cni {
        /** Serve the plugin (false: nothing announces pods, nothing is held). */
        @WithDefault("true")
        boolean enabled();

        /** The unix socket the plugin connects to (the conflist's {@code "socket"}); root's, mode 0600. */
        @WithDefault("/run/netfence/cni.sock")
        Path socket();

        /** Where announced pods are recorded, so that a restarted enforcer keeps holding them (host's /run). */
        @WithDefault("/run/netfence/pods")
        Path stateDir();

        /** How long a CNI ADD waits for the fail-closed rule to be applied before "try again later". */
        @WithDefault("10s")
        Duration addTimeout();

        /**
         * How long an ADD also waits for a NodeRuleSet naming the pod (its real rules); 0s: not at all. When they do
         * not come in time the ADD succeeds and the pod starts held, as without the wait. At most 30s.
         */
        @WithDefault("0s")
        Duration waitForRules();

        /**
         * Install the plugin at start: the binary into {@link #binDir()} and a netfence entry into the first
         * conflist of {@link #confDir()} (idempotent; the other plugins untouched). The DaemonSet sets it and
         * mounts the host's directories.
         */
        @WithDefault("false")
        boolean install();

        /** The host's CNI bin directory as mounted in the container. */
        @WithDefault("/host/opt/cni/bin")
        Path binDir();

        /** The host's CNI configuration directory as mounted in the container. */
        @WithDefault("/host/etc/cni/net.d")
        Path confDir();

        default CniSettings toSettings() {
            return new CniSettings(enabled(), socket(), stateDir(), waitForRules());
        }
    }

    /** The flow log ({@code netfence.enforcer.flow-log.*}): denied (and optionally allowed) connections, read over NFLOG. */
    FlowLog flowLog();

    interface FlowLog {
        /** Log the packets the policies deny. */
        @WithDefault("true")
        boolean denied();

        /** Also log the new connections a policy rule allows (off: a busy node's allowed connections are many). */
        @WithDefault("false")
        boolean allowed();

        /** The NFLOG group the rules log to and the enforcer reads; pick another if a tool on the node uses it. */
        @WithDefault("2718")
        int group();

        /** Logged packets per second for the whole node; the rest are dropped (or accepted) unlogged and counted. */
        @WithDefault("300")
        int rate();

        /** Packets the rate limit lets through at once. */
        @WithDefault("300")
        int burst();

        /** Flow records kept in memory for GET /flows. */
        @WithDefault("10000")
        int ringSize();

        default FlowLogSettings toSettings() {
            return new FlowLogSettings(denied(), allowed(), group(), rate(), burst(), ringSize());
        }
    }

    /** Set to false to start without touching nftables (configuration checks). */
    @WithDefault("true")
    boolean enabled();

    /** The core's settings record (validated there, with the key named in the message). */
    default EnforcerSettings toSettings() {
        return new EnforcerSettings(nodeName(), source(), rulesPath(), pollInterval(), retryInitial(), retryMax(),
                networkNamespace(), resyncInterval(), counterInterval(), coalesceDelay(), connectionRevocation());
    }
}
