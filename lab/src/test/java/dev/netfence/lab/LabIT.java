package dev.netfence.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.netfence.lab.netns.NetworkNamespaces;
import dev.netfence.policy.model.Protocol;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real lab of network namespaces: 2 nodes, 5 pods, real TCP and UDP packets. One lab is shared
 * by the tests that only read it; tests that add rules build their own.
 */
class LabIT {

    private static Lab lab;

    @BeforeAll
    static void up() {
        assumeTrue(Lab.prerequisitesMissing().isEmpty(), () -> "skipped: " + Lab.prerequisitesMissing().orElse(""));
        lab = Lab.up(LabFixtures.twoNodes());
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            String prefix = lab.plan().prefix();
            lab.close();
            assertThat(Lab.namespacesWithPrefix(prefix)).isEmpty();
        }
    }

    @Test
    void everyPodReachesEveryPodWhenNoRulesAreLoaded() {
        List<String> pods = List.of("x/a", "x/b", "y/a", "y/b", "z/c");

        assertThat(lab.measure(80, Protocol.TCP)).isEqualTo(ReachabilityMatrix.uniform(Protocol.TCP, 80, pods, true));
        assertThat(lab.measure(81, Protocol.UDP)).isEqualTo(ReachabilityMatrix.uniform(Protocol.UDP, 81, pods, true));
        // a port no pod declares: the lab starts servers on it before probing
        assertThat(lab.measure(8080, Protocol.TCP)).isEqualTo(ReachabilityMatrix.uniform(Protocol.TCP, 8080, pods, true));
    }

    @Test
    void dualStackPodsReachEachOtherOverIpv6() {
        ProbeResult result = lab.probe(80, Protocol.TCP, true);

        ReachabilityMatrix m = ((ProbeResult.Measured) result).matrix();
        assertThat(m.allowed("x/a", "y/a")).isTrue();
        assertThat(m.allowed("y/a", "x/a")).isTrue();
        // an IPv4-only pod has no IPv6 address to send from
        assertThat(m.allowed("x/b", "y/a")).isFalse();
    }

    @Test
    void sctpIsReportedAsUnprobeable() {
        assertThat(lab.probe(80, Protocol.SCTP)).isInstanceOfSatisfying(ProbeResult.Unprobeable.class,
                u -> assertThat(u.reason()).contains("SCTP"));
    }

    @Test
    void tasksRunInsideTheNamespaceTheyAreGivenTo() {
        long machine = NetworkNamespaces.currentInode();

        long inPod = lab.runInPod("y/b", NetworkNamespaces::currentInode);
        long inNode = lab.runInNode("node-a", NetworkNamespaces::currentInode);

        assertThat(inPod).isEqualTo(NetworkNamespaces.inode(lab.podNamespace("y/b"))).isNotEqualTo(machine);
        assertThat(inNode).isEqualTo(NetworkNamespaces.inode(lab.nodeNamespace("node-a"))).isNotEqualTo(machine);
        assertThat(NetworkNamespaces.currentInode()).as("the calling thread stays where it was").isEqualTo(machine);
    }

    @Test
    void podsRouteOnlyToTheirNodeAndNodesHaveNoRouteOut() {
        String pod = lab.podNamespace("x/a");
        assertThat(Shell.run("ip", "-n", pod, "-4", "route", "show", "default").ok().output().trim())
                .isEqualTo("default via 10.244.1.254 dev eth0");
        assertThat(Shell.run("ip", "-n", pod, "-o", "link", "show").ok().output())
                .contains(": lo:", ": eth0@").doesNotContain("ul0");

        for (LabNode node : lab.nodes()) {
            String ns = node.namespace();
            assertThat(Shell.run("ip", "-n", ns, "route", "show", "default").ok().output()).isBlank();
            assertThat(Shell.run("ip", "-n", ns, "-6", "route", "show", "default").ok().output()).isBlank();
            // an address of the wider world (TEST-NET-3): the lookup fails, nothing is sent
            Shell lookup = Shell.run("ip", "-n", ns, "route", "get", "203.0.113.7");
            assertThat(lookup.exitCode()).isNotZero();
            assertThat(lookup.output()).contains("unreachable");
            List<String> links = new ArrayList<>();
            for (String line : Shell.run("ip", "-n", ns, "-o", "link", "show").ok().output().split("\n")) {
                links.add(line.split(": ")[1].split("@")[0]);
            }
            assertThat(links).allMatch(l -> l.equals("lo") || l.equals("ul0") || l.matches("veth[0-9a-f]{8}"));
        }
        // nothing of the lab exists in the machine's own namespace
        assertThat(Shell.run("ip", "-o", "link", "show").ok().output()).doesNotContain("ul0@");
    }

    @Test
    void aDropRuleInOneNodeFlipsExactlyTheCellsOfThePodItGuards() {
        try (Lab own = Lab.up(LabFixtures.twoNodes())) {
            String rule = """
                    table inet lab_test {
                      chain forward {
                        type filter hook forward priority 0; policy accept;
                        ip daddr 10.244.2.10 tcp dport 80 drop
                      }
                    }
                    """;
            own.installRules(node -> {
                if (node.name().equals("node-b")) {
                    // a child process inherits the namespace of the thread that starts it
                    Shell.withInput(rule, "nft", "-f", "-").ok();
                }
            });

            List<String> pods = own.pods().stream().map(LabPod::key).toList();
            ReachabilityMatrix expected = ReachabilityMatrix.uniform(Protocol.TCP, 80, pods, true);
            boolean[][] cells = new boolean[pods.size()][];
            for (int i = 0; i < pods.size(); i++) {
                cells[i] = expected.allowed()[i].clone();
                // y/a to itself never crosses the node: it stays on the pod's own loopback
                cells[i][2] = pods.get(i).equals("y/a");
            }
            assertThat(own.measure(80, Protocol.TCP)).isEqualTo(new ReachabilityMatrix(Protocol.TCP, 80, pods, cells));
            assertThat(own.measure(81, Protocol.UDP)).isEqualTo(ReachabilityMatrix.uniform(Protocol.UDP, 81, pods, true));
            assertThat(Shell.run("ip", "netns", "exec", own.nodeNamespace("node-b"), "nft", "list", "table", "inet",
                    "lab_test").exitCode()).isZero();
            assertThat(Shell.run("ip", "netns", "exec", own.nodeNamespace("node-a"), "nft", "list", "table", "inet",
                    "lab_test").exitCode()).as("node-a has no rules").isNotZero();
            assertThat(Shell.run("nft", "list", "table", "inet", "lab_test").exitCode())
                    .as("the machine's own ruleset is untouched").isNotZero();
        }
    }

    @Test
    void aUdpDropRuleIsMeasuredAsDenied() {
        try (Lab own = Lab.up(LabFixtures.twoNodes())) {
            own.installRules(node -> {
                if (node.name().equals("node-a")) {
                    Shell.withInput("""
                            table inet lab_test {
                              chain forward {
                                type filter hook forward priority 0; policy accept;
                                ip saddr 10.244.1.11 udp dport 81 drop
                              }
                            }
                            """, "nft", "-f", "-").ok();
                }
            });

            ReachabilityMatrix udp = own.measure(81, Protocol.UDP);
            for (String to : List.of("x/a", "y/a", "y/b", "z/c")) {
                assertThat(udp.allowed("x/b", to)).as("x/b -> " + to).isFalse();
                assertThat(udp.allowed(to, "x/b")).as(to + " -> x/b").isTrue();
            }
            assertThat(udp.allowed("x/b", "x/b")).isTrue();
        }
    }

    @Test
    void aHostNetworkPodServesAndProbesFromItsNode() {
        var snapshot = LabFixtures.twoNodes().toBuilder()
                .pod(new dev.netfence.policy.model.Pod("kube-system", "agent", java.util.Map.of(),
                        List.of(dev.netfence.policy.net.IpAddress.parse("172.31.0.12")), "node-b", true, LabFixtures.SERVED))
                .build();
        try (Lab own = Lab.up(snapshot)) {
            assertThat(own.podNamespace("kube-system/agent")).isEqualTo(own.nodeNamespace("node-b"));

            ReachabilityMatrix tcp = own.measure(80, Protocol.TCP);

            assertThat(tcp.pods()).containsExactly("kube-system/agent", "x/a", "x/b", "y/a", "y/b", "z/c");
            assertThat(tcp).isEqualTo(ReachabilityMatrix.uniform(Protocol.TCP, 80, tcp.pods(), true));
            assertThat(own.measure(81, Protocol.UDP).differences(
                    ReachabilityMatrix.uniform(Protocol.UDP, 81, tcp.pods(), true))).isEmpty();
        }
    }
}
