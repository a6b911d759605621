package dev.netfence.enforcer.validate;

import dev.netfence.enforcer.SampleClusters;
import dev.netfence.policy.compile.AddressSet;
import dev.netfence.policy.compile.CompiledRule;
import dev.netfence.policy.compile.DestinationPort;
import dev.netfence.policy.compile.LocalPod;
import dev.netfence.policy.compile.NodeRuleSet;
import dev.netfence.policy.compile.PolicyRules;
import dev.netfence.policy.compile.ResolvedRuleSet;
import dev.netfence.policy.compile.RuleSetCompiler;
import dev.netfence.policy.model.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Hostile variants of a valid rule set (the shop sample's node n1): an injection attempt in every
 * string field that reaches the nftables script, huge values, non-ASCII text and non-IP entries.
 * Each must be refused whole, naming {@code field}; the kernel table must stay exactly the valid one.
 */
public final class HostileRuleSets {

    /** The issue's payload: close the set and the table, then add an accept-all chain and another table. */
    public static final String INJECTION = "10.70.1.10 }\n}\nchain egress { type filter hook forward priority -10; policy accept; accept }\n"
            + "table ip other { chain c { type filter hook forward priority 0; policy accept; } }";

    public record Case(String name, String field, UnaryOperator<ResolvedRuleSet> tweak) {
        public ResolvedRuleSet apply(ResolvedRuleSet valid) {
            return tweak.apply(valid);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    public static ResolvedRuleSet valid() {
        return RuleSetCompiler.compile(SampleClusters.shop()).forNode("n1");
    }

    public static List<Case> cases() {
        String huge = "1".repeat(100_000);
        return List.of(
                new Case("AddressSet entry injection", "spec.entries[", rs -> entry(rs, INJECTION)),
                new Case("AddressSet entry not an IP", "spec.entries[", rs -> entry(rs, "not-an-ip")),
                new Case("AddressSet entry prefix too long", "spec.entries[", rs -> entry(rs, "10.0.0.0/33")),
                new Case("AddressSet entry IPv6 prefix too long", "spec.entries[", rs -> entry(rs, "fd00::/129")),
                new Case("AddressSet entry reversed range", "spec.entries[", rs -> entry(rs, "10.0.0.9-10.0.0.1")),
                new Case("AddressSet entry mixed-family range", "spec.entries[", rs -> entry(rs, "10.0.0.1-fd00::1")),
                new Case("AddressSet entry with Arabic-Indic digits", "spec.entries[", rs -> entry(rs, "\u0661\u0660.0.0.1")),
                new Case("AddressSet entry huge", "spec.entries[", rs -> entry(rs, huge)),
                new Case("AddressSet entry with a zone", "spec.entries[", rs -> entry(rs, "fe80::1%eth0")),
                new Case("pod IP injection", "spec.pods[0].ips[0]", rs -> pod(rs, p -> new LocalPod(p.namespace(), p.name(),
                        List.of("10.77.0.1 : accept, 0.0.0.0/0 : accept"), p.ingressPolicies(), p.egressPolicies()))),
                new Case("pod IP huge", "spec.pods[0].ips[0]", rs -> pod(rs, p -> new LocalPod(p.namespace(), p.name(),
                        List.of(huge), p.ingressPolicies(), p.egressPolicies()))),
                new Case("pod name injection", "spec.pods[0].name", rs -> pod(rs, p -> new LocalPod(p.namespace(),
                        "web\" accept comment \"x", p.ips(), p.ingressPolicies(), p.egressPolicies()))),
                new Case("pod namespace unicode", "spec.pods[0].namespace", rs -> pod(rs, p -> new LocalPod("sh\u00f6p",
                        p.name(), p.ips(), p.ingressPolicies(), p.egressPolicies()))),
                new Case("pod names an unknown policy", "spec.pods[0].", rs -> pod(rs, p -> new LocalPod(p.namespace(),
                        p.name(), p.ips(), List.of("NetworkPolicy/x/y/Ingress\n}"), p.egressPolicies()))),
                new Case("node name injection", "spec.node", rs -> new ResolvedRuleSet(ruleSet(rs, "n1\"\n}\ntable ip x {",
                        null, null, null, null), rs.addressSets())),
                new Case("node address injection", "spec.nodeAddresses[0]", rs -> new ResolvedRuleSet(ruleSet(rs, null,
                        List.of("192.168.0.1, 0.0.0.0/0"), null, null, null), rs.addressSets())),
                new Case("policy name injection", "spec.policies[0].name", rs -> policy(rs, p -> new PolicyRules(p.id(),
                        p.kind(), p.namespace(), "web\"; accept; #", p.direction(), p.rules()))),
                new Case("policy namespace huge", "spec.policies[0].namespace", rs -> policy(rs, p -> new PolicyRules(p.id(),
                        p.kind(), "a".repeat(300), p.name(), p.direction(), p.rules()))),
                new Case("policy kind injection", "spec.policies[0].kind", rs -> policy(rs, p -> new PolicyRules(p.id(),
                        "NetworkPolicy\" accept", p.namespace(), p.name(), p.direction(), p.rules()))),
                new Case("policy id not its own", "spec.policies[0].id", rs -> policy(rs, p -> new PolicyRules(p.id() + "\n}",
                        p.kind(), p.namespace(), p.name(), p.direction(), p.rules()))),
                new Case("rule field path injection", "spec.policies[0].rules[0].fieldPath", rs -> rule(rs, r ->
                        new CompiledRule("spec.ingress[0]\" accept comment \"", r.allPeers(), r.peers(), r.allPorts(),
                                r.ports(), r.namedPorts()))),
                new Case("rule peer injection", "spec.policies[0].rules[0].peers[0]", rs -> rule(rs, r ->
                        new CompiledRule(r.fieldPath(), false, List.of("as-x_v4 accept\n"), r.allPorts(), r.ports(),
                                r.namedPorts()))),
                new Case("rule peer not listed", "spec.policies[0].rules[0].peers[0]", rs -> rule(rs, r ->
                        new CompiledRule(r.fieldPath(), false, List.of("as-0000000000000000"), r.allPorts(), r.ports(),
                                r.namedPorts()))),
                new Case("named port address injection", "spec.policies[0].rules[0].namedPorts[0].address", rs -> rule(rs, r ->
                        new CompiledRule(r.fieldPath(), r.allPeers(), r.peers(), false, r.ports(),
                                List.of(new DestinationPort("10.77.0.1 . tcp . 80, 0.0.0.0", Protocol.TCP, 80))))),
                new Case("named port 0", "spec.policies[0].rules[0].namedPorts[0].port", rs -> rule(rs, r ->
                        new CompiledRule(r.fieldPath(), r.allPeers(), r.peers(), false, r.ports(),
                                List.of(new DestinationPort("10.77.0.1", Protocol.TCP, 0))))),
                new Case("address set name injection", "spec.addressSets[0]", rs -> {
                    List<String> names = new ArrayList<>(rs.ruleSet().addressSets());
                    names.set(0, names.get(0) + " { elements = { 0.0.0.0/0 } }");
                    return new ResolvedRuleSet(ruleSet(rs, null, null, null, null, names), rs.addressSets());
                }));
    }

    private static ResolvedRuleSet entry(ResolvedRuleSet rs, String entry) {
        List<AddressSet> sets = new ArrayList<>(rs.addressSets());
        AddressSet first = sets.get(0);
        List<String> entries = new ArrayList<>(first.entries());
        entries.add(entry);
        sets.set(0, new AddressSet(first.name(), entries));
        return new ResolvedRuleSet(rs.ruleSet(), sets);
    }

    private static ResolvedRuleSet pod(ResolvedRuleSet rs, UnaryOperator<LocalPod> f) {
        List<LocalPod> pods = new ArrayList<>(rs.ruleSet().pods());
        pods.set(0, f.apply(pods.get(0)));
        return new ResolvedRuleSet(ruleSet(rs, null, null, pods, null, null), rs.addressSets());
    }

    private static ResolvedRuleSet policy(ResolvedRuleSet rs, UnaryOperator<PolicyRules> f) {
        List<PolicyRules> policies = new ArrayList<>(rs.ruleSet().policies());
        policies.set(0, f.apply(policies.get(0)));
        return new ResolvedRuleSet(ruleSet(rs, null, null, null, policies, null), rs.addressSets());
    }

    private static ResolvedRuleSet rule(ResolvedRuleSet rs, UnaryOperator<CompiledRule> f) {
        return policy(rs, p -> {
            List<CompiledRule> rules = new ArrayList<>(p.rules());
            rules.set(0, f.apply(rules.get(0)));
            return new PolicyRules(p.id(), p.kind(), p.namespace(), p.name(), p.direction(), rules);
        });
    }

    private static NodeRuleSet ruleSet(ResolvedRuleSet rs, String node, List<String> addresses, List<LocalPod> pods,
                                       List<PolicyRules> policies, List<String> sets) {
        NodeRuleSet r = rs.ruleSet();
        return new NodeRuleSet(node != null ? node : r.node(), addresses != null ? addresses : r.nodeAddresses(),
                pods != null ? pods : r.pods(), policies != null ? policies : r.policies(), sets != null ? sets : r.addressSets());
    }

    private HostileRuleSets() {
    }
}
