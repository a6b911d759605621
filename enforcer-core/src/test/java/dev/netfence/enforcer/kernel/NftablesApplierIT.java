package dev.netfence.enforcer.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netfence.enforcer.SampleClusters;
import dev.netfence.enforcer.nft.ApplyResult;
import dev.netfence.enforcer.nft.NftChain;
import dev.netfence.enforcer.nft.Nftables;
import dev.netfence.enforcer.nft.NftablesException;
import dev.netfence.enforcer.nft.NftablesRenderer;
import dev.netfence.enforcer.nft.RenderedTable;
import dev.netfence.enforcer.nft.RuleSetApplier;
import dev.netfence.policy.compile.AddressSet;
import dev.netfence.policy.compile.ResolvedRuleSet;
import dev.netfence.policy.compile.RuleSetCompiler;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Loads rendered tables into a real kernel, inside a fresh network namespace, as the applier does (netlink batches). */
class NftablesApplierIT {
    private static final String NS = "nf-applier-it-" + ProcessHandle.current().pid();
    private final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void createNamespace() {
        String reason = NetNs.unavailableReason();
        Assumptions.assumeTrue(reason == null, reason);
        NetNs.delete(NS);
        NetNs.add(NS);
    }

    @AfterEach
    void removeNamespace() {
        if (NetNs.root()) {
            NetNs.delete(NS);
        }
    }

    static ResolvedRuleSet shop() {
        return RuleSetCompiler.compile(SampleClusters.shop()).forNode("n1");
    }

    /** The shop without policies: no isolated pod, so no marked-path rule, and libnftables can load the table. */
    static ResolvedRuleSet unisolated() {
        return RuleSetCompiler.compile(SampleClusters.shop().toBuilder().removePolicy("shop", "web-from-api")
                .removePolicy("shop", "db-ingress").removeDefaultDeny("shop", "db-egress").build()).forNode("n1");
    }

    @Test
    void fullSyncLoadsTheTableLeavesOtherTablesAloneAndListsBackAsJson() throws Exception {
        JsonNode listing = NetNs.call(NS, () -> {
            Nftables nft = new Nftables();
            nft.run("table inet someone-else {\n\tchain keep {\n\t\ttype filter hook input priority 0; policy accept;\n\t}\n}\n");
            RuleSetApplier applier = new RuleSetApplier(nft);
            assertThat(applier.apply(shop()).kind()).isEqualTo(ApplyResult.Kind.FULL);
            assertThat(applier.apply(shop()).kind()).isEqualTo(ApplyResult.Kind.UNCHANGED);
            assertThat(nft.run("list tables")).contains("table inet someone-else").contains("table inet netfence");
            return json.readTree(nft.json("list table inet netfence"));
        });
        List<String> chains = new ArrayList<>();
        List<String> comments = new ArrayList<>();
        JsonNode ingressMap = null;
        for (JsonNode item : listing.path("nftables")) {
            if (item.has("chain")) {
                chains.add(item.get("chain").get("name").asText());
            }
            if (item.has("rule") && item.get("rule").has("comment")) {
                comments.add(item.get("rule").get("comment").asText());
            }
            if (item.has("map") && item.get("map").get("name").asText().equals("ingress_pods_v4")) {
                ingressMap = item.get("map");
            }
        }
        // each of the shop node's policies is used by one profile, whose chain holds its rules: no policy chain
        assertThat(chains).contains("egress", "ingress").noneMatch(c -> c.startsWith("pol_")).anyMatch(c -> c.startsWith("in_"));
        assertThat(comments).contains("NetworkPolicy shop/web-from-api spec.ingress[0]", "DefaultDeny shop/db-egress spec.allowDNS");
        assertThat(ingressMap).isNotNull();
        assertThat(ingressMap.get("elem").toString()).contains("10.77.0.1").contains("10.77.0.3");
    }

    @Test
    void aRejectedBatchKeepsTheLastGoodRules() {
        NetNs.call(NS, () -> {
            Nftables nft = new Nftables();
            RuleSetApplier applier = new RuleSetApplier(nft);
            applier.apply(shop());
            String before = nft.run("list table inet netfence");
            RenderedTable good = NftablesRenderer.render(shop());
            List<NftChain> chains = new ArrayList<>(good.chains());
            chains.add(new NftChain("broken", null, null, List.of("jump no_such_chain")));
            RenderedTable bad = new RenderedTable(good.sets(), chains);
            assertThatThrownBy(() -> applier.apply(bad)).isInstanceOf(NftablesException.class)
                    .hasMessageContaining("rule 1 of chain broken (jump no_such_chain)");
            assertThat(nft.run("list table inet netfence")).isEqualTo(before);
            assertThat(applier.applied()).isEqualTo(good);
            return null;
        });
    }

    @Test
    void aStatementTheNetlinkEncoderDoesNotKnowIsLoadedThroughLibnftablesInOneTransaction() {
        NetNs.call(NS, () -> {
            Nftables nft = new Nftables();
            RuleSetApplier applier = new RuleSetApplier(nft);
            // no isolated pod: no marked-path rule, so libnftables can load the table
            RenderedTable good = NftablesRenderer.render(unisolated());
            assertThat(good.netlinkOnly()).isFalse();
            List<NftChain> chains = new ArrayList<>(good.chains());
            // a statement a future renderer might write: nft reads it, the encoder does not know it
            chains.add(new NftChain("extra", null, null, List.of("tcp dport 22 counter accept comment \"extra rule\"")));
            RenderedTable extended = new RenderedTable(good.sets(), chains);
            assertThat(applier.apply(extended).kind()).isEqualTo(ApplyResult.Kind.FULL);
            assertThat(nft.run("list chain inet netfence extra")).contains("tcp dport 22 counter packets 0 bytes 0 accept comment \"extra rule\"");
            // and back to a table the encoder knows: the netlink batch replaces the whole table again
            applier.reset();
            assertThat(applier.apply(good).kind()).isEqualTo(ApplyResult.Kind.FULL);
            assertThatThrownBy(() -> nft.run("list chain inet netfence extra")).isInstanceOf(NftablesException.class);
            applier.close();
            return null;
        });
    }

    @Test
    void aTableWithTheMarkedPathAndAStatementTheEncoderDoesNotKnowIsRefusedAndTheTableInForceStays() {
        NetNs.call(NS, () -> {
            Nftables nft = new Nftables();
            RuleSetApplier applier = new RuleSetApplier(nft);
            RenderedTable good = NftablesRenderer.render(shop());
            assertThat(good.netlinkOnly()).isTrue();
            applier.apply(good);
            String before = nft.run("list table inet netfence");
            List<NftChain> chains = new ArrayList<>(good.chains());
            chains.add(new NftChain("extra", null, null, List.of("tcp dport 22 counter accept")));
            // libnftables cannot parse the marked path's map comparisons: no fallback, a clear error, nothing changed
            assertThatThrownBy(() -> applier.apply(new RenderedTable(good.sets(), chains))).isInstanceOf(NftablesException.class)
                    .hasMessageContaining("needs the netlink encoder").hasMessageContaining("does not know")
                    .hasMessageContaining("the rules in force stay");
            assertThat(nft.run("list table inet netfence")).isEqualTo(before);
            applier.close();
            return null;
        });
    }

    /** The shop's AddressSet of api's pods (10.77.0.2, 10.77.1.1, fd77::2). */
    private static AddressSet apiPeers(ResolvedRuleSet rs) {
        return rs.addressSets().stream().filter(a -> a.entries().contains("10.77.0.2")).findFirst().orElseThrow();
    }

    /** {@code rs} with {@code set}'s members replaced by {@code entries}, as the operator publishes a member change. */
    private static ResolvedRuleSet withMembers(ResolvedRuleSet rs, AddressSet set, List<String> entries) {
        return new ResolvedRuleSet(rs.ruleSet(), rs.addressSets().stream()
                .map(a -> a.name().equals(set.name()) ? new AddressSet(a.name(), entries) : a).toList());
    }

    @Test
    void aMemberChangeIsSentAsElementsAndLandsInTheKernelSet() {
        NetNs.call(NS, () -> {
            Nftables nft = new Nftables();
            RuleSetApplier applier = new RuleSetApplier(nft);
            ResolvedRuleSet before = shop();
            applier.apply(before);
            AddressSet api = apiPeers(before);
            List<String> entries = new ArrayList<>(api.entries());
            entries.remove("10.77.1.1");
            entries.add("10.77.0.9");
            ResolvedRuleSet after = withMembers(before, api, entries);
            assertThat(applier.apply(after).kind()).isEqualTo(ApplyResult.Kind.DELTA);
            String set = nft.run("list set inet netfence as_" + api.name().substring(3) + "_v4");
            assertThat(set).contains("10.77.0.9").contains("10.77.0.2").doesNotContain("10.77.1.1");
            // the same kind of change as an AddressSet watch delivers it
            assertThat(applier.applyAddressSet(new AddressSet(api.name(), List.of("10.77.1.1", "fd77::2"))).kind())
                    .isEqualTo(ApplyResult.Kind.DELTA);
            assertThat(nft.run("list set inet netfence as_" + api.name().substring(3) + "_v4"))
                    .contains("10.77.1.1").doesNotContain("10.77.0.9").doesNotContain("10.77.0.2");
            assertThat(applier.applied()).isEqualTo(NftablesRenderer.render(withMembers(before, api, List.of("10.77.1.1", "fd77::2"))));
            return null;
        });
    }

    @Test
    void aSetOfSingleAddressesIsAHashSetAndItsFirstNetworkRedeclaresItInOneFullReplacement() {
        NetNs.call(NS, () -> {
            Nftables nft = new Nftables();
            RuleSetApplier applier = new RuleSetApplier(nft);
            ResolvedRuleSet before = shop();
            applier.apply(before);
            AddressSet api = apiPeers(before);
            String set = "as_" + api.name().substring(3) + "_v4";
            // pod addresses only: a plain set (no interval flag), as the kernel lists it
            assertThat(nft.run("list set inet netfence " + set)).doesNotContain("interval").contains("10.77.0.2");
            // a network among the members: the set is declared anew as an interval set, the whole table in one
            // transaction (no element delta can change a set's flags), and the kernel matches inside the network
            List<String> withNetwork = List.of("10.77.0.2", "10.77.8.0/24", "fd77::2");
            ResolvedRuleSet widened = withMembers(before, api, withNetwork);
            assertThat(applier.apply(widened).kind()).isEqualTo(ApplyResult.Kind.FULL);
            assertThat(nft.run("list set inet netfence " + set)).contains("flags interval");
            assertThat(nft.run("get element inet netfence " + set + " { 10.77.8.9 }")).contains("10.77.8.0/24");
            // back to single addresses, this time as an AddressSet watch delivers it: redeclared again, whole
            ApplyResult back = applier.applyAddressSet(new AddressSet(api.name(), List.of("10.77.0.2", "10.77.1.1", "fd77::2")));
            assertThat(back.kind()).isEqualTo(ApplyResult.Kind.FULL);
            assertThat(nft.run("list set inet netfence " + set)).doesNotContain("interval").contains("10.77.1.1");
            assertThatThrownBy(() -> nft.run("get element inet netfence " + set + " { 10.77.8.9 }"))
                    .isInstanceOf(NftablesException.class);
            assertThat(applier.applied()).isEqualTo(NftablesRenderer.render(before));
            // and the other way through the watch path: a network arrives, the set becomes an interval set
            assertThat(applier.applyAddressSet(new AddressSet(api.name(), withNetwork)).kind()).isEqualTo(ApplyResult.Kind.FULL);
            assertThat(applier.applied()).isEqualTo(NftablesRenderer.render(widened));
            assertThat(nft.run("get element inet netfence " + set + " { 10.77.8.9 }")).contains("10.77.8.0/24");
            applier.close();
            return null;
        });
    }

    @Test
    void netlinkDeltasReshapeIntervalsAndPointNewPodsAtExistingProfiles() {
        NetNs.call(NS, () -> {
            Nftables nft = new Nftables();
            RuleSetApplier applier = new RuleSetApplier(nft);
            ResolvedRuleSet before = shop();
            applier.apply(before);
            AddressSet block = before.addressSets().stream().filter(a -> a.entries().contains("172.16.0.0/24"))
                    .findFirst().orElseThrow();
            String set = "as_" + block.name().substring(3) + "_v4";
            assertThat(nft.run("get element inet netfence " + set + " { 172.16.0.200 }")).contains("172.16.0.0/24");
            ResolvedRuleSet narrowed = new ResolvedRuleSet(before.ruleSet(), before.addressSets().stream()
                    .map(a -> a.name().equals(block.name())
                            ? new AddressSet(a.name(), List.of("172.16.0.0/25", "172.16.2.0-172.16.255.255")) : a).toList());
            var rs = narrowed.ruleSet();
            var web = rs.pods().stream().filter(p -> p.name().equals("web")).findFirst().orElseThrow();
            var pods = new ArrayList<>(rs.pods());
            pods.add(new dev.netfence.policy.compile.LocalPod("shop", "web-2", List.of("10.77.0.4", "fd77::4"),
                    web.ingressPolicies(), web.egressPolicies()));
            ResolvedRuleSet after = new ResolvedRuleSet(new dev.netfence.policy.compile.NodeRuleSet(rs.node(),
                    rs.nodeAddresses(), pods, rs.policies(), rs.addressSets()), narrowed.addressSets());
            ApplyResult delta = applier.apply(after);
            assertThat(delta.kind()).isEqualTo(ApplyResult.Kind.DELTA);
            // the counts a delta reports are carried over from the table in force, and equal the new table's
            RenderedTable afterTable = NftablesRenderer.render(after);
            assertThat(delta.rules()).isEqualTo(afterTable.ruleCount());
            assertThat(delta.elements()).isEqualTo(afterTable.elementCount());
            // the kernel's own lookups: the /25 still matches, the rest of the old /24 no longer does
            assertThat(nft.run("get element inet netfence " + set + " { 172.16.0.100 }")).contains("172.16.0.0/25");
            assertThatThrownBy(() -> nft.run("get element inet netfence " + set + " { 172.16.0.200 }"))
                    .isInstanceOf(NftablesException.class);
            // the new pod has web's profile id (the mark value went over netlink in host byte order)
            String webId = nft.run("get element inet netfence ingress_pods_v4 { 10.77.0.1 }").replaceAll("(?s).*10\\.77\\.0\\.1 : (0x[0-9a-f]+).*", "$1");
            assertThat(webId).matches("0x0000000[1-9]");
            assertThat(nft.run("get element inet netfence ingress_pods_v4 { 10.77.0.4 }")).contains("10.77.0.4 : " + webId);
            assertThat(nft.run("get element inet netfence ingress_pods_v6 { fd77::4 }")).contains("fd77::4 : " + webId);
            // and in the marked path's (address . profile id) sets, as the kernel looks them up
            assertThat(nft.run("get element inet netfence ingress_pod_ids_v4 { 10.77.0.4 . " + webId + " }"))
                    .contains("10.77.0.4 . " + webId);
            assertThat(nft.run("get element inet netfence ingress_pod_ids_v6 { fd77::4 . " + webId + " }"))
                    .contains("fd77::4 . " + webId);
            // and back: the pod leaves, the /24 returns
            ApplyResult back = applier.apply(before);
            assertThat(back.kind()).isEqualTo(ApplyResult.Kind.DELTA);
            assertThat(back.elements()).isEqualTo(NftablesRenderer.render(before).elementCount());
            assertThat(nft.run("get element inet netfence " + set + " { 172.16.0.200 }")).contains("172.16.0.0/24");
            assertThatThrownBy(() -> nft.run("get element inet netfence ingress_pods_v4 { 10.77.0.4 }"))
                    .isInstanceOf(NftablesException.class);
            assertThatThrownBy(() -> nft.run("get element inet netfence ingress_pod_ids_v6 { fd77::4 . " + webId + " }"))
                    .isInstanceOf(NftablesException.class);
            return null;
        });
    }

    @Test
    void aDeltaOfASetTypeTheEncoderDoesNotKnowGoesThroughLibnftablesAsADelta() {
        NetNs.call(NS, () -> {
            Nftables nft = new Nftables();
            RuleSetApplier applier = new RuleSetApplier(nft);
            // no marked-path rule, so libnftables can load the table; a set of a type a future renderer might add
            RenderedTable good = NftablesRenderer.render(unisolated());
            List<dev.netfence.enforcer.nft.NftSet> sets = new ArrayList<>(good.sets());
            sets.add(new dev.netfence.enforcer.nft.NftSet("macs", "ether_addr", false, List.of("02:00:00:00:00:01")));
            RenderedTable one = new RenderedTable(sets, good.chains());
            assertThat(applier.apply(one).kind()).isEqualTo(ApplyResult.Kind.FULL);
            sets.set(sets.size() - 1, new dev.netfence.enforcer.nft.NftSet("macs", "ether_addr", false,
                    List.of("02:00:00:00:00:02", "02:00:00:00:00:03")));
            RenderedTable two = new RenderedTable(sets, good.chains());
            // the whole delta in one libnftables transaction (element commands), not a full replacement
            assertThat(applier.apply(two).kind()).isEqualTo(ApplyResult.Kind.DELTA);
            assertThat(nft.run("list set inet netfence macs")).contains("02:00:00:00:00:02").contains("02:00:00:00:00:03")
                    .doesNotContain("02:00:00:00:00:01");
            applier.close();
            return null;
        });
    }

    @Test
    void aDeltaTheNetlinkWriterCannotEncodeFallsBackToAFullReplacement() {
        NetNs.call(NS, () -> {
            Nftables nft = new Nftables();
            RuleSetApplier applier = new RuleSetApplier(nft);
            // a table libnftables can load (no marked-path rule): the full replacement falls back to it
            RenderedTable good = NftablesRenderer.render(unisolated());
            applier.apply(good);
            // a pod map value written in decimal, which nft reads but the netlink element encoder does not: it throws
            // before sending anything
            List<dev.netfence.enforcer.nft.NftSet> sets = new ArrayList<>();
            for (var set : good.sets()) {
                List<String> elements = new ArrayList<>(set.elements());
                if (set.name().equals("ingress_pods_v4")) {
                    elements.add("10.77.0.99 : 99");
                }
                sets.add(new dev.netfence.enforcer.nft.NftSet(set.name(), set.type(), set.interval(), elements));
            }
            RenderedTable changed = new RenderedTable(sets, good.chains());
            assertThat(applier.apply(changed).kind()).isEqualTo(ApplyResult.Kind.FULL);
            assertThat(nft.run("get element inet netfence ingress_pods_v4 { 10.77.0.99 }")).contains("0x00000063");
            assertThat(applier.applied()).isEqualTo(changed);
            return null;
        });
    }
}
