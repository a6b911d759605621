package dev.netfence.enforcer.datapath;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Whether traffic between two pods on one Linux bridge passes Netfence's table. Bridge CNIs (Flannel's
 * {@code cni0}, the {@code bridge} plugin, kubenet) connect a node's pods at layer 2: a frame from one
 * pod to another is forwarded by the bridge and never reaches the IP stack, so the {@code inet} table's
 * forward hook does not see it, unless br_netfilter is on: with {@code net.bridge.bridge-nf-call-iptables}
 * (IPv4) and {@code net.bridge.bridge-nf-call-ip6tables} (IPv6) set to 1, the bridge hands each bridged
 * IP packet to the IP family's prerouting, forward and postrouting hooks (input and output device: the
 * bridge), where the {@code inet netfence} chains and conntrack see it as they see routed traffic.
 * Routed CNIs (Calico, the AWS VPC CNI, ptp) route every packet between pods and need none of it.
 *
 * <p>The two sysctls exist only when br_netfilter is loaded ({@code modprobe br_netfilter}, or built
 * in), and are per network namespace since Linux 5.3, so they are read in the namespace the enforcer
 * guards (through {@link NftablesDatapath.InNamespace}; {@code /proc/sys/net} resolves against the
 * calling thread's namespace). A new namespace starts with both at 1.
 */
public record BridgeNetfilter(Status ipv4, Status ipv6) {
    public static final Path PROC_SYS_NET_BRIDGE = Path.of("/proc/sys/net/bridge");

    public enum Status {
        /** bridged packets of the family pass the inet hooks */
        ON,
        /** br_netfilter is loaded but the family's sysctl is 0: bridged packets bypass the table */
        OFF,
        /** br_netfilter is not loaded: bridged packets bypass the table */
        NOT_LOADED
    }

    /** Reads both sysctls in {@code namespace}. */
    public static BridgeNetfilter check(NftablesDatapath.InNamespace namespace) {
        return namespace.call(() -> read(PROC_SYS_NET_BRIDGE));
    }

    /** Reads {@code bridge-nf-call-iptables} and {@code -ip6tables} under {@code dir} (the calling thread's namespace). */
    public static BridgeNetfilter read(Path dir) {
        return new BridgeNetfilter(status(dir.resolve("bridge-nf-call-iptables")), status(dir.resolve("bridge-nf-call-ip6tables")));
    }

    private static Status status(Path sysctl) {
        try {
            return Files.readString(sysctl).trim().equals("1") ? Status.ON : Status.OFF;
        } catch (NoSuchFileException e) {
            return Status.NOT_LOADED;
        } catch (IOException e) {
            // unreadable is as good as absent: nothing shows that bridged traffic is filtered
            return Status.NOT_LOADED;
        }
    }

    /** True when bridged IPv4 and IPv6 packets both pass the table. */
    public boolean filtersBridgedTraffic() {
        return ipv4 == Status.ON && ipv6 == Status.ON;
    }

    /** One line for the log and the readiness data; says how to fix it when something is off. */
    public String describe() {
        if (filtersBridgedTraffic()) {
            return "br_netfilter on (net.bridge.bridge-nf-call-iptables=1, -ip6tables=1): traffic between pods on one bridge"
                    + " is filtered";
        }
        if (ipv4 == Status.NOT_LOADED || ipv6 == Status.NOT_LOADED) {
            return "br_netfilter is not loaded: traffic between pods on one bridge (Flannel's cni0, the bridge plugin) bypasses"
                    + " nftables and their NetworkPolicies are not enforced on the same node; with a bridge CNI run"
                    + " `modprobe br_netfilter` and set net.bridge.bridge-nf-call-iptables=1 and"
                    + " net.bridge.bridge-nf-call-ip6tables=1 on the node (routed CNIs such as Calico or ptp need neither)";
        }
        return "br_netfilter is loaded but net.bridge.bridge-nf-call-iptables=" + (ipv4 == Status.ON ? 1 : 0)
                + ", -ip6tables=" + (ipv6 == Status.ON ? 1 : 0) + ": bridged pod-to-pod traffic of the family set to 0"
                + " bypasses nftables and is not filtered on the same node; with a bridge CNI set both to 1 on the node"
                + " (routed CNIs such as Calico or ptp need neither)";
    }
}
