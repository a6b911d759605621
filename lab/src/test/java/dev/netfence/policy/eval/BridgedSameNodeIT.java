package dev.netfence.policy.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.netfence.enforcer.datapath.BridgeNetfilter;
import dev.netfence.enforcer.nft.Nftables;
import dev.netfence.lab.Lab;
import dev.netfence.lab.LabEnforcer;
import dev.netfence.lab.LabOptions;
import dev.netfence.lab.LabTopology;
import dev.netfence.lab.ProbeTimings;
import dev.netfence.lab.ReachabilityMatrix;
import dev.netfence.lab.cni.LabNodeEnforcers;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.PolicyRule;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.testing.E2eModel;
import dev.netfence.policy.testing.Reachability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What Netfence needs next to Flannel, measured: on the bridged topology (each node's pods on
 * {@code cni0}, nodes joined by VXLAN) a policy lets only namespace y into x/a. x/a and x/b (and y/a,
 * z/a, ...) share node-1's bridge, so their packets are bridged, not routed.
 * <ul>
 *   <li>br_netfilter on (its sysctls are per namespace and 1 in a new one; built into this build machine's
 *       kernel, elsewhere the test runs {@code modprobe br_netfilter} first): the forward hook sees bridged packets with the bridge as input
 *       and output device, and the matrix equals the engine's;</li>
 *   <li>{@code net.bridge.bridge-nf-call-iptables}/{@code -ip6tables} set to 0 in node-1: the enforcer's check
 *       says so, and exactly the denied pairs of node-1's own pods get through (the cross-node ones stay
 *       denied); set back to 1, the matrix equals the engine's again.</li>
 * </ul>
 */
class BridgedSameNodeIT {
    static final Path V4 = Path.of("/proc/sys/net/bridge/bridge-nf-call-iptables");
    static final Path V6 = Path.of("/proc/sys/net/bridge/bridge-nf-call-ip6tables");

    @Test
    void sameNodeBridgedTrafficIsFilteredOnlyWithBrNetfilter() {
        assumeTrue(Lab.prerequisitesMissing().isEmpty(), () -> "skipped: " + Lab.prerequisitesMissing().orElse(""));
        assumeTrue(LabEnforcer.unavailableReason().isEmpty(), () -> "skipped: " + LabEnforcer.unavailableReason().orElse(""));
        if (!Files.isDirectory(BridgeNetfilter.PROC_SYS_NET_BRIDGE)) {
            loadBrNetfilter();
        }
        assumeTrue(Files.isDirectory(BridgeNetfilter.PROC_SYS_NET_BRIDGE),
                "skipped: br_netfilter is not loaded and `modprobe br_netfilter` did not load it (package kmod; a kernel"
                        + " with CONFIG_BRIDGE_NETFILTER)");
        ClusterSnapshot model = E2eModel.builder().build();
        NetworkPolicy onlyY = new NetworkPolicy("x", "a-from-y", LabelSelector.of("pod", "a"), List.of("Ingress"),
                List.of(new PolicyRule(List.of(Peer.namespaces(LabelSelector.of("ns", "y"))), List.of())), List.of(),
                Map.of());
        ClusterSnapshot policed = E2eModel.with(onlyY);
        ProbeTimings quick = new ProbeTimings(Duration.ofMillis(300), Duration.ofMillis(400), Duration.ofMillis(100));
        try (LabNodeEnforcers enforcers = new LabNodeEnforcers(model);
             Lab lab = Lab.up(model, LabOptions.DEFAULT.withTimings(quick).withTopology(LabTopology.BRIDGED_VXLAN)
                     .withEnforcers(enforcers))) {
            enforcers.enforce(policed);
            ReachabilityMatrix engine = LabE2eIT.matrix(Reachability.probe(policed, Protocol.TCP, 80), Protocol.TCP, 80);
            assertThat(BridgeNetfilter.check(lab.inNode("node-1")).filtersBridgedTraffic()).isTrue();

            // what the inet hooks see of a bridged packet: input and output device are the bridge
            lab.runInNode("node-1", () -> new Nftables().run("add table inet nfobserve\n"
                    + "add chain inet nfobserve seen { type filter hook forward priority -10; }\n"
                    + "add rule inet nfobserve seen ip saddr 10.0.2.1 ip daddr 10.0.1.1 iifname \"cni0\" oifname \"cni0\" counter"));
            ReachabilityMatrix on = LabE2eIT.measured(lab.probe(80, Protocol.TCP, false));
            assertThat(on.differences(engine)).as("br_netfilter on: measured vs engine").isEmpty();
            String observed = lab.runInNode("node-1", () -> new Nftables().run("list table inet nfobserve"));
            lab.runInNode("node-1", () -> new Nftables().run("delete table inet nfobserve"));
            Matcher m = Pattern.compile("packets (\\d+)").matcher(observed);
            assertThat(m.find() && Long.parseLong(m.group(1)) > 0).as("y/a -> x/a seen bridged in the forward hook: "
                    + observed).isTrue();

            setBridgeNetfilter(lab, "0");
            try {
                BridgeNetfilter off = BridgeNetfilter.check(lab.inNode("node-1"));
                assertThat(off).isEqualTo(new BridgeNetfilter(BridgeNetfilter.Status.OFF, BridgeNetfilter.Status.OFF));
                assertThat(off.describe()).contains("not filtered on the same node");
                ReachabilityMatrix bypassed = LabE2eIT.measured(lab.probe(80, Protocol.TCP, false));
                assertThat(bypassed.differences(engine)).as("only node-1's own denied pairs get through")
                        .isNotEmpty().allSatisfy(d -> assertThat(d).containsPattern("^[xyz]/[ab] -> x/a"));
                for (String from : E2eModel.podKeys()) {
                    boolean sameNode = !from.endsWith("/c");
                    assertThat(bypassed.allowed(from, "x/a")).as(from + " -> x/a")
                            .isEqualTo(engine.allowed(from, "x/a") || sameNode);
                }
            } finally {
                setBridgeNetfilter(lab, "1");
            }
            assertThat(LabE2eIT.measured(lab.probe(80, Protocol.TCP, false)).differences(engine))
                    .as("br_netfilter on again").isEmpty();
        }
    }

    /** A modular kernel: load the module as a node's setup would (this build machine's kernel has it built in). */
    private static void loadBrNetfilter() {
        Lab.findExecutable("modprobe").ifPresent(modprobe -> {
            try {
                new ProcessBuilder(modprobe.toString(), "br_netfilter").inheritIO().start().waitFor();
            } catch (java.io.IOException e) {
                // reported by the assumption below
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private static void setBridgeNetfilter(Lab lab, String value) {
        lab.runInNode("node-1", () -> {
            Files.writeString(V4, value);
            Files.writeString(V6, value);
            return null;
        });
    }
}
