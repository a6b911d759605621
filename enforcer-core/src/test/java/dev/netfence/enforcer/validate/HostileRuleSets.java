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
import dev.netfence.policy.model.ClusterNetworkPolicy;
import dev.netfence.policy.model.ClusterPeer;
import dev.netfence.policy.model.ClusterPort;
import dev.netfence.policy.model.ClusterRule;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.ClusterSubject;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.model.RuleAction;
import dev.netfence.policy.model.Tier;
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

    /**
     * The shop with two ClusterNetworkPolicies: an Admin one (egress: Accept DNS to a network, Deny
     * the shop's namespaces; ingress: Pass from them) and a Baseline one (ingress: Deny everything;
     * egress: Accept the nodes), so n1's pods list both tiers.
     */
    public static ClusterSnapshot tieredShop() {
        LabelSelector shop = LabelSelector.of("team", "shop");
        return SampleClusters.shop().toBuilder()
                .clusterPolicy(new ClusterNetworkPolicy("admin-dns", Tier.ADMIN, 10, ClusterSubject.namespaces(shop),
                        List.of(new ClusterRule("pass-shop", RuleAction.PASS, List.of(new ClusterPeer.Namespaces(shop)), List.of())),
                        List.of(new ClusterRule("allow-dns", RuleAction.ACCEPT, List.of(new ClusterPeer.Networks(List.of("10.96.0.10/32"))),
                                        List.of(ClusterPort.port(Protocol.UDP, 53))),
                                new ClusterRule("deny-shop", RuleAction.DENY, List.of(new ClusterPeer.Namespaces(shop)),
                                        List.of(ClusterPort.named("pg"))))))
                .clusterPolicy(new ClusterNetworkPolicy("baseline-deny", Tier.BASELINE, 100, ClusterSubject.namespaces(LabelSelector.ALL),
                        List.of(new ClusterRule("deny-all", RuleAction.DENY, List.of(new ClusterPeer.Namespaces(LabelSelector.ALL)), List.of())),
                        List.of(new ClusterRule(null, RuleAction.ACCEPT, List.of(new ClusterPeer.Nodes(LabelSelector.ALL)), List.of()))))
                .build();
    }

    public static ResolvedRuleSet validTiered() {
        return RuleSetCompiler.compile(tieredShop()).forNode("n1");
    }

    /** Hostile or nonsensical tier content, each refused naming {@code field}; applied to {@link #validTiered()}. */
    public static List<Case> tieredCases() {
        NodeRuleSet valid = validTiered().ruleSet();
        int np = indexOf(valid.policies(), p -> !p.clusterTier());
        int cnp = indexOf(valid.policies(), PolicyRules::clusterTier);
        int pod = 0;
        while (valid.pods().get(pod).clusterIngress().size() < 2) {
            pod++;
        }
        LocalPod tiered = valid.pods().get(pod);
        String npId = valid.policies().get(np).id();
        String at = "spec.pods[" + pod + "].";
        return List.of(
                new Case("NetworkPolicy rule with a Deny action", "spec.policies[" + np + "].rules[0].action",
                        rs -> policyAt(rs, np, p -> withRule0(p, r -> new CompiledRule(r.fieldPath(), r.allPeers(), r.peers(),
                                r.allPorts(), r.ports(), r.namedPorts(), RuleAction.DENY, "")))),
                new Case("NetworkPolicy rule with a name", "spec.policies[" + np + "].rules[0].name",
                        rs -> policyAt(rs, np, p -> withRule0(p, r -> new CompiledRule(r.fieldPath(), r.allPeers(), r.peers(),
                                r.allPorts(), r.ports(), r.namedPorts(), RuleAction.ACCEPT, "x")))),
                new Case("NetworkPolicy with a tier", "spec.policies[" + np + "].tier",
                        rs -> policyAt(rs, np, p -> new PolicyRules(p.id(), p.kind(), p.namespace(), p.name(), p.direction(),
                                p.rules(), p.audit(), Tier.ADMIN, 0))),
                new Case("ClusterNetworkPolicy rule name injection", "spec.policies[" + cnp + "].rules[0].name",
                        rs -> policyAt(rs, cnp, p -> withRule0(p, r -> new CompiledRule(r.fieldPath(), r.allPeers(), r.peers(),
                                r.allPorts(), r.ports(), r.namedPorts(), r.action(), "x\" accept comment \"")))),
                new Case("ClusterNetworkPolicy rule name too long", "spec.policies[" + cnp + "].rules[0].name",
                        rs -> policyAt(rs, cnp, p -> withRule0(p, r -> new CompiledRule(r.fieldPath(), r.allPeers(), r.peers(),
                                r.allPorts(), r.ports(), r.namedPorts(), r.action(), "a".repeat(101))))),
                new Case("ClusterNetworkPolicy with a namespace", "spec.policies[" + cnp + "].namespace",
                        rs -> policyAt(rs, cnp, p -> new PolicyRules(p.id(), p.kind(), "shop", p.name(), p.direction(),
                                p.rules(), false, p.tier(), p.priority()))),
                new Case("ClusterNetworkPolicy without a tier", "spec.policies[" + cnp + "].tier",
                        rs -> policyAt(rs, cnp, p -> new PolicyRules(p.id(), p.kind(), p.namespace(), p.name(), p.direction(),
                                p.rules(), false, null, p.priority()))),
                new Case("ClusterNetworkPolicy priority 1001", "spec.policies[" + cnp + "].priority",
                        rs -> policyAt(rs, cnp, p -> new PolicyRules(p.id(), p.kind(), p.namespace(), p.name(), p.direction(),
                                p.rules(), false, p.tier(), 1001))),
                new Case("ClusterNetworkPolicy audited", "spec.policies[" + cnp + "].audit",
                        rs -> policyAt(rs, cnp, p -> new PolicyRules(p.id(), p.kind(), p.namespace(), p.name(), p.direction(),
                                p.rules(), true, p.tier(), p.priority()))),
                new Case("cluster id in ingressPolicies", at + "ingressPolicies[0]",
                        rs -> podAt(rs, tiered, p -> new LocalPod(p.namespace(), p.name(), p.ips(), p.clusterIngress(),
                                p.egressPolicies(), p.clusterIngress(), p.clusterEgress()))),
                new Case("unknown id in clusterIngress", at + "clusterIngress[0]",
                        rs -> podAt(rs, tiered, p -> new LocalPod(p.namespace(), p.name(), p.ips(), p.ingressPolicies(),
                                p.egressPolicies(), List.of("ClusterNetworkPolicy/nothing/Ingress"), p.clusterEgress()))),
                new Case("NetworkPolicy id in clusterIngress", at + "clusterIngress[0]",
                        rs -> podAt(rs, tiered, p -> new LocalPod(p.namespace(), p.name(), p.ips(), p.ingressPolicies(),
                                p.egressPolicies(), List.of(npId), p.clusterEgress()))),
                new Case("egress direction in clusterIngress", at + "clusterIngress[0]",
                        rs -> podAt(rs, tiered, p -> new LocalPod(p.namespace(), p.name(), p.ips(), p.ingressPolicies(),
                                p.egressPolicies(), p.clusterEgress(), p.clusterEgress()))),
                new Case("tier list out of evaluation order", at + "clusterIngress[1]",
                        rs -> podAt(rs, tiered, p -> new LocalPod(p.namespace(), p.name(), p.ips(), p.ingressPolicies(),
                                p.egressPolicies(), reversed(p.clusterIngress()), p.clusterEgress()))),
                new Case("tier list with a duplicate", at + "clusterIngress[1]",
                        rs -> podAt(rs, tiered, p -> new LocalPod(p.namespace(), p.name(), p.ips(), p.ingressPolicies(),
                                p.egressPolicies(), List.of(p.clusterIngress().get(0), p.clusterIngress().get(0)), p.clusterEgress()))));
    }

    private static <T> int indexOf(List<T> list, java.util.function.Predicate<T> p) {
        for (int i = 0; i < list.size(); i++) {
            if (p.test(list.get(i))) {
                return i;
            }
        }
        throw new IllegalStateException("fixture has no such entry");
    }

    private static List<String> reversed(List<String> l) {
        List<String> out = new ArrayList<>(l);
        java.util.Collections.reverse(out);
        return out;
    }

    private static PolicyRules withRule0(PolicyRules p, UnaryOperator<CompiledRule> f) {
        List<CompiledRule> rules = new ArrayList<>(p.rules());
        rules.set(0, f.apply(rules.get(0)));
        return new PolicyRules(p.id(), p.kind(), p.namespace(), p.name(), p.direction(), rules, p.audit(), p.tier(), p.priority());
    }

    private static ResolvedRuleSet policyAt(ResolvedRuleSet rs, int index, UnaryOperator<PolicyRules> f) {
        List<PolicyRules> policies = new ArrayList<>(rs.ruleSet().policies());
        policies.set(index, f.apply(policies.get(index)));
        return new ResolvedRuleSet(ruleSet(rs, null, null, null, policies, null), rs.addressSets());
    }

    private static ResolvedRuleSet podAt(ResolvedRuleSet rs, LocalPod which, UnaryOperator<LocalPod> f) {
        List<LocalPod> pods = new ArrayList<>(rs.ruleSet().pods());
        pods.replaceAll(p -> p.key().equals(which.key()) ? f.apply(p) : p);
        return new ResolvedRuleSet(ruleSet(rs, null, null, pods, null, null), rs.addressSets());
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
