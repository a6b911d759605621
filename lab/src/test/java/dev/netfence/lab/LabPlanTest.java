package dev.netfence.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.net.IpAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabPlanTest {

    @Test
    void namesEveryNamespaceWithTheRunPrefixAndKeepsHostInterfaceNamesShort() {
        LabPlan plan = LabPlan.of(LabFixtures.twoNodes(), "t1");

        assertThat(plan.namespaces()).allMatch(ns -> ns.startsWith("nf-t1-"))
                .containsExactly("nf-t1-underlay", "nf-t1-node-node-a", "nf-t1-node-node-b",
                        "nf-t1-pod-x.a", "nf-t1-pod-x.b", "nf-t1-pod-y.a", "nf-t1-pod-y.b", "nf-t1-pod-z.c");
        assertThat(plan.pods()).extracting(LabPod::hostInterface).allMatch(n -> n.length() <= 15).doesNotHaveDuplicates();
        assertThat(plan.pods()).extracting(LabPod::key).containsExactly("x/a", "x/b", "y/a", "y/b", "z/c");
    }

    @Test
    void createsLinksOnlyInsideLabNamespaces() {
        LabPlan plan = LabPlan.of(LabFixtures.twoNodes(), "t1");

        assertThat(plan.createScript()).filteredOn(l -> l.startsWith("link add"))
                .allSatisfy(l -> assertThat(l.split(" netns ")).hasSizeGreaterThanOrEqualTo(2))
                .filteredOn(l -> l.contains("type veth"))
                .allSatisfy(l -> assertThat(l.split(" netns ")).hasSize(3));
    }

    @Test
    void routesPodsOverTheUnderlayAndGivesPodsOnlyALinkLocalGateway() {
        LabPlan plan = LabPlan.of(LabFixtures.twoNodes(), "t1");
        Map<String, List<String>> scripts = plan.configureScripts();

        assertThat(scripts.get("nf-t1-node-node-a"))
                .contains("route add 10.244.2.10/32 via 198.18.0.2 dev ul0",
                        "route add fd00:10:244:2::10/128 via fd00:6e66::2 dev ul0",
                        "route add 172.31.0.12/32 via 198.18.0.2 dev ul0",
                        "addr add 172.31.0.11/32 dev lo")
                .noneMatch(l -> l.contains("default") || l.contains("0.0.0.0/0") || l.contains("::/0"));
        assertThat(scripts.get("nf-t1-pod-x.a"))
                .contains("addr add 10.244.1.10/32 dev eth0",
                        "route add 0.0.0.0/0 via 169.254.1.1 dev eth0",
                        "route add ::/0 via fe80::1 dev eth0");
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
