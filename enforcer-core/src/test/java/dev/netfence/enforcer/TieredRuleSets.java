package dev.netfence.enforcer;

import dev.netfence.policy.compile.AddressSet;
import dev.netfence.policy.compile.CompiledRule;
import dev.netfence.policy.compile.DestinationPort;
import dev.netfence.policy.compile.LocalPod;
import dev.netfence.policy.compile.NodeRuleSet;
import dev.netfence.policy.compile.PolicyRules;
import dev.netfence.policy.compile.PortRange;
import dev.netfence.policy.compile.ResolvedRuleSet;
import dev.netfence.policy.compile.RuleSetCompiler;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.model.RuleAction;
import dev.netfence.policy.model.Tier;
import java.util.ArrayList;
import java.util.List;

/**
 * The shop's node n1 ({@link SampleClusters#shop()}) with ClusterNetworkPolicy directions written by hand
 * in the shape the compiler emits ({@code PolicyRules.cluster}, {@code LocalPod.clusterIngress/clusterEgress}
 * in evaluation order), so the renderer can be tested on every tier form independently of the compiler:
 * <ul>
 *   <li>{@code guard} (Admin, priority 10), egress of web, api and db: Deny to 169.254.169.254 ({@code no-metadata}),
 *       Accept to DNS 10.96.0.10 on UDP/TCP 53 ({@code dns}), Pass to the api pod ({@code to-api}, the shop's shared
 *       AddressSet of the api pods).</li>
 *   <li>{@code web-http} (Admin, priority 20), ingress of web: Accept from anywhere on the named port http
 *       (unnamed rule).</li>
 *   <li>{@code baseline} (Baseline, priority 0), egress and ingress of every pod: egress Accept DNS ({@code dns})
 *       then Deny all ({@code deny-all}, fails closed: allPeers, allPorts); ingress Deny all.</li>
 *   <li>pod {@code watched} (10.77.0.5) is egress-audited by NetworkPolicy shop/watch and selected by
 *       {@code baseline}: the Baseline chain before an audit check.</li>
 * </ul>
 */
public final class TieredRuleSets {
    public static final String METADATA = AddressSet.nameOf("tiers-test networks 169.254.169.254/32");
    public static final String DNS = AddressSet.nameOf("tiers-test networks 10.96.0.10/32");
    public static final String GUARD_EGRESS = PolicyRules.clusterIdOf("guard", Direction.EGRESS);
    public static final String WEB_HTTP_INGRESS = PolicyRules.clusterIdOf("web-http", Direction.INGRESS);
    public static final String BASELINE_EGRESS = PolicyRules.clusterIdOf("baseline", Direction.EGRESS);
    public static final String BASELINE_INGRESS = PolicyRules.clusterIdOf("baseline", Direction.INGRESS);
    public static final String WATCH = "NetworkPolicy/shop/watch/Egress";

    private TieredRuleSets() {
    }

    public static ResolvedRuleSet shopN1() {
        ResolvedRuleSet shop = RuleSetCompiler.compile(SampleClusters.shop()).forNode("n1");
        NodeRuleSet rs = shop.ruleSet();
        String api = shop.addressSets().stream().filter(a -> a.entries().contains("10.77.0.2")).findFirst().orElseThrow().name();
        List<PortRange> dnsPorts = List.of(new PortRange(Protocol.TCP, 53, 53), new PortRange(Protocol.UDP, 53, 53));
        List<PolicyRules> policies = new ArrayList<>(rs.policies());
        policies.add(PolicyRules.cluster("guard", Tier.ADMIN, 10, Direction.EGRESS, List.of(
                new CompiledRule("spec.egress[0]", false, List.of(METADATA), true, List.of(), List.of(), RuleAction.DENY, "no-metadata"),
                new CompiledRule("spec.egress[1]", false, List.of(DNS), false, dnsPorts, List.of(), RuleAction.ACCEPT, "dns"),
                new CompiledRule("spec.egress[2]", false, List.of(api), true, List.of(), List.of(), RuleAction.PASS, "to-api"))));
        policies.add(PolicyRules.cluster("web-http", Tier.ADMIN, 20, Direction.INGRESS, List.of(
                new CompiledRule("spec.ingress[0]", true, List.of(), false, List.of(),
                        List.of(new DestinationPort("10.77.0.1", Protocol.TCP, 8080), new DestinationPort("fd77::1", Protocol.TCP, 8080)),
                        RuleAction.ACCEPT, ""))));
        policies.add(PolicyRules.cluster("baseline", Tier.BASELINE, 0, Direction.EGRESS, List.of(
                new CompiledRule("spec.egress[0]", false, List.of(DNS), false, dnsPorts, List.of(), RuleAction.ACCEPT, "dns"),
                new CompiledRule("spec.egress[1]", true, List.of(), true, List.of(), List.of(), RuleAction.DENY, "deny-all"))));
        policies.add(PolicyRules.cluster("baseline", Tier.BASELINE, 0, Direction.INGRESS, List.of(
                new CompiledRule("spec.ingress[0]", true, List.of(), true, List.of(), List.of(), RuleAction.DENY, "deny-all"))));
        policies.add(new PolicyRules(WATCH, "NetworkPolicy", "shop", "watch", Direction.EGRESS, List.of(
                new CompiledRule("spec.egress[0]", false, List.of(api), true, List.of(), List.of())), true));
        List<LocalPod> pods = new ArrayList<>();
        for (LocalPod p : rs.pods()) {
            List<String> ingress = p.name().equals("web") ? List.of(WEB_HTTP_INGRESS, BASELINE_INGRESS) : List.of(BASELINE_INGRESS);
            pods.add(new LocalPod(p.namespace(), p.name(), p.ips(), p.ingressPolicies(), p.egressPolicies(), ingress,
                    List.of(GUARD_EGRESS, BASELINE_EGRESS)));
        }
        pods.add(new LocalPod("shop", "watched", List.of("10.77.0.5"), List.of(), List.of(WATCH), List.of(BASELINE_INGRESS),
                List.of(BASELINE_EGRESS)));
        List<String> setNames = new ArrayList<>(rs.addressSets());
        setNames.add(METADATA);
        setNames.add(DNS);
        List<AddressSet> sets = new ArrayList<>(shop.addressSets());
        sets.add(new AddressSet(METADATA, List.of("169.254.169.254")));
        sets.add(new AddressSet(DNS, List.of("10.96.0.10")));
        return new ResolvedRuleSet(new NodeRuleSet(rs.node(), rs.nodeAddresses(), pods, policies, setNames), sets);
    }
}
