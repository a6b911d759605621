package dev.netfence.enforcer.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netfence.enforcer.SampleClusters;
import dev.netfence.enforcer.bench.SyntheticRuleSets;
import dev.netfence.enforcer.nft.FailClosedRules;
import dev.netfence.enforcer.nft.NetlinkTableLoad;
import dev.netfence.enforcer.nft.NftChain;
import dev.netfence.enforcer.nft.NftSet;
import dev.netfence.enforcer.nft.Nftables;
import dev.netfence.enforcer.nft.NftablesException;
import dev.netfence.enforcer.nft.NftablesRenderer;
import dev.netfence.enforcer.nft.RenderedTable;
import dev.netfence.enforcer.nft.RevocationRules;
import dev.netfence.policy.compile.RuleSetCompiler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The netlink encoder against nft itself: every table is loaded once through libnftables' script
 * and once as the batch {@link NetlinkTableLoad} builds, each into a fresh namespace, and the two
 * kernels must list the table back identically, as text and as JSON (set flags, element intervals,
 * map values, comments, rule expressions as nft decodes them), apart from the rules only the batch
 * can load (the marked path's), which must list back as nft prints them.
 */
class NetlinkTableLoadIT {
    private static final String RUN = Long.toString(ProcessHandle.current().pid());
    private static final String BY_NFT = "nf-nlload-nft-" + RUN;
    private static final String BY_NETLINK = "nf-nlload-nl-" + RUN;

    @BeforeEach
    void createNamespaces() {
        String reason = NetNs.unavailableReason();
        Assumptions.assumeTrue(reason == null, reason);
        for (String ns : List.of(BY_NFT, BY_NETLINK)) {
            NetNs.delete(ns);
            NetNs.add(ns);
        }
    }

    @AfterEach
    void removeNamespaces() {
        if (NetNs.root()) {
            NetNs.delete(BY_NFT);
            NetNs.delete(BY_NETLINK);
        }
    }

    static Map<String, RenderedTable> tables() {
        Map<String, RenderedTable> t = new LinkedHashMap<>();
        RenderedTable shop = NftablesRenderer.render(RuleSetCompiler.compile(SampleClusters.shop()).forNode("n1"));
        t.put("shop", shop);
        t.put("empty", NftablesRenderer.render(RuleSetCompiler.compile(SampleClusters.shop().toBuilder()
                .removePolicy("shop", "web-from-api").removePolicy("shop", "db-ingress")
                .removeDefaultDeny("shop", "db-egress").build()).forNode("n1")));
        t.put("fail-closed", FailClosedRules.add(shop, List.of("fd77::9", "10.77.0.9", "10.77.0.8")));
        // connection revocation's rule (on by default): the encoder must load it, not fall back to libnftables
        t.put("revocation", RevocationRules.add(FailClosedRules.add(shop, List.of("10.77.0.9"))));
        t.put("fail-closed-cidr", FailClosedRules.add(shop, List.of("10.77.0.9"), List.of("10.77.0.0/24", "fd77::/64"),
                List.of("10.77.0.1", "10.77.0.2", "10.77.0.3", "fd77::1", "fd77::2")));
        var shopRules = RuleCompilerHolder.shopN1();
        t.put("flow log of denials (named limit and counter)", dev.netfence.enforcer.nft.FlowLogRules.add(shop,
                shopRules.ruleSet(), dev.netfence.enforcer.flow.FlowLogSettings.DEFAULTS).table());
        t.put("flow log of denials and allowed flows", dev.netfence.enforcer.nft.FlowLogRules.add(shop,
                shopRules.ruleSet(), dev.netfence.enforcer.flow.FlowLogSettings.DEFAULTS.withAllowed(true)).table());
        t.put("connection revocation's rule", dev.netfence.enforcer.nft.RevocationRules.add(shop));
        // ClusterNetworkPolicy tiers: adm_/base_ chains, return (Pass), drop with counter, jumps to the tier chains
        var tiers = dev.netfence.enforcer.TieredRuleSets.shopN1();
        RenderedTable tiered = NftablesRenderer.render(tiers);
        t.put("tiers", tiered);
        t.put("tiers with the flow log of denials and allowed flows", dev.netfence.enforcer.nft.FlowLogRules.add(tiered,
                tiers.ruleSet(), dev.netfence.enforcer.flow.FlowLogSettings.DEFAULTS.withAllowed(true)).table());
        t.put("synthetic 300 pods", NftablesRenderer.render(SyntheticRuleSets.build(300, 5, 5, 30, 40)));
        t.put("every statement the encoder knows", everyStatement(shop));
        return t;
    }

    private static final class RuleCompilerHolder {
        static dev.netfence.policy.compile.ResolvedRuleSet shopN1() {
            return RuleSetCompiler.compile(SampleClusters.shop()).forNode("n1");
        }
    }

    /** The shop's table plus a chain with the statements other renderers may use (log, drop, return, ...). */
    private static RenderedTable everyStatement(RenderedTable shop) {
        List<NftSet> sets = new ArrayList<>(shop.sets());
        sets.add(new NftSet("edge_v4", "ipv4_addr", true, List.of("0.0.0.0/8", "10.0.0.0-10.0.0.255", "255.255.255.255")));
        sets.add(new NftSet("edge_v6", "ipv6_addr", true, List.of("::/0")));
        sets.add(new NftSet("flows_v4", "ipv4_addr . inet_proto . inet_service", false, List.of("10.1.2.3 . udp . 53")));
        sets.add(new NftSet("verdicts", "mark : verdict", false, List.of("0x00000001 : accept", "0x00000002 : drop",
                "0x00000003 : goto egress_marked")));
        List<NftChain> chains = new ArrayList<>(shop.chains());
        chains.add(new NftChain("every", null, "statements: \"quoted\" {braces}; semicolons", List.of(
                "ct state new,untracked counter",
                "ct state new tcp flags & (syn|ack) == ack counter drop",
                "ip saddr . meta l4proto . th dport @flows_v4 log group 2 prefix \"nf: allow \" counter accept comment \"a flow\"",
                "ip daddr != @edge_v4 ip saddr @edge_v4 log group 7 counter drop",
                "ip6 saddr @edge_v6 return",
                "meta mark 0x00000005 continue",
                "meta mark != 0x00000005 meta mark vmap @verdicts",
                "counter comment \"only counted\"")));
        chains.add(new NftChain("entry", "type filter hook input priority mangle - 5; policy drop;", null,
                List.of("ct state established accept", "jump every")));
        return new RenderedTable(sets, chains);
    }

    /**
     * Every table as the batch loads it against the same table loaded by libnftables. The marked path's rules
     * ({@code ip daddr . 0x00000001 @ingress_pod_ids_v4 jump in_...}) are netlink only: nft cannot parse them,
     * so libnftables loads the table without them, and the batch's listing must be that listing plus exactly
     * those rules as nft prints them (text; see listedByNft), or plus one rule per marked-path rule looking up a
     * pod id set (JSON;
     * handles, which differ by the rules left out, are not compared).
     */
    @Test
    void theNetlinkBatchListsBackExactlyAsLibnftablesLoadedTheScript() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        for (Map.Entry<String, RenderedTable> e : tables().entrySet()) {
            RenderedTable table = e.getValue();
            RenderedTable forNft = ScriptTables.withoutMarkedPath(table);
            List<String> compared = listedByNft(table);
            assertThat(table.netlinkOnly()).as("%s has marked-path rules", e.getKey()).isEqualTo(!compared.isEmpty());
            NetNs.call(BY_NFT, () -> new Nftables().run(forNft.fullScript()));
            NetNs.call(BY_NETLINK, () -> {
                NetlinkTableLoad.load(NetlinkTableLoad.encode(table));
                return null;
            });
            for (int round = 0; round < 2; round++) {
                String text = listing(BY_NETLINK, false);
                List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
                List<String> marked = lines.stream().map(String::strip).filter(l -> l.contains(" [invalid type] @")).toList();
                assertThat(marked).as("marked-path rules of %s as nft lists them", e.getKey()).isEqualTo(compared);
                lines.removeIf(l -> l.contains(" [invalid type] @"));
                assertThat(String.join("\n", lines)).as("text listing of %s (round %d)", e.getKey(), round)
                        .isEqualTo(listing(BY_NFT, false));
                JsonNode fromNetlink = withoutHandles(mapper.readTree(NetNs.call(BY_NETLINK, () -> new Nftables().json("list table inet netfence"))));
                int removed = 0;
                for (java.util.Iterator<JsonNode> it = fromNetlink.get("nftables").elements(); it.hasNext(); ) {
                    JsonNode n = it.next();
                    if (n.has("rule") && n.toString().matches(".*\"@(in|e)gress_pod_ids_v[46]\".*")) {
                        it.remove();
                        removed++;
                    }
                }
                assertThat(removed).as("marked-path rules of %s in JSON", e.getKey()).isEqualTo(compared.size());
                assertThat(fromNetlink).as("JSON listing of %s (round %d)", e.getKey(), round)
                        .isEqualTo(withoutHandles(mapper.readTree(NetNs.call(BY_NFT, () -> new Nftables().json("list table inet netfence")))));
                // loaded again over a table in force: one transaction that replaces it
                NetNs.call(BY_NETLINK, () -> {
                    NetlinkTableLoad.load(NetlinkTableLoad.encode(table));
                    return null;
                });
            }
        }
    }

    /**
     * The table's marked-path rules, in chain order, as nft 1.0.6 lists them: the constant (a mark, held in host
     * byte order) printed as its bytes read big-endian, of no type it knows ({@code ip daddr . 0x1000000 [invalid
     * type] @ingress_pod_ids_v4 jump ...} for {@code 0x00000001}).
     */
    private static List<String> listedByNft(RenderedTable table) {
        List<String> out = new ArrayList<>();
        java.util.regex.Pattern constant = java.util.regex.Pattern.compile(" \\. 0x([0-9a-f]{8}) @");
        for (NftChain c : table.chains()) {
            for (String r : c.rules()) {
                if (ScriptTables.isMarkedPath(r)) {
                    java.util.regex.Matcher m = constant.matcher(r);
                    assertThat(m.find()).as(r).isTrue();
                    int value = Integer.parseUnsignedInt(m.group(1), 16);
                    out.add(m.replaceFirst(" . 0x" + Integer.toHexString(Integer.reverseBytes(value)) + " [invalid type] @"));
                }
            }
        }
        return out;
    }

    private static JsonNode withoutHandles(JsonNode node) {
        if (node instanceof ObjectNode o) {
            o.remove("handle");
        }
        node.forEach(NetlinkTableLoadIT::withoutHandles);
        return node;
    }

    @Test
    void aRefusedBatchNamesTheFailingRuleAndKeepsTheTableInForce() {
        RenderedTable good = tables().get("shop");
        NetNs.call(BY_NETLINK, () -> {
            NetlinkTableLoad.load(NetlinkTableLoad.encode(good));
            return null;
        });
        String before = listing(BY_NETLINK, false);
        List<NftChain> chains = new ArrayList<>(good.chains());
        chains.add(new NftChain("broken", null, null, List.of("counter", "jump no_such_chain")));
        RenderedTable bad = new RenderedTable(good.sets(), chains);
        assertThatThrownBy(() -> NetNs.call(BY_NETLINK, () -> {
            NetlinkTableLoad.load(NetlinkTableLoad.encode(bad));
            return null;
        })).isInstanceOf(NftablesException.class)
                .hasMessageContaining("rule 2 of chain broken (jump no_such_chain)").hasMessageContaining("ENOENT");
        assertThat(listing(BY_NETLINK, false)).isEqualTo(before);
    }

    /** The table listed back; in JSON the table's own handle (a per-namespace counter of tables created) is left out. */
    private static String listing(String ns, boolean json) {
        return NetNs.call(ns, () -> json
                ? new Nftables().json("list table inet netfence").replaceFirst("(\\{\"table\": \\{[^}]*\"handle\": )\\d+", "$1_")
                : new Nftables().run("list table inet netfence"));
    }
}
