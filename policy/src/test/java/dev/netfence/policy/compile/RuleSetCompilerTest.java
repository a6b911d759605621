package dev.netfence.policy.compile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.ContainerPort;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.PolicyPort;
import dev.netfence.policy.model.PolicyRule;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuleSetCompilerTest {

    static Pod pod(String ns, String name, String ip, String node, Map<String, String> labels, ContainerPort... ports) {
        return new Pod(ns, name, labels, List.of(IpAddress.parse(ip)), node, false, List.of(ports));
    }

    static ClusterSnapshot twoNodes() {
        return ClusterSnapshot.builder()
                .namespace(Namespace.of("shop"))
                .node(new Node("n1", List.of(IpAddress.parse("192.168.0.1"))))
                .node(new Node("n2", List.of(IpAddress.parse("192.168.0.2"))))
                .pod(pod("shop", "web", "10.0.1.1", "n1", Map.of("app", "web"), new ContainerPort("http", 8080, Protocol.TCP)))
                .pod(pod("shop", "api", "10.0.2.1", "n2", Map.of("app", "api"), new ContainerPort("http", 9090, Protocol.TCP)))
                .pod(pod("shop", "db", "10.0.2.2", "n2", Map.of("app", "db")))
                .policy(new NetworkPolicy("shop", "web-from-api", LabelSelector.of("app", "web"), null,
                        List.of(new PolicyRule(List.of(Peer.pods(LabelSelector.of("app", "api")),
                                Peer.ipBlock("172.16.0.0/16", "172.16.1.0/24")),
                                List.of(PolicyPort.named(Protocol.TCP, "http"), PolicyPort.range(Protocol.UDP, 5000, 5010)))),
                        null, Map.of()))
                .defaultDeny(new DefaultDeny("shop", "dd", java.util.Set.of(Direction.EGRESS), true, false,
                        LabelSelector.of("app", "db")))
                .build();
    }

    @Test
    void ipBlockExceptBecomesIntervals() {
        assertThat(AddressRanges.ofIpBlock("172.16.0.0/16", List.of("172.16.1.0/24")))
                .containsExactly("172.16.0.0/24", "172.16.2.0-172.16.255.255");
        assertThat(AddressRanges.ofIpBlock("10.0.0.0/8", List.of("10.0.0.0/8"))).isEmpty();
        assertThat(AddressRanges.ofIpBlock("fd00::/64", List.of("fd00::/65"))).containsExactly("fd00::8000:0:0:0/65");
    }

    @Test
    void eachNodeGetsEveryLocalPodWithItsIsolationAndSharedAddressSets() {
        CompiledCluster c = RuleSetCompiler.compile(twoNodes());
        NodeRuleSet n1 = c.nodes().get("n1");
        assertThat(n1.nodeAddresses()).containsExactly("192.168.0.1");
        assertThat(n1.pods()).extracting(LocalPod::key).containsExactly("shop/web");
        LocalPod web = n1.pods().get(0);
        assertThat(web.ingressPolicies()).containsExactly("NetworkPolicy/shop/web-from-api/Ingress");
        assertThat(web.egressPolicies()).containsExactly("DefaultDeny/shop/dd/Egress");
        // db is exempt from the DefaultDeny and selected by nothing: not isolated, but listed (the enforcer
        // holds a new pod until its node's rule set names it, so "known, not isolated" must be visible)
        assertThat(c.nodes().get("n2").pods()).extracting(LocalPod::key).containsExactly("shop/api", "shop/db");
        LocalPod db = c.nodes().get("n2").pods().get(1);
        assertThat(db.ingressPolicies()).isEmpty();
        assertThat(db.egressPolicies()).isEmpty();

        CompiledRule rule = n1.policies().stream().filter(p -> p.direction() == Direction.INGRESS).findFirst()
                .orElseThrow().rules().get(0);
        assertThat(rule.fieldPath()).isEqualTo("spec.ingress[0]");
        assertThat(rule.peers()).hasSize(2).allSatisfy(name -> assertThat(c.addressSets()).containsKey(name));
        assertThat(rule.peers()).extracting(n -> c.addressSets().get(n).entries())
                .containsExactlyInAnyOrder(List.of("10.0.2.1"), List.of("172.16.0.0/24", "172.16.2.0-172.16.255.255"));
        // the named port resolves against the local destination pod (web: 8080), not api's 9090
        assertThat(rule.namedPorts()).containsExactly(new DestinationPort("10.0.1.1", Protocol.TCP, 8080));
        assertThat(rule.ports()).containsExactly(new PortRange(Protocol.UDP, 5000, 5010));

        CompiledRule dns = n1.policies().stream().filter(p -> p.kind().equals("DefaultDeny")).findFirst()
                .orElseThrow().rules().get(0);
        assertThat(dns.fieldPath()).isEqualTo("spec.allowDNS");
        // the egress DefaultDeny applies on both nodes, so its DNS set spans both
        assertThat(c.addressSetSpans().get(dns.peers().get(0))).containsExactly("n1", "n2");
    }

    @Test
    void equalContentGivesEqualNamesAndEqualRuleSets() {
        CompiledCluster a = RuleSetCompiler.compile(twoNodes());
        CompiledCluster b = RuleSetCompiler.compile(twoNodes().toBuilder().build());
        assertThat(a).isEqualTo(b);
        assertThat(a.nodes().get("n1").contentHash()).isEqualTo(b.nodes().get("n1").contentHash());
    }

    @Test
    void aNewPeerPodChangesOnlyTheEntriesOfItsAddressSet() {
        CompiledCluster before = RuleSetCompiler.compile(twoNodes());
        CompiledCluster after = RuleSetCompiler.compile(twoNodes().toBuilder()
                .pod(pod("shop", "api-2", "10.0.2.9", "n2", Map.of("app", "api"))).build());
        // n1's rule set is unchanged: it refers to the api set by name, and the name does not depend on members
        assertThat(after.nodes().get("n1")).isEqualTo(before.nodes().get("n1"));
        assertThat(after.addressSets().keySet()).isEqualTo(before.addressSets().keySet());
        List<String> changed = after.addressSets().keySet().stream()
                .filter(n -> !after.addressSets().get(n).equals(before.addressSets().get(n))).toList();
        assertThat(changed).hasSize(1);
        assertThat(after.addressSets().get(changed.get(0)).entries()).containsExactly("10.0.2.1", "10.0.2.9");
    }
}
