package dev.netfence.crds.ruleset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netfence.policy.compile.CompiledCluster;
import dev.netfence.policy.compile.NodeRuleSet;
import dev.netfence.policy.compile.RuleSetCompiler;
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
