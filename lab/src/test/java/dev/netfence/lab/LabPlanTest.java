package dev.netfence.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.net.Cidr;
import dev.netfence.policy.net.IpAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabPlanTest {

    @Test
    void namesEveryNamespaceWithTheRunPrefix() {
        LabPlan plan = LabPlan.of(LabFixtures.twoNodes(), "t1");

        assertThat(plan.namespaces()).allMatch(ns -> ns.startsWith("nf-t1-"))
                .containsExactly("nf-t1-underlay", "nf-t1-node-node-a", "nf-t1-node-node-b",
                        "nf-t1-pod-x.a", "nf-t1-pod-x.b", "nf-t1-pod-y.a", "nf-t1-pod-y.b", "nf-t1-pod-z.c");
        assertThat(plan.pods()).extracting(LabPod::key).containsExactly("x/a", "x/b", "y/a", "y/b", "z/c");
    }

    @Test
    void createsLinksOnlyInsideLabNamespaces() {
        LabPlan plan = LabPlan.of(LabFixtures.twoNodes(), "t1");

        assertThat(plan.createScript()).filteredOn(l -> l.startsWith("link add"))
                .allSatisfy(l -> assertThat(l.split(" netns ")).hasSizeGreaterThanOrEqualTo(2))
                .filteredOn(l -> l.contains("type veth"))
                .allSatisfy(l -> assertThat(l.split(" netns ")).hasSize(3))
                .as("pod interfaces are CNI's").noneMatch(l -> l.contains("-pod-"));
    }

    @Test
    void routesPodsOverTheUnderlayAndLeavesPodInterfacesToCni() {
        LabPlan plan = LabPlan.of(LabFixtures.twoNodes(), "t1");
        Map<String, List<String>> scripts = plan.configureScripts();

        assertThat(scripts.get("nf-t1-node-node-a"))
                .contains("route add 10.244.2.10/32 via 198.18.0.2 dev ul0",
                        "route add fd00:10:244:2::10/128 via fd00:6e66::2 dev ul0",
                        "route add 172.31.0.12/32 via 198.18.0.2 dev ul0",
                        "addr add 172.31.0.11/32 dev lo")
                .noneMatch(l -> l.contains("default") || l.contains("0.0.0.0/0") || l.contains("::/0"));
        assertThat(scripts.get("nf-t1-pod-x.a")).containsExactly("link set lo up");
        assertThat(plan.fdbScripts()).isEmpty();
    }

    @Test
    void givesEachNodeOneRangePerFamilyWithAGatewayNoPodOrNodeHas() {
        LabPlan plan = LabPlan.of(LabFixtures.twoNodes(), "t1");
        assertThat(plan.nodes().get(0).podRanges()).containsExactly(
                new PodRange(Cidr.parse("10.244.1.0/24"), IpAddress.parse("10.244.1.254")),
                new PodRange(Cidr.parse("fd00:10:244:1::/112"), IpAddress.parse("fd00:10:244:1::fffe")));
        // the e2e model's pods spread three /24s over each node: one range per family holds them all
        LabPlan e2e = LabPlan.of(ClusterSnapshot.builder()
                .pod(LabFixtures.pod("x", "a", "n", "10.0.1.1")).pod(LabFixtures.pod("y", "a", "n", "10.0.3.254"))
                .pod(LabFixtures.pod("z", "a", "n", "10.0.3.253")).build(), "t1");
        assertThat(e2e.nodes().get(0).podRanges()).containsExactly(
                new PodRange(Cidr.parse("10.0.0.0/22"), IpAddress.parse("10.0.3.252")));
        assertThatThrownBy(() -> LabPlan.of(ClusterSnapshot.builder().pod(LabFixtures.pod("x", "a", "n", "10.0.1.0"))
                .pod(LabFixtures.pod("x", "b", "n", "10.0.1.7")).build(), "t1"))
                .hasMessageContaining("10.0.1.0 is the network or broadcast address of 10.0.1.0/24");
    }

    @Test
    void bridgedNodesJoinByVxlanWithStaticFdbAndAnswerForRemotePodsOfTheirSubnet() {
        ClusterSnapshot s = ClusterSnapshot.builder()
                .pod(LabFixtures.pod("x", "a", "node-a", "10.0.1.1")).pod(LabFixtures.pod("x", "c", "node-b", "10.0.1.3"))
                .build();
        LabPlan plan = LabPlan.of(s, "t1", LabTopology.BRIDGED_VXLAN);
        assertThat(plan.configureScripts().get("nf-t1-node-node-a"))
                .contains("addr add 198.19.0.1/32 dev vx0", "route add 10.0.1.3/32 via 198.19.0.2 dev vx0 onlink",
                        "neigh add 198.19.0.2 lladdr 02:6e:68:00:00:02 dev vx0 nud permanent")
                .anyMatch(l -> l.startsWith("link add vx0 ") && l.contains("type vxlan id 1 local 198.18.0.1 dev ul0")
                        && l.contains("nolearning"));
        assertThat(plan.fdbScripts().get("nf-t1-node-node-a")).containsExactly("fdb append 02:6e:68:00:00:02 dev vx0 dst 198.18.0.2");
        assertThat(plan.proxyNeighbours(plan.nodes().get(0))).containsExactly("neigh add proxy 10.0.1.3 dev cni0");
    }

    @Test
    void hostNetworkPodsLiveInTheirNodeNamespace() {
        ClusterSnapshot s = LabFixtures.twoNodes().toBuilder()
                .pod(new Pod("kube-system", "agent", Map.of(), List.of(IpAddress.parse("172.31.0.11")), "node-a", true,
                        List.of()))
                .build();
        LabPlan plan = LabPlan.of(s, "t1");

        LabPod agent = plan.pods().stream().filter(p -> p.key().equals("kube-system/agent")).findFirst().orElseThrow();
        assertThat(agent.namespace()).isEqualTo("nf-t1-node-node-a");
        assertThat(plan.namespaces()).doesNotContain("nf-t1-pod-kube-system.agent");
    }

    @Test
    void refusesPodsWithoutNodeDuplicateIpsAndLabRanges() {
        assertThatThrownBy(() -> LabPlan.of(ClusterSnapshot.builder()
                .pod(LabFixtures.pod("x", "a", null, "10.0.0.1")).build(), "t1"))
                .hasMessageContaining("pod x/a").hasMessageContaining("spec.nodeName");
        assertThatThrownBy(() -> LabPlan.of(ClusterSnapshot.builder()
                .pod(LabFixtures.pod("x", "a", "n", "10.0.0.1"))
                .pod(LabFixtures.pod("x", "b", "n", "10.0.0.1")).build(), "t1"))
                .hasMessageContaining("pod x/b").hasMessageContaining("already the IP of x/a");
        assertThatThrownBy(() -> LabPlan.of(ClusterSnapshot.builder()
                .pod(LabFixtures.pod("x", "a", "n", "198.18.0.7")).build(), "t1"))
                .hasMessageContaining("underlay range 198.18.0.0/16");
        assertThatThrownBy(() -> LabPlan.of(LabFixtures.twoNodes(), "Bad_Id"))
                .hasMessageContaining("invalid lab run id");
    }

    @Test
    void fallsBackToIndexedNamesWhenReadableNamesWouldBeTooLong() {
        String longName = "p".repeat(70);
        LabPlan plan = LabPlan.of(ClusterSnapshot.builder()
                .pod(LabFixtures.pod("x", longName, "n", "10.0.0.1")).build(), "t1");

        assertThat(plan.pods().get(0).namespace()).isEqualTo("nf-t1-pod0");
    }

    @Test
    void removesUnderlayLast() {
        LabPlan plan = LabPlan.of(LabFixtures.twoNodes(), "t1");

        assertThat(plan.removeScript()).last().isEqualTo("netns del nf-t1-underlay");
        assertThat(plan.removeScript()).hasSize(plan.namespaces().size());
    }
}
