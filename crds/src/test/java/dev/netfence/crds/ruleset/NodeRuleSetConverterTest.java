package dev.netfence.crds.ruleset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netfence.policy.compile.CompiledCluster;
import dev.netfence.policy.compile.NodeRuleSet;
import dev.netfence.policy.compile.RuleSetCompiler;
import dev.netfence.policy.model.ClusterNetworkPolicy;
import dev.netfence.policy.model.ClusterPeer;
import dev.netfence.policy.model.ClusterPort;
import dev.netfence.policy.model.ClusterRule;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.ClusterSubject;
import dev.netfence.policy.model.RuleAction;
import dev.netfence.policy.model.Tier;
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
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NodeRuleSetConverterTest {

    static Pod pod(String ns, String name, String node, Map<String, String> labels, List<ContainerPort> ports, String... ips) {
        return new Pod(ns, name, labels, Arrays.stream(ips).map(IpAddress::parse).toList(), node, false, ports);
    }

    /** Named ports, port ranges, ipBlock with except, a DefaultDeny with DNS carve-out, dual stack. */
    static ClusterSnapshot shop() {
        return ClusterSnapshot.builder()
                .namespace(new Namespace("shop", Map.of("team", "shop")))
                .node(new Node("n1", List.of(IpAddress.parse("10.77.255.1"))))
                .pod(pod("shop", "web", "n1", Map.of("app", "web"), List.of(new ContainerPort("http", 8080, Protocol.TCP)),
                        "10.77.0.1", "fd77::1"))
                .pod(pod("shop", "api", "n1", Map.of("app", "api"), List.of(), "10.77.0.2", "fd77::2"))
                .pod(pod("shop", "db", "n1", Map.of("app", "db"), List.of(), "10.77.0.3"))
                .policy(new NetworkPolicy("shop", "web-from-api", LabelSelector.of("app", "web"), List.of("Ingress"),
                        List.of(new PolicyRule(List.of(Peer.pods(LabelSelector.of("app", "api")),
                                        Peer.ipBlock("172.16.0.0/16", "172.16.1.0/24")),
                                List.of(PolicyPort.named(Protocol.TCP, "http"), PolicyPort.range(Protocol.UDP, 5353, 5354)))),
                        null, Map.of()))
                .defaultDeny(new DefaultDeny("shop", "db-egress", Set.of(Direction.EGRESS), true, false, null))
                .build();
    }

    @Test
    void roundTripsTheCompiledRuleSetThroughJson() throws Exception {
        CompiledCluster compiled = RuleSetCompiler.compile(shop());
        NodeRuleSet rs = compiled.nodes().get("n1");
        assertThat(rs.pods()).isNotEmpty();
        assertThat(rs.policies()).hasSize(2);

        dev.netfence.crds.NodeRuleSet resource = NodeRuleSetConverter.toResource(rs);
        String json = Serialization.asJson(resource);
        dev.netfence.crds.NodeRuleSet read = new ObjectMapper().readValue(json, dev.netfence.crds.NodeRuleSet.class);

        assertThat(read.getMetadata().getName()).isEqualTo("n1");
        assertThat(read.getSpec().contentHash).isEqualTo(rs.contentHash());
        assertThat(read.getSpec().summary.pods).isEqualTo(rs.pods().size());
        assertThat(NodeRuleSetConverter.toModel(read)).isEqualTo(rs);
        assertThat(NodeRuleSetConverter.toModel(read).contentHash()).isEqualTo(rs.contentHash());
    }

    /** An audited policy's flag survives the custom resource (else the node would enforce it). */
    @Test
    void roundTripsAnAuditedPolicy() throws Exception {
        ClusterSnapshot audited = shop().toBuilder().defaultDeny(new DefaultDeny("shop", "db-egress", Set.of(Direction.EGRESS),
                true, false, null, dev.netfence.policy.model.Enforcement.AUDIT)).build();
        NodeRuleSet rs = RuleSetCompiler.compile(audited).nodes().get("n1");
        assertThat(rs.policies()).anySatisfy(p -> assertThat(p.audit()).isTrue());
        String json = Serialization.asJson(NodeRuleSetConverter.toResource(rs));
        assertThat(json).contains("\"audit\":true");
        assertThat(NodeRuleSetConverter.toModel(new ObjectMapper().readValue(json, dev.netfence.crds.NodeRuleSet.class)))
                .isEqualTo(rs);
    }

    /**
     * Tier content survives the custom resource: Admin and Baseline directions with priorities, rule
     * actions (Pass, Deny, a fail-closed Deny-all) and names, nodes/networks/namespaces/pods peers, a
     * named port, and the pods' tier lists in evaluation order.
     */
    @Test
    void roundTripsClusterNetworkPolicyTiers() throws Exception {
        LabelSelector shopTeam = LabelSelector.of("team", "shop");
        ClusterSnapshot tiered = shop().toBuilder()
                .node(new Node("n1", List.of(IpAddress.parse("10.77.255.1")), Map.of("role", "worker")))
                .clusterPolicy(new ClusterNetworkPolicy("guard", Tier.ADMIN, 5, ClusterSubject.namespaces(shopTeam),
                        List.of(new ClusterRule("pass-own", RuleAction.PASS, List.of(new ClusterPeer.Namespaces(shopTeam)), List.of()),
                                new ClusterRule("unreadable", RuleAction.DENY, List.of(new ClusterPeer.Unknown("domainNames")), List.of())),
                        List.of(new ClusterRule("dns", RuleAction.ACCEPT, List.of(new ClusterPeer.Networks(List.of("10.96.0.10/32"))),
                                        List.of(ClusterPort.port(Protocol.UDP, 53))),
                                new ClusterRule(null, RuleAction.DENY,
                                        List.of(new ClusterPeer.Pods(shopTeam, LabelSelector.of("app", "web"))),
                                        List.of(ClusterPort.named("http"), ClusterPort.range(Protocol.TCP, 9000, 9100))))))
                .clusterPolicy(new ClusterNetworkPolicy("default-deny", Tier.BASELINE, 1000,
                        ClusterSubject.pods(LabelSelector.ALL, LabelSelector.of("app", "web")),
                        List.of(new ClusterRule("deny-all", RuleAction.DENY, List.of(new ClusterPeer.Namespaces(LabelSelector.ALL)), List.of())),
                        List.of(new ClusterRule("nodes", RuleAction.ACCEPT, List.of(new ClusterPeer.Nodes(LabelSelector.of("role", "worker"))),
                                List.of()))))
                .build();
        NodeRuleSet rs = RuleSetCompiler.compile(tiered).nodes().get("n1");
        assertThat(rs.policies()).filteredOn(p -> p.tier() != null).hasSize(4);
        assertThat(rs.pods()).filteredOn(p -> p.name().equals("web")).singleElement()
                .satisfies(p -> assertThat(p.clusterIngress()).containsExactly("ClusterNetworkPolicy/guard/Ingress",
                        "ClusterNetworkPolicy/default-deny/Ingress"));

        String json = Serialization.asJson(NodeRuleSetConverter.toResource(rs));
        assertThat(json).contains("\"tier\":\"Admin\"", "\"tier\":\"Baseline\"", "\"priority\":1000", "\"action\":\"Pass\"",
                "\"name\":\"pass-own\"", "\"clusterIngress\"", "\"clusterEgress\"");
        NodeRuleSet read = NodeRuleSetConverter.toModel(new ObjectMapper().readValue(json, dev.netfence.crds.NodeRuleSet.class));
        assertThat(read).isEqualTo(rs);
        assertThat(read.contentHash()).isEqualTo(rs.contentHash());
    }

    /** Without ClusterNetworkPolicies a rule set serializes as before the tiers existed: no new field appears. */
    @Test
    void aRuleSetWithoutTiersHasNoTierFields() {
        String json = Serialization.asJson(NodeRuleSetConverter.toSpec(RuleSetCompiler.compile(shop()).nodes().get("n1")));
        assertThat(json).doesNotContain("\"tier\"", "\"priority\"", "\"action\"", "\"clusterIngress\"",
                "\"clusterEgress\"", "\"name\":\"\"");
    }

    @Test
    void equalRuleSetsSerializeEqually() {
        NodeRuleSet a = RuleSetCompiler.compile(shop()).nodes().get("n1");
        NodeRuleSet b = RuleSetCompiler.compile(shop().toBuilder().build()).nodes().get("n1");
        assertThat(Serialization.asJson(NodeRuleSetConverter.toSpec(a)))
                .isEqualTo(Serialization.asJson(NodeRuleSetConverter.toSpec(b)));
    }

    @Test
    void aBadDirectionNamesTheObjectAndField() {
        dev.netfence.crds.NodeRuleSet resource = NodeRuleSetConverter.toResource(RuleSetCompiler.compile(shop()).nodes().get("n1"));
        resource.getSpec().policies.get(1).direction = "Sideways";
        assertThatThrownBy(() -> NodeRuleSetConverter.toModel(resource))
                .isInstanceOf(InvalidRuleSetException.class)
                .hasMessageContaining("NodeRuleSet n1")
                .hasMessageContaining("spec.policies[1].direction")
                .hasMessageContaining("use Ingress or Egress");
    }

    @Test
    void aBadPortRangeNamesTheField() {
        dev.netfence.crds.NodeRuleSet resource = NodeRuleSetConverter.toResource(RuleSetCompiler.compile(shop()).nodes().get("n1"));
        var rule = resource.getSpec().policies.stream().filter(p -> p.name.equals("web-from-api")).findFirst().orElseThrow()
                .rules.get(0);
        rule.ports.get(0).first = 70000;
        assertThatThrownBy(() -> NodeRuleSetConverter.toModel(resource))
                .isInstanceOf(InvalidRuleSetException.class)
                .hasMessageContaining(".rules[0].ports[0]");
    }
}
