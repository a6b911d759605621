package dev.netfence.crds.ruleset;

import dev.netfence.policy.model.RuleAction;
import dev.netfence.policy.model.Tier;
import dev.netfence.crds.NodeRuleSetSpec;
import dev.netfence.policy.compile.CompiledRule;
import dev.netfence.policy.compile.DestinationPort;
import dev.netfence.policy.compile.LocalPod;
import dev.netfence.policy.compile.NodeRuleSet;
import dev.netfence.policy.compile.PolicyRules;
import dev.netfence.policy.compile.PortRange;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.Protocol;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * Converts between the compiler's {@link NodeRuleSet} record and the {@code NodeRuleSet} custom
 * resource, losslessly: {@code toModel(toResource(rs))} equals {@code rs}. Reading a resource checks
 * the values the datapath depends on and names the field of a bad one.
 */
public final class NodeRuleSetConverter {

    private NodeRuleSetConverter() {
    }

    /** The resource for a compiled rule set, named after its node, with its content hash. */
    public static dev.netfence.crds.NodeRuleSet toResource(NodeRuleSet rs) {
        dev.netfence.crds.NodeRuleSet r = new dev.netfence.crds.NodeRuleSet();
        r.setMetadata(new ObjectMetaBuilder().withName(rs.node()).build());
        r.setSpec(toSpec(rs));
        return r;
    }

    public static NodeRuleSetSpec toSpec(NodeRuleSet rs) {
        NodeRuleSetSpec s = new NodeRuleSetSpec();
        s.node = rs.node();
        s.contentHash = rs.contentHash();
        s.summary.pods = rs.pods().size();
        s.summary.policies = rs.policies().size();
        s.summary.addressSets = rs.addressSets().size();
        s.nodeAddresses = new ArrayList<>(rs.nodeAddresses());
        for (LocalPod p : rs.pods()) {
            NodeRuleSetSpec.LocalPod lp = new NodeRuleSetSpec.LocalPod();
            lp.namespace = p.namespace();
            lp.name = p.name();
            lp.ips = new ArrayList<>(p.ips());
            lp.ingressPolicies = new ArrayList<>(p.ingressPolicies());
            lp.egressPolicies = new ArrayList<>(p.egressPolicies());
            // absent when empty: rule sets without ClusterNetworkPolicies serialize as they did
            lp.clusterIngress = p.clusterIngress().isEmpty() ? null : new ArrayList<>(p.clusterIngress());
            lp.clusterEgress = p.clusterEgress().isEmpty() ? null : new ArrayList<>(p.clusterEgress());
            s.pods.add(lp);
        }
        for (PolicyRules p : rs.policies()) {
            NodeRuleSetSpec.Policy sp = new NodeRuleSetSpec.Policy();
            sp.id = p.id();
            sp.kind = p.kind();
            sp.namespace = p.namespace().isEmpty() ? null : p.namespace();   // absent for a ClusterNetworkPolicy (cluster-scoped)
            sp.name = p.name();
            sp.direction = p.direction().apiName();
            sp.audit = p.audit() ? Boolean.TRUE : null;   // absent when enforcing: rule sets without audit stay as they were
            sp.tier = p.tier() == null ? null : p.tier().apiName();
            sp.priority = p.tier() == null ? null : p.priority();
            for (CompiledRule cr : p.rules()) {
                sp.rules.add(rule(cr));
            }
            s.policies.add(sp);
        }
        s.addressSets = new ArrayList<>(rs.addressSets());
        return s;
    }

    private static NodeRuleSetSpec.Rule rule(CompiledRule cr) {
        NodeRuleSetSpec.Rule r = new NodeRuleSetSpec.Rule();
        r.fieldPath = cr.fieldPath();
        r.allPeers = cr.allPeers();
        r.peers = new ArrayList<>(cr.peers());
        r.allPorts = cr.allPorts();
        for (PortRange pr : cr.ports()) {
            NodeRuleSetSpec.PortRange p = new NodeRuleSetSpec.PortRange();
            p.protocol = pr.protocol().name();
            p.first = pr.first();
            p.last = pr.last();
            r.ports.add(p);
        }
        for (DestinationPort dp : cr.namedPorts()) {
            NodeRuleSetSpec.DestinationPort d = new NodeRuleSetSpec.DestinationPort();
            d.address = dp.address();
            d.protocol = dp.protocol().name();
            d.port = dp.port();
            r.namedPorts.add(d);
        }
        r.action = cr.action() == RuleAction.ACCEPT ? null : cr.action().apiName();
        r.name = cr.name().isEmpty() ? null : cr.name();
        return r;
    }

    /**
     * The compiled rule set a resource describes.
     *
     * @throws InvalidRuleSetException naming the object and field when a value is missing or invalid
     */
    public static NodeRuleSet toModel(dev.netfence.crds.NodeRuleSet resource) {
        String object = "NodeRuleSet " + (resource.getMetadata() == null ? null : resource.getMetadata().getName());
        NodeRuleSetSpec s = resource.getSpec();
        if (s == null) {
            throw new InvalidRuleSetException(object, "spec", "required");
        }
        if (s.node == null || s.node.isEmpty()) {
            throw new InvalidRuleSetException(object, "spec.node", "required: the node's name");
        }
        List<LocalPod> pods = new ArrayList<>();
        List<NodeRuleSetSpec.LocalPod> specPods = nonNull(s.pods);
        for (NodeRuleSetSpec.LocalPod p : specPods) {
            pods.add(new LocalPod(p.namespace, p.name, p.ips, p.ingressPolicies, p.egressPolicies, p.clusterIngress,
                    p.clusterEgress));
        }
        List<PolicyRules> policies = new ArrayList<>();
        List<NodeRuleSetSpec.Policy> specPolicies = nonNull(s.policies);
        for (int i = 0; i < specPolicies.size(); i++) {
            NodeRuleSetSpec.Policy p = specPolicies.get(i);
            String path = "spec.policies[" + i + "]";
            Direction direction;
            try {
                direction = Direction.parse(p.direction);
            } catch (IllegalArgumentException e) {
                throw new InvalidRuleSetException(object, path + ".direction", e.getMessage());
            }
            List<CompiledRule> rules = new ArrayList<>();
            List<NodeRuleSetSpec.Rule> specRules = nonNull(p.rules);
            for (int j = 0; j < specRules.size(); j++) {
                rules.add(rule(object, path + ".rules[" + j + "]", specRules.get(j)));
            }
            Tier tier = null;
            if (p.tier != null) {
                tier = Tier.parseOrNull(p.tier);
                if (tier == null) {
                    throw new InvalidRuleSetException(object, path + ".tier", "must be Admin or Baseline, not " + p.tier);
                }
            }
            policies.add(new PolicyRules(p.id, p.kind, p.namespace, p.name, direction, rules, Boolean.TRUE.equals(p.audit),
                    tier, p.priority == null ? 0 : p.priority));
        }
        return new NodeRuleSet(s.node, s.nodeAddresses, pods, policies, s.addressSets);
    }

    private static CompiledRule rule(String object, String path, NodeRuleSetSpec.Rule r) {
        List<PortRange> ports = new ArrayList<>();
        List<NodeRuleSetSpec.PortRange> specPorts = nonNull(r.ports);
        for (int i = 0; i < specPorts.size(); i++) {
            NodeRuleSetSpec.PortRange p = specPorts.get(i);
            String at = path + ".ports[" + i + "]";
            if (p.first == null || p.last == null) {
                throw new InvalidRuleSetException(object, at, "first and last are required");
            }
            try {
                ports.add(new PortRange(protocol(object, at + ".protocol", p.protocol), p.first, p.last));
            } catch (IllegalArgumentException e) {
                throw new InvalidRuleSetException(object, at, e.getMessage());
            }
        }
        List<DestinationPort> named = new ArrayList<>();
        List<NodeRuleSetSpec.DestinationPort> specNamed = nonNull(r.namedPorts);
        for (int i = 0; i < specNamed.size(); i++) {
            NodeRuleSetSpec.DestinationPort d = specNamed.get(i);
            String at = path + ".namedPorts[" + i + "]";
            if (d.address == null || d.port == null) {
                throw new InvalidRuleSetException(object, at, "address and port are required");
            }
            named.add(new DestinationPort(d.address, protocol(object, at + ".protocol", d.protocol), d.port));
        }
        RuleAction action = RuleAction.ACCEPT;
        if (r.action != null) {
            action = RuleAction.parseOrNull(r.action);
            if (action == null) {
                throw new InvalidRuleSetException(object, path + ".action", "must be Accept, Deny or Pass, not " + r.action);
            }
        }
        return new CompiledRule(r.fieldPath, Boolean.TRUE.equals(r.allPeers), r.peers, Boolean.TRUE.equals(r.allPorts),
                ports, named, action, r.name);
    }

    private static Protocol protocol(String object, String path, String value) {
        try {
            return Protocol.parse(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidRuleSetException(object, path, e.getMessage());
        }
    }

    private static <T> List<T> nonNull(List<T> l) {
        return l == null ? List.of() : l;
    }
}
