package dev.netfence.enforcer.nft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.enforcer.SampleClusters;
import dev.netfence.enforcer.TieredRuleSets;
import dev.netfence.enforcer.flow.FlowDecider;
import dev.netfence.enforcer.flow.FlowLogSettings;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.compile.AddressSet;
import dev.netfence.policy.compile.CompiledCluster;
import dev.netfence.policy.compile.LocalPod;
import dev.netfence.policy.compile.NodeRuleSet;
import dev.netfence.policy.compile.ResolvedRuleSet;
import dev.netfence.policy.compile.RuleSetCompiler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Golden tests of the rendered table. To accept an intended change of the output, run with
 * {@code -Dgolden.update=true} and review the diff of {@code src/test/resources/golden}.
 */
class NftablesRendererTest {

    static ResolvedRuleSet shopN1() {
        return RuleSetCompiler.compile(SampleClusters.shop()).forNode("n1");
    }

    @Test
    void rendersTheShopNodeAsInTheGoldenFile() throws IOException {
        assertGolden("shop-n1.nft", NftablesRenderer.render(shopN1()).text());
    }

    @Test
    void rendersClusterNetworkPolicyTiersAsInTheGoldenFile() throws IOException {
        assertGolden("shop-n1-tiers.nft", NftablesRenderer.render(TieredRuleSets.shopN1()).text());
    }

    @Test
    void theFlowLogOfTiersLogsDenyRulesAndWithAllowedAcceptRules() throws IOException {
        ResolvedRuleSet tiers = TieredRuleSets.shopN1();
        FlowLogRules.Result r = FlowLogRules.add(NftablesRenderer.render(tiers), tiers.ruleSet(),
                FlowLogSettings.DEFAULTS.withAllowed(true));
        assertGolden("shop-n1-tiers-flowlog-allowed.nft", r.table().text());
        assertThat(r.deciders().values()).contains(
                new FlowDecider(FlowDecider.Verdict.DENIED, "Egress", List.of("ClusterNetworkPolicy guard"),
                        "spec.egress[0] (no-metadata) Deny"),
                new FlowDecider(FlowDecider.Verdict.DENIED, "Egress", List.of("ClusterNetworkPolicy baseline"),
                        "spec.egress[1] (deny-all) Deny"),
                new FlowDecider(FlowDecider.Verdict.ALLOWED, "Egress", List.of("ClusterNetworkPolicy guard"),
                        "spec.egress[1] (dns) Accept"),
                new FlowDecider(FlowDecider.Verdict.ALLOWED, "Ingress", List.of("ClusterNetworkPolicy web-http"),
                        "spec.ingress[0] Accept"));
        // Pass logs nothing, and Baseline's Accept before an audit check is a return, not an allowed connection
        assertThat(r.deciders().values()).noneMatch(d -> d.rule() != null && d.rule().endsWith("Pass"));
        NftChain audit = chain(r.table(), "base_" + tierHash(TieredRuleSets.BASELINE_EGRESS) + "_audit");
        assertThat(audit.rules()).filteredOn(rule -> rule.contains("(dns) Accept"))
                .allMatch(rule -> rule.contains("counter return") && !rule.contains("log"));
        // without allowed: only the Deny rules log
        FlowLogRules.Result denied = FlowLogRules.add(NftablesRenderer.render(tiers), tiers.ruleSet(), FlowLogSettings.DEFAULTS);
        assertThat(denied.deciders().values()).noneMatch(d -> d.verdict() == FlowDecider.Verdict.ALLOWED);
        assertThat(denied.table().chains()).filteredOn(c -> c.name().startsWith("adm_") || c.name().startsWith("base_"))
                .flatMap(NftChain::rules).filteredOn(rule -> rule.contains(" log "))
                .isNotEmpty().allMatch(rule -> rule.contains("counter drop comment"));
    }

    @Test
    void tierChainsInlineTheRulesInEvaluationOrderWithTheirActions() {
        RenderedTable t = NftablesRenderer.render(TieredRuleSets.shopN1());
        NftChain admin = chain(t, "adm_" + tierHash(TieredRuleSets.GUARD_EGRESS));
        assertThat(admin.rules()).extracting(r -> r.substring(r.indexOf("counter ")))
                .containsExactly(
                        "counter drop comment \"Admin ClusterNetworkPolicy guard spec.egress[0] (no-metadata) Deny\"",
                        "counter drop comment \"Admin ClusterNetworkPolicy guard spec.egress[0] (no-metadata) Deny\"",
                        "counter accept comment \"Admin ClusterNetworkPolicy guard spec.egress[1] (dns) Accept\"",
                        "counter accept comment \"Admin ClusterNetworkPolicy guard spec.egress[1] (dns) Accept\"",
                        "counter return comment \"Admin ClusterNetworkPolicy guard spec.egress[2] (to-api) Pass\"",
                        "counter return comment \"Admin ClusterNetworkPolicy guard spec.egress[2] (to-api) Pass\"");
        // db: Admin first, then its DefaultDeny decides (Baseline is not consulted for an isolated pod)
        LocalPod db = pod(TieredRuleSets.shopN1(), "db");
        NftChain dbEgress = chain(t, NftablesRenderer.profileChain(Direction.EGRESS, db.clusterEgress(), db.egressPolicies()));
        // (no other profile uses the DefaultDeny, so its rules stand in the profile chain in place of a jump)
        assertThat(dbEgress.rules()).first().isEqualTo("jump " + admin.name());
        assertThat(dbEgress.rules()).last().isEqualTo("counter drop comment \"egress isolated by shop/db-egress\"");
        assertThat(dbEgress.rules().subList(1, dbEgress.rules().size() - 1)).isNotEmpty()
                .allMatch(r -> r.endsWith("counter accept comment \"DefaultDeny shop/db-egress spec.allowDNS\""));
        assertThat(t.chains()).noneMatch(c -> c.name().equals(NftablesRenderer.policyChain("DefaultDeny/shop/db-egress/Egress")));
        // api: not isolated by any NetworkPolicy: Admin, then Baseline, then the base chain's accept
        LocalPod api = pod(TieredRuleSets.shopN1(), "api");
        NftChain apiEgress = chain(t, NftablesRenderer.profileChain(Direction.EGRESS, api.clusterEgress(), api.egressPolicies()));
        assertThat(apiEgress.rules()).containsExactly("jump " + admin.name(),
                "jump base_" + tierHash(TieredRuleSets.BASELINE_EGRESS));
        // watched: audited: Baseline (Accept returns), then the audit check
        LocalPod watched = pod(TieredRuleSets.shopN1(), "watched");
        NftChain watchedEgress = chain(t, NftablesRenderer.profileChain(Direction.EGRESS, watched.clusterEgress(),
                watched.egressPolicies()));
        assertThat(watchedEgress.rules()).first().isEqualTo("jump base_" + tierHash(TieredRuleSets.BASELINE_EGRESS) + "_audit");
        assertThat(watchedEgress.rules()).last().isEqualTo("counter accept comment \"egress audited by shop/watch: would-deny\"");
        assertThat(watchedEgress.rules().subList(1, watchedEgress.rules().size() - 1)).isNotEmpty()
                .allMatch(r -> r.contains("counter accept comment \"NetworkPolicy shop/watch "));
        // a ClusterNetworkPolicy has no policy chain of its own: its rules are only in the tier chains
        assertThat(t.chains()).noneMatch(c -> c.name().equals(NftablesRenderer.policyChain(TieredRuleSets.GUARD_EGRESS)));
        // every pod is looked up in both directions (each has a cluster policy), also those no NetworkPolicy isolates
        NftSet egressPods = t.sets().stream().filter(s -> s.name().equals("egress_pods_v4")).findFirst().orElseThrow();
        assertThat(egressPods.elements()).hasSize(4);
    }

    @Test
    void aPolicyOfOneProfileStandsInThatProfileChainAndOneOfSeveralKeepsItsChain() {
        // web-2 has web's and db's ingress policies: each is then used by two profiles (its pod's and web-2's) and keeps
        // its chain; in the shop alone each is used by one profile, which holds its rules
        ResolvedRuleSet rs = shopN1();
        NodeRuleSet n = rs.ruleSet();
        LocalPod web = pod(rs, "web");
        LocalPod db = pod(rs, "db");
        List<String> both = new ArrayList<>(web.ingressPolicies());
        both.addAll(db.ingressPolicies());
        List<LocalPod> pods = new ArrayList<>(n.pods());
        pods.add(new LocalPod("shop", "web-2", List.of("10.77.0.4"), both, List.of()));
        ResolvedRuleSet shared = new ResolvedRuleSet(new NodeRuleSet(n.node(), n.nodeAddresses(), pods, n.policies(),
                n.addressSets()), rs.addressSets());
        RenderedTable before = NftablesRenderer.render(rs);
        RenderedTable after = NftablesRenderer.render(shared);
        String webPolicy = NftablesRenderer.policyChain(web.ingressPolicies().get(0));
        String dbPolicy = NftablesRenderer.policyChain(db.ingressPolicies().get(0));
        // alone: no policy chain, the profile chain holds the policy's rules where the jump would be
        assertThat(before.chains()).extracting(NftChain::name).doesNotContain(webPolicy, dbPolicy);
        NftChain webProfile = chain(after, NftablesRenderer.profileChain(Direction.INGRESS, List.of(), web.ingressPolicies()));
        NftChain webAlone = chain(before, webProfile.name());
        NftChain webPolicyChain = chain(after, webPolicy);
        assertThat(webProfile.rules()).containsExactly("jump " + webPolicy, webAlone.rules().get(webAlone.rules().size() - 1));
        assertThat(webAlone.rules().subList(0, webAlone.rules().size() - 1)).isEqualTo(webPolicyChain.rules());
        NftChain both2 = chain(after, NftablesRenderer.profileChain(Direction.INGRESS, List.of(), both));
        assertThat(both2.rules()).hasSize(3).startsWith("jump " + webPolicy, "jump " + dbPolicy);
        // shared by two profiles: each jumps to the one chain
        assertThat(chain(after, NftablesRenderer.profileChain(Direction.INGRESS, List.of(), db.ingressPolicies())).rules())
                .startsWith("jump " + dbPolicy);
    }

    @Test
    void aNodeWithoutClusterPoliciesRendersAsBefore() throws IOException {
        // the pods' cluster lists are empty: profile names and chains are those of the shop golden file
        ResolvedRuleSet tiers = TieredRuleSets.shopN1();
        assertThat(NftablesRenderer.render(shopN1()).text()).isEqualTo(
                Files.readString(Path.of("src/test/resources/golden/shop-n1.nft"), StandardCharsets.UTF_8));
        assertThat(NftablesRenderer.render(tiers).chains()).extracting(NftChain::name)
                .doesNotContain(NftablesRenderer.profileChain(Direction.EGRESS, List.of(), pod(tiers, "db").egressPolicies()));
    }

    private static String tierHash(String... ids) {
        return dev.netfence.policy.compile.ContentHash.of(String.join("\n", ids));
    }

    private static NftChain chain(RenderedTable t, String name) {
        return t.chains().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no chain " + name));
    }

    private static LocalPod pod(ResolvedRuleSet rs, String name) {
        return rs.ruleSet().pods().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void rendersAnEmptyRuleSetAsATableThatAcceptsEverything() throws IOException {
        CompiledCluster none = RuleSetCompiler.compile(SampleClusters.shop().toBuilder()
                .removePolicy("shop", "web-from-api").removePolicy("shop", "db-ingress")
                .removeDefaultDeny("shop", "db-egress").build());
        assertGolden("empty-n1.nft", NftablesRenderer.render(none.forNode("n1")).text());
    }

    @Test
    void fullScriptReplacesTheTableInOneBatch() {
        String script = NftablesRenderer.render(shopN1()).fullScript();
        assertThat(script).startsWith("add table inet netfence\ndelete table inet netfence\ntable inet netfence {\n");
        assertThat(script).doesNotContain("flush ruleset").doesNotContain("destroy");
    }

    @Test
    void aPodJoiningAnAddressSetIsAnElementDelta() {
        ResolvedRuleSet before = shopN1();
        AddressSet api = before.addressSets().stream().filter(a -> a.entries().contains("10.77.0.2")).findFirst().orElseThrow();
        List<String> entries = new ArrayList<>(api.entries());
        entries.add("10.77.0.9");
        // same name on purpose: the set is updated in place, as the enforcer sees a changed AddressSet
        List<AddressSet> sets = before.addressSets().stream()
                .map(a -> a.name().equals(api.name()) ? new AddressSet(a.name(), entries) : a).toList();
        RenderedTable old = NftablesRenderer.render(before);
        RenderedTable changed = NftablesRenderer.render(new ResolvedRuleSet(before.ruleSet(), sets));
        String base = "as_" + api.name().substring(3);
        assertThat(changed.deltaFrom(old)).contains("add element inet netfence " + base + "_v4 {\n\t10.77.0.9\n}\n");
    }

    @Test
    void aPodJoiningOrLeavingAnExistingProfileIsAMapElementDelta() {
        ResolvedRuleSet before = shopN1();
        NodeRuleSet rs = before.ruleSet();
        LocalPod web = rs.pods().stream().filter(p -> p.name().equals("web")).findFirst().orElseThrow();
        List<LocalPod> pods = new ArrayList<>(rs.pods());
        // another pod with web's exact policies reuses web's profile chains: only map elements change
        pods.add(new LocalPod("shop", "web-2", List.of("10.77.0.4"), web.ingressPolicies(), web.egressPolicies()));
        ResolvedRuleSet after = new ResolvedRuleSet(new NodeRuleSet(rs.node(), rs.nodeAddresses(), pods, rs.policies(),
                rs.addressSets()), before.addressSets());
        RenderedTable a = NftablesRenderer.render(after);
        RenderedTable b = NftablesRenderer.render(before);
        assertThat(b.deltaFrom(a)).hasValueSatisfying(d -> assertThat(d)
                .contains("delete element inet netfence ingress_pods_v4 {\n\t10.77.0.4\n}")
                .doesNotContain("add element"));
        assertThat(a.elementChanges(b).orElseThrow()).extracting(c -> c.set().name())
                .containsExactlyInAnyOrder("ingress_pods_v4", "ingress_pod_ids_v4");
        // the pod is data (its profile's id, one map element): no jump element, which would
        // make the kernel re-validate the whole chain graph
        assertThat(a.deltaFrom(b)).hasValueSatisfying(d -> assertThat(d)
                .containsPattern("add element inet netfence ingress_pods_v4 \\{\n\t10.77.0.4 : 0x0000000[1-9]\n}")
                .doesNotContain("jump"));
        assertThat(a.elementChanges(b).orElseThrow()).allSatisfy(c -> assertThat(NetlinkSetElements.supports(c.set())).isTrue());
    }

    @Test
    void aNodeWithoutIpv6PodsGetsNoIpv6PolicyRulesNorTheirSets() {
        ResolvedRuleSet dual = shopN1();
        NodeRuleSet n = dual.ruleSet();
        List<LocalPod> v4Pods = n.pods().stream().map(p -> new LocalPod(p.namespace(), p.name(),
                p.ips().stream().filter(ip -> ip.indexOf(':') < 0).toList(), p.ingressPolicies(), p.egressPolicies(),
                p.clusterIngress(), p.clusterEgress())).toList();
        // the AddressSets keep their IPv6 members: only the node's own pods decide
        ResolvedRuleSet v4 = new ResolvedRuleSet(new NodeRuleSet(n.node(), n.nodeAddresses(), v4Pods, n.policies(),
                n.addressSets()), dual.addressSets());
        RenderedTable withV6 = NftablesRenderer.render(dual);
        RenderedTable without = NftablesRenderer.render(v4);
        assertThat(withV6.sets()).anyMatch(s -> s.name().startsWith("as_") && s.name().endsWith("_v6"));
        assertThat(without.sets()).noneMatch(s -> (s.name().startsWith("as_") || s.name().startsWith("np_"))
                && s.name().endsWith("_v6"));
        // the policy chains are the dual-stack ones without their ip6 rules, nothing else changes
        for (NftChain c : withV6.chains()) {
            if (c.name().startsWith("pol_")) {
                NftChain same = without.chains().stream().filter(o -> o.name().equals(c.name())).findFirst().orElseThrow();
                assertThat(same.rules()).isEqualTo(c.rules().stream().filter(r -> !r.contains("ip6 ")).toList());
            }
        }
        // the base chains keep their IPv6 rules (fail-closed and node rules go there), on empty maps
        assertThat(without.chains().get(0).rules()).isEqualTo(withV6.chains().get(0).rules());
        assertThat(without.sets()).anyMatch(s -> s.name().equals("ingress_pods_v6") && s.elements().isEmpty());
    }

    @Test
    void profileIdsAreDenseAndTheVerdictMapJumpsStraightToTheProfileWithTheMarkCleared() {
        RenderedTable t = NftablesRenderer.render(shopN1());
        NftSet profiles = t.sets().stream().filter(s -> s.name().equals("ingress_profiles")).findFirst().orElseThrow();
        List<String> ids = profiles.elements().stream().map(e -> e.substring(0, e.indexOf(" : "))).toList();
        assertThat(ids).isNotEmpty();
        for (int i = 0; i < ids.size(); i++) {
            assertThat(ids.get(i)).isEqualTo(String.format("0x%08x", i + 1));
        }
        for (String e : profiles.elements()) {
            // straight to the profile chain: no trampoline chain per profile
            String profile = e.substring(e.indexOf("jump ") + 5);
            assertThat(profile).startsWith("in_");
            assertThat(t.chains()).anyMatch(c -> c.name().equals(profile));
        }
        assertThat(t.chains()).noneMatch(c -> c.name().startsWith("fin_") || c.name().startsWith("fout_"));
        NftChain base = t.chains().stream().filter(c -> c.name().equals("ingress")).findFirst().orElseThrow();
        // the base chain dispatches by family and writes no mark
        assertThat(base.rules()).noneMatch(r -> r.contains("mark"));
        assertThat(base.rules()).endsWith("meta nfproto ipv4 goto ingress_pod_v4", "meta nfproto ipv6 goto ingress_pod_v6");
        for (String family : List.of("v4", "v6")) {
            NftChain ingress = t.chains().stream().filter(c -> c.name().equals("ingress_pod_" + family)).findFirst().orElseThrow();
            String ip = family.equals("v4") ? "ip " : "ip6 ";
            // a pod nothing isolates leaves first, by one lookup; a marked packet never reaches a rule that sets the mark
            assertThat(ingress.rules()).first().isEqualTo(ip + "daddr != @ingress_pods_" + family + " accept");
            assertThat(ingress.rules()).noneMatch(r -> r.startsWith(family.equals("v4") ? "ip6 " : "ip "));
            int marked = ingress.rules().indexOf("meta mark != 0x00000000 goto ingress_marked");
            assertThat(marked).isPositive();
            assertThat(ingress.rules().subList(0, marked)).noneMatch(r -> r.contains("mark set"));
            // the last rule reads the id from the mark, clears the mark and dispatches (NetlinkRuleEncoder.clearedVmap)
            assertThat(ingress.rules()).last().isEqualTo("meta mark set 0x00000000 meta mark vmap @ingress_profiles comment"
                    + " \"the profile id is read from the mark before the mark is cleared\"");
        }
        // the marked path: (address . profile id) looked up, one rule per profile and family, never a mark written
        NftChain markedChain = t.chains().stream().filter(c -> c.name().equals("ingress_marked")).findFirst().orElseThrow();
        List<String> expected = new ArrayList<>();
        for (String e : profiles.elements()) {
            String id = e.substring(0, e.indexOf(" : "));
            String profile = e.substring(e.indexOf("jump ") + 5);
            expected.add("ip daddr . " + id + " @ingress_pod_ids_v4 jump " + profile);
            expected.add("ip6 daddr . " + id + " @ingress_pod_ids_v6 jump " + profile);
        }
        assertThat(markedChain.rules()).isEqualTo(expected);
        assertThat(t.sets()).noneMatch(s -> s.name().startsWith("pin_") || s.name().startsWith("pout_"));
        assertThat(t.netlinkOnly()).isTrue();
    }

    @Test
    void aNewPolicyNeedsAFullReplacement() {
        RenderedTable withAll = NftablesRenderer.render(shopN1());
        RenderedTable withoutDb = NftablesRenderer.render(RuleSetCompiler.compile(SampleClusters.shop().toBuilder()
                .removePolicy("shop", "db-ingress").build()).forNode("n1"));
        assertThat(withAll.deltaFrom(withoutDb)).isEmpty();
    }

    static void assertGolden(String name, String actual) throws IOException {
        Path file = Path.of("src/test/resources/golden", name);
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(file, actual, StandardCharsets.UTF_8);
        }
        assertThat(Files.exists(file)).as("golden file %s (create it with -Dgolden.update=true)", file).isTrue();
        assertThat(actual).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
    }
}
