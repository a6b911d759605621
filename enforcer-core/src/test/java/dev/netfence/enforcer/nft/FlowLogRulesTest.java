package dev.netfence.enforcer.nft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.enforcer.flow.FlowDecider;
import dev.netfence.enforcer.flow.FlowLogSettings;
import dev.netfence.policy.compile.LocalPod;
import dev.netfence.policy.compile.NodeRuleSet;
import dev.netfence.policy.compile.ResolvedRuleSet;
import dev.netfence.policy.model.Direction;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The flow log's rules as the enforcer adds them to the rendered table (golden; loaded into a kernel by FlowLogRulesKernelIT). */
class FlowLogRulesTest {

    static FlowLogRules.Result logged(FlowLogSettings settings) {
        ResolvedRuleSet rs = NftablesRendererTest.shopN1();
        return FlowLogRules.add(NftablesRenderer.render(rs), rs.ruleSet(), settings);
    }

    @Test
    void deniedPacketsAreLoggedWithinOneNodeBudgetAndTheRestCounted() throws IOException {
        FlowLogRules.Result r = logged(FlowLogSettings.DEFAULTS);
        NftablesRendererTest.assertGolden("shop-n1-flowlog.nft", r.table().text());
        assertThat(r.table().objects()).containsExactly("limit flowlog { rate 300/second burst 300 packets }",
                "counter flowlog_lost { }");
        for (NftChain c : r.table().chains()) {
            if (c.name().startsWith("in_") || c.name().startsWith("out_")) {
                List<String> rules = c.rules();
                String logging = rules.get(rules.size() - 2);
                String over = rules.get(rules.size() - 1);
                assertThat(logging).startsWith("limit name \"flowlog\" log prefix \"nf D " + c.name() + "\" group 2718 counter drop comment ");
                assertThat(over).startsWith("counter name \"flowlog_lost\" counter drop comment ");
                // the same comment: the profile's drop counter (rule counters sum by comment) still counts every drop
                assertThat(logging.substring(logging.indexOf("comment"))).isEqualTo(over.substring(over.indexOf("comment")));
            }
        }
        // without allowed no accepting rule logs, in a policy chain or written into a profile chain
        assertThat(r.table().chains().stream().flatMap(c -> c.rules().stream()))
                .filteredOn(rule -> rule.contains("counter accept comment ")).isNotEmpty()
                .noneMatch(rule -> rule.contains("log "));
    }

    @Test
    void eachPrefixNamesTheVerdictDirectionAndDecidingPolicies() {
        Map<String, FlowDecider> deciders = logged(FlowLogSettings.DEFAULTS.withAllowed(true)).deciders();
        assertThat(deciders.values()).filteredOn(d -> d.verdict() == FlowDecider.Verdict.DENIED)
                .extracting(FlowDecider::direction, FlowDecider::policies)
                .contains(org.assertj.core.groups.Tuple.tuple("Ingress", List.of("NetworkPolicy shop/db-ingress")),
                        org.assertj.core.groups.Tuple.tuple("Egress", List.of("DefaultDeny shop/db-egress")));
        assertThat(deciders.values()).filteredOn(d -> d.verdict() == FlowDecider.Verdict.ALLOWED)
                .extracting(FlowDecider::policies, FlowDecider::rule)
                .contains(org.assertj.core.groups.Tuple.tuple(List.of("NetworkPolicy shop/web-from-api"), "spec.ingress[0]"),
                        org.assertj.core.groups.Tuple.tuple(List.of("DefaultDeny shop/db-egress"), "spec.allowDNS"));
        assertThat(deciders.keySet()).allSatisfy(prefix -> assertThat(prefix).startsWith("nf ").hasSizeLessThan(64));
    }

    @Test
    void allowedConnectionsAreLoggedOnlyWhenAsked() throws IOException {
        FlowLogRules.Result r = logged(FlowLogSettings.DEFAULTS.withAllowed(true));
        NftablesRendererTest.assertGolden("shop-n1-flowlog-allowed.nft", r.table().text());
        // the shop's policies are each used by one profile: their accepting rules stand in the profile chains
        assertThat(r.table().chains()).noneMatch(c -> c.name().startsWith("pol_"));
        assertThat(r.table().chains().stream().filter(c -> c.name().startsWith("in_") || c.name().startsWith("out_"))
                .flatMap(c -> c.rules().stream()))
                .filteredOn(rule -> rule.contains(" accept ")).isNotEmpty()
                .allSatisfy(rule -> assertThat(rule).containsAnyOf("log prefix \"nf A ", "counter name \"flowlog_lost\""));
    }

    @Test
    void allowedConnectionsOfAPolicySharedByTwoProfilesAreLoggedInItsOwnChain() {
        // web-2 has web's and db's ingress policies: each is then used by two profiles and keeps its chain
        ResolvedRuleSet rs = NftablesRendererTest.shopN1();
        NodeRuleSet n = rs.ruleSet();
        LocalPod web = n.pods().stream().filter(p -> p.name().equals("web")).findFirst().orElseThrow();
        LocalPod db = n.pods().stream().filter(p -> p.name().equals("db")).findFirst().orElseThrow();
        List<String> both = new java.util.ArrayList<>(web.ingressPolicies());
        both.addAll(db.ingressPolicies());
        List<LocalPod> pods = new java.util.ArrayList<>(n.pods());
        pods.add(new LocalPod("shop", "web-2", List.of("10.77.0.4"), both, List.of()));
        NodeRuleSet shared = new NodeRuleSet(n.node(), n.nodeAddresses(), pods, n.policies(), n.addressSets());
        FlowLogRules.Result r = FlowLogRules.add(NftablesRenderer.render(new ResolvedRuleSet(shared, rs.addressSets())),
                shared, FlowLogSettings.DEFAULTS.withAllowed(true));
        List<NftChain> policyChains = r.table().chains().stream().filter(c -> c.name().startsWith("pol_")).toList();
        assertThat(policyChains).hasSize(2);
        assertThat(policyChains.stream().flatMap(c -> c.rules().stream())).isNotEmpty()
                .allSatisfy(rule -> assertThat(rule).containsAnyOf("log prefix \"nf A ", "counter name \"flowlog_lost\""));
        // the profile chains jump to them, and log only their own final drop
        NftChain both2 = r.table().chains().stream()
                .filter(c -> c.name().equals(NftablesRenderer.profileChain(Direction.INGRESS, List.of(), both))).findFirst().orElseThrow();
        assertThat(both2.rules()).hasSize(4).startsWith("jump " + NftablesRenderer.policyChain(web.ingressPolicies().get(0)),
                "jump " + NftablesRenderer.policyChain(db.ingressPolicies().get(0)));
        assertThat(both2.rules().get(2)).startsWith("limit name \"flowlog\" log prefix \"nf D " + both2.name() + "\"");
        assertThat(both2.rules().get(3)).startsWith("counter name \"flowlog_lost\" counter drop comment ");
    }

    @Test
    void offChangesNothingAndMemberChangesStayElementDeltas() {
        ResolvedRuleSet rs = NftablesRendererTest.shopN1();
        RenderedTable plain = NftablesRenderer.render(rs);
        assertThat(FlowLogRules.add(plain, rs.ruleSet(), FlowLogSettings.OFF).table()).isEqualTo(plain);
        RenderedTable logged = FlowLogRules.add(plain, rs.ruleSet(), FlowLogSettings.DEFAULTS).table();
        RenderedTable held = FailClosedRules.add(plain, List.of("10.77.0.9"));
        RenderedTable heldLogged = FlowLogRules.add(held, rs.ruleSet(), FlowLogSettings.DEFAULTS).table();
        assertThat(heldLogged.deltaFrom(FlowLogRules.add(FailClosedRules.add(plain, List.of()), rs.ruleSet(),
                FlowLogSettings.DEFAULTS).table())).isPresent();
        assertThat(logged.deltaFrom(plain)).as("turning the log on is a new table shape").isEmpty();
        assertThat(FlowLogRules.add(plain, rs.ruleSet(), FlowLogSettings.DEFAULTS.withRate(50, 10)).table().deltaFrom(logged))
                .as("a new rate is a new object: a full replacement").isEmpty();
    }
}
