package dev.netfence.enforcer.bench;

import dev.netfence.policy.compile.AddressSet;
import dev.netfence.policy.compile.CompiledRule;
import dev.netfence.policy.compile.LocalPod;
import dev.netfence.policy.compile.NodeRuleSet;
import dev.netfence.policy.compile.PolicyRules;
import dev.netfence.policy.compile.PortRange;
import dev.netfence.policy.compile.ResolvedRuleSet;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.Protocol;
import java.util.ArrayList;
import java.util.List;

/** Compiled rule sets of chosen sizes for benchmarks (built directly, without a snapshot). */
public final class SyntheticRuleSets {
    private SyntheticRuleSets() {
    }

    static String ip(int base, int i) {
        return "10." + base + "." + (i / 250) + "." + (1 + i % 250);
    }

    /**
     * {@code pods} local pods, {@code pods / podsPerPolicy} ingress policies of {@code rulesPerPolicy}
     * rules each (so {@code pods * rulesPerPolicy / podsPerPolicy} rules), each rule allowing one of
     * {@code sets} address sets of {@code elementsPerSet} pod addresses on TCP 8080 and 9000-9100.
     */
    public static ResolvedRuleSet build(int pods, int podsPerPolicy, int rulesPerPolicy, int sets, int elementsPerSet) {
        List<AddressSet> addressSets = new ArrayList<>();
        for (int s = 0; s < sets; s++) {
            List<String> entries = new ArrayList<>();
            for (int e = 0; e < elementsPerSet; e++) {
                int n = s * elementsPerSet + e;
                entries.add("10." + (100 + n / 62500) + "." + (n / 250 % 250) + "." + (1 + n % 250));
            }
            addressSets.add(AddressSet.of("bench peer " + s, entries));
        }
        List<PolicyRules> policies = new ArrayList<>();
        List<LocalPod> local = new ArrayList<>();
        int policyCount = pods / podsPerPolicy;
        int rule = 0;
        for (int p = 0; p < policyCount; p++) {
            String id = PolicyRules.idOf("NetworkPolicy", "bench", "np-" + p, Direction.INGRESS);
            List<CompiledRule> rules = new ArrayList<>();
            for (int r = 0; r < rulesPerPolicy; r++, rule++) {
                rules.add(new CompiledRule("spec.ingress[" + r + "]", false, List.of(addressSets.get(rule % sets).name()),
                        false, List.of(new PortRange(Protocol.TCP, 8080, 8080), new PortRange(Protocol.TCP, 9000, 9100)),
                        List.of()));
            }
            policies.add(new PolicyRules(id, "NetworkPolicy", "bench", "np-" + p, Direction.INGRESS, rules));
            for (int k = 0; k < podsPerPolicy; k++) {
                int i = p * podsPerPolicy + k;
                local.add(new LocalPod("bench", "pod-" + i, List.of(ip(1, i)), List.of(id), List.of()));
            }
        }
        return new ResolvedRuleSet(new NodeRuleSet("bench", List.of("192.168.255.1"), local, policies,
                addressSets.stream().map(AddressSet::name).toList()), addressSets);
    }
}
