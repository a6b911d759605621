package dev.netfence.enforcer.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netfence.enforcer.SampleClusters;
import dev.netfence.enforcer.nft.ApplyResult;
import dev.netfence.enforcer.nft.FailClosedRules;
import dev.netfence.enforcer.nft.NftablesRenderer;
import dev.netfence.enforcer.nft.Nftables;
import dev.netfence.enforcer.nft.RenderedTable;
import dev.netfence.enforcer.nft.RuleCounters;
import dev.netfence.enforcer.nft.RuleSetApplier;
import dev.netfence.policy.compile.ResolvedRuleSet;
import dev.netfence.policy.compile.RuleSetCompiler;
import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.eval.Flow;
import dev.netfence.policy.eval.PolicyEngine;
import dev.netfence.policy.model.ClusterNetworkPolicy;
import dev.netfence.policy.model.ClusterPeer;
import dev.netfence.policy.model.ClusterPort;
import dev.netfence.policy.model.ClusterRule;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.ClusterSubject;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.model.RuleAction;
import dev.netfence.policy.model.Tier;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Real packets through a node: the shop's pods are namespaces routed through a node namespace
 * that carries the rendered table; every pod pair is probed with TCP and UDP, over IPv4 and IPv6
 * where both ends have it, and what gets through must be exactly what the engine allows.
 */
class DatapathIT {
    private static final int[][] PORTS = {{8080, 0}, {9090, 0}, {5432, 0}, {5353, 1}};

    @Test
    void packetsThroughTheNodeFollowTheEngine() throws Exception {
        String reason = NetNs.unavailableReason();
        Assumptions.assumeTrue(reason == null, reason);
        ClusterSnapshot shop = SampleClusters.shop();
        List<Pod> pods = shop.pods().stream().filter(p -> "n1".equals(p.nodeName())).toList();
        PolicyEngine engine = new PolicyEngine(shop);
        try (RoutedNode node = new RoutedNode("dp", "10.77.255.1"); Probes.Servers servers = new Probes.Servers()) {
            addPodsWithServers(node, servers, pods);
            // before any rules: the lab itself connects everything
            assertThat(Probes.tcp(node.pod("db"), "10.77.0.1", 8080)).as("lab connectivity without rules").isTrue();

            RuleSetApplier applier = new RuleSetApplier(new Nftables());
            NetNs.call(node.nodeNamespace(), () -> applier.apply(RuleSetCompiler.compile(shop).forNode("n1")));
            // a table of the test's own around Netfence's: the mark forwarded packets carry in (prerouting) and
            // what they carry after Netfence's chains let them through (forward, a later priority)
            NetNs.call(node.nodeNamespace(), () -> new Nftables().run("table inet nf-marks {\n"
                    + "\tchain before {\n\t\ttype filter hook prerouting priority mangle; policy accept;\n\t}\n"
                    + "\tchain after {\n\t\ttype filter hook forward priority 100; policy accept;\n"
                    + "\t\tmeta mark != 0x00000000 counter\n\t}\n}\n"));

            Map<String, Boolean> expected = new LinkedHashMap<>();
            Map<String, Boolean> observed = probeEveryPair(node, pods, engine, expected);
            assertThat(observed).isEqualTo(expected);
            assertThat(expected).containsValue(true).containsValue(false);
            // the fast path (unmarked packets) hands every packet on with mark 0, as it came
            assertThat(NetNs.call(node.nodeNamespace(), () -> new Nftables().run("list chain inet nf-marks after")))
                    .contains("meta mark != 0x00000000 counter packets 0 ");

            // packets that arrive marked (kube-proxy marks service traffic it will masquerade with 0x4000 in
            // prerouting) are judged the same way, and leave with their mark untouched
            NetNs.call(node.nodeNamespace(), () -> new Nftables().run("add rule inet nf-marks before meta mark set 0x00004000\n"
                    + "flush chain inet nf-marks after\nadd rule inet nf-marks after meta mark != 0x00004000 counter\n"
                    + "add rule inet nf-marks after meta mark 0x00004000 counter\n"));
            Map<String, Boolean> marked = probeEveryPair(node, pods, engine, new LinkedHashMap<>());
            assertThat(marked).isEqualTo(expected);
            String marks = NetNs.call(node.nodeNamespace(), () -> new Nftables().run("list chain inet nf-marks after"));
            assertThat(marks).contains("meta mark != 0x00004000 counter packets 0 ")
                    .doesNotContain("meta mark 0x00004000 counter packets 0 ");

            // the fail-closed rules hold marked packets too: a waiting pod (web), and a pod CIDR address no known
            // pod has (api, which no policy isolates, left out of the known addresses)
            ResolvedRuleSet rs = RuleSetCompiler.compile(shop).forNode("n1");
            RenderedTable plain = NftablesRenderer.render(rs);
            String webIp = Endpoint.of(shop.pod("shop", "web").orElseThrow(), false).ip().toString();
            Pod apiPod = shop.pod("shop", "api").orElseThrow();
            String apiIp = Endpoint.of(apiPod, false).ip().toString();
            assertThat(expected).containsEntry("api -> web " + webIp + " TCP/8080", true)
                    .containsEntry("web -> api " + apiIp + " TCP/8080", true);
            NetNs.call(node.nodeNamespace(), () -> applier.apply(FailClosedRules.add(plain, List.of(webIp))));
            assertThat(Probes.tcp(node.pod("api"), webIp, 8080)).as("marked packets to a waiting pod").isFalse();
            List<String> known = pods.stream().filter(p -> p != apiPod).flatMap(p -> p.ips().stream()).map(Object::toString).toList();
            NetNs.call(node.nodeNamespace(), () -> applier.apply(FailClosedRules.add(plain, List.of(), List.of("10.77.0.0/24"), known)));
            assertThat(Probes.tcp(node.pod("web"), apiIp, 8080)).as("marked packets to an unknown pod CIDR address").isFalse();
            // the table a node with pod CIDRs runs (every pod known): known addresses skip the fail-closed drops
            // straight to the pod lookups (FailClosedRules), and every pair still follows the engine, marked and not
            List<String> allKnown = pods.stream().flatMap(p -> p.ips().stream()).map(Object::toString).toList();
            RenderedTable withCidr = FailClosedRules.add(plain, List.of(), List.of("10.77.0.0/24", "fd77::/64"), allKnown);
            NetNs.call(node.nodeNamespace(), () -> applier.apply(withCidr));
            assertThat(probeEveryPair(node, pods, engine, new LinkedHashMap<>())).as("marked, with pod CIDRs").isEqualTo(expected);
            NetNs.call(node.nodeNamespace(), () -> new Nftables().run("flush chain inet nf-marks before\n"));
            assertThat(probeEveryPair(node, pods, engine, new LinkedHashMap<>())).as("unmarked, with pod CIDRs").isEqualTo(expected);
            NetNs.call(node.nodeNamespace(), () -> new Nftables().run("add rule inet nf-marks before meta mark set 0x00004000\n"));
            NetNs.call(node.nodeNamespace(), () -> applier.apply(plain));
            assertThat(Probes.tcp(node.pod("api"), webIp, 8080)).isTrue();
            assertThat(Probes.tcp(node.pod("web"), apiIp, 8080)).isTrue();
            NetNs.call(node.nodeNamespace(), () -> new Nftables().run("delete table inet nf-marks\n"));

            // api is relabelled out of the peers of web-from-api: an element delta (netlink), enforced at once
            ClusterSnapshot relabelled = shop.toBuilder().pod(shop.pod("shop", "api").orElseThrow()
                    .withLabels(Map.of("app", "other"))).build();
            ApplyResult delta = NetNs.call(node.nodeNamespace(), () ->
                    applier.apply(RuleSetCompiler.compile(relabelled).forNode("n1")));
            assertThat(delta.kind()).isEqualTo(ApplyResult.Kind.DELTA);
            PolicyEngine after = new PolicyEngine(relabelled);
            Pod api = relabelled.pod("shop", "api").orElseThrow();
            Pod webAfter = relabelled.pod("shop", "web").orElseThrow();
            for (boolean v6 : new boolean[]{false, true}) {
                Flow flow = new Flow(Endpoint.of(api, v6), Endpoint.of(webAfter, v6), Protocol.TCP, 8080);
                assertThat(after.allowed(flow)).isFalse();
                assertThat(Probes.tcp(node.pod("api"), flow.destination().ip().toString(), 8080))
                        .as("after the delta: %s", flow.describe()).isFalse();
            }
            assertThat(Probes.udp(node.pod("db"), "10.77.0.1", 5353)).isEqualTo(
                    after.allowed(new Flow(Endpoint.of(relabelled.pod("shop", "db").orElseThrow()),
                            Endpoint.of(webAfter, false), Protocol.UDP, 5353)));

            Map<String, RuleCounters.Count> counters = NetNs.call(node.nodeNamespace(), RuleCounters::read);
            // the netlink dump reads exactly what nft's own JSON listing shows (no traffic runs in between)
            String json = NetNs.call(node.nodeNamespace(), () -> new Nftables().jsonTerse("list table inet netfence"));
            assertThat(counters).isEqualTo(countersOfJsonListing(json)).hasSizeGreaterThan(5);
            assertThat(counters.get("NetworkPolicy shop/web-from-api spec.ingress[0]").packets()).isPositive();
            assertThat(counters.get("ingress isolated by shop/web-from-api").packets()).isPositive();
            assertThat(counters.get("egress isolated by shop/db-egress").packets()).isPositive();
        }
    }

    /**
     * A node whose pods have IPv4 addresses only gets no IPv6 policy rules (NftablesRenderer.needsV6): every
     * pair, unmarked and marked, still follows the engine, and the table holds no {@code ip6} rule outside the
     * base chains.
     */
    @Test
    void anIpv4OnlyNodeFollowsTheEngine() throws Exception {
        String reason = NetNs.unavailableReason();
        Assumptions.assumeTrue(reason == null, reason);
        ClusterSnapshot shop = SampleClusters.shop(false);
        List<Pod> pods = shop.pods().stream().filter(p -> "n1".equals(p.nodeName())).toList();
        PolicyEngine engine = new PolicyEngine(shop);
        try (RoutedNode node = new RoutedNode("dp4", "10.77.255.1"); Probes.Servers servers = new Probes.Servers()) {
            addPodsWithServers(node, servers, pods);
            RuleSetApplier applier = new RuleSetApplier(new Nftables());
            ResolvedRuleSet rs = RuleSetCompiler.compile(shop).forNode("n1");
            NetNs.call(node.nodeNamespace(), () -> applier.apply(rs));
            String listing = NetNs.call(node.nodeNamespace(), () -> new Nftables().run("list table inet netfence"));
            assertThat(listing).doesNotContain("_v6 {\n\t\ttype ipv6_addr\n\t\tflags interval");
            // the base chains keep their IPv6 half (the dispatch to ingress_pod_v6/egress_pod_v6, which look the pod up
            // in the empty _v6 maps), so that a node's first IPv6 pod leaves them as they are: no other chain has an ip6 rule
            assertThat(NftablesRenderer.render(rs).chains().stream().filter(c -> c.hook() == null && !c.name().endsWith("_pod_v6"))
                    .flatMap(c -> c.rules().stream())).noneMatch(r -> r.contains("ip6 "));
            Map<String, Boolean> expected = new LinkedHashMap<>();
            Map<String, Boolean> observed = probeEveryPair(node, pods, engine, expected);
            assertThat(observed).isEqualTo(expected);
            assertThat(expected).containsValue(true).containsValue(false);
            markEveryPacket(node);
            assertThat(probeEveryPair(node, pods, engine, new LinkedHashMap<>())).as("marked packets").isEqualTo(expected);
        }
    }

    /**
     * The shop plus a NetworkPolicy selecting every pod of the namespace (ingress from api on TCP 9090): it is used by
     * three profiles and keeps its chain, which each of them jumps to, while web's and db's own policies, used by one
     * profile each, stand in their profile chains (the renderer's inlining). Every pair, unmarked and marked, follows the
     * engine.
     */
    @Test
    void aPolicySharedByProfilesAndPoliciesOfOneProfileFollowTheEngine() throws Exception {
        String reason = NetNs.unavailableReason();
        Assumptions.assumeTrue(reason == null, reason);
        ClusterSnapshot shop = SampleClusters.shop().toBuilder()
                .policy(new dev.netfence.policy.model.NetworkPolicy("shop", "monitoring", LabelSelector.ALL, List.of("Ingress"),
                        List.of(new dev.netfence.policy.model.PolicyRule(List.of(dev.netfence.policy.model.Peer.pods(
                                LabelSelector.of("app", "api"))), List.of(dev.netfence.policy.model.PolicyPort.of(Protocol.TCP, 9090)))),
                        null, Map.of()))
                .build();
        List<Pod> pods = shop.pods().stream().filter(p -> "n1".equals(p.nodeName())).toList();
        PolicyEngine engine = new PolicyEngine(shop);
        try (RoutedNode node = new RoutedNode("dps", "10.77.255.1"); Probes.Servers servers = new Probes.Servers()) {
            addPodsWithServers(node, servers, pods);
            RuleSetApplier applier = new RuleSetApplier(new Nftables());
            ResolvedRuleSet rs = RuleSetCompiler.compile(shop).forNode("n1");
            RenderedTable table = NftablesRenderer.render(rs);
            // the one policy chain left is monitoring's (a policy chain's comment is its policy's id)
            assertThat(table.chains()).filteredOn(c -> c.name().startsWith("pol_")).extracting(c -> c.comment())
                    .containsExactly("NetworkPolicy/shop/monitoring/Ingress");
            String shared = table.chains().stream().filter(c -> c.name().startsWith("pol_")).findFirst().orElseThrow().name();
            assertThat(table.chains()).filteredOn(c -> c.name().startsWith("in_")).hasSize(3)
                    .allMatch(c -> c.rules().contains("jump " + shared));
            assertThat(table.chains()).filteredOn(c -> c.name().startsWith("in_"))
                    .anyMatch(c -> c.rules().stream().anyMatch(r -> r.endsWith("comment \"NetworkPolicy shop/db-ingress spec.ingress[0]\"")));
            NetNs.call(node.nodeNamespace(), () -> applier.apply(rs));
            Map<String, Boolean> expected = new LinkedHashMap<>();
            assertThat(probeEveryPair(node, pods, engine, expected)).isEqualTo(expected);
            assertThat(expected).containsValue(true).containsValue(false)
                    .containsEntry("api -> db 10.77.0.3 TCP/9090", true).containsEntry("web -> db 10.77.0.3 TCP/9090", false);
            markEveryPacket(node);
            assertThat(probeEveryPair(node, pods, engine, new LinkedHashMap<>())).as("marked packets").isEqualTo(expected);
        }
    }

    /**
     * The shop with ClusterNetworkPolicies of both tiers, compiled and rendered as the enforcer does (loaded over
     * netlink): every pod pair probed must follow the engine, and the tier rules' counters count what they decided.
     */
    @Test
    void packetsThroughTheNodeFollowTheEngineWithClusterNetworkPolicyTiers() throws Exception {
        String reason = NetNs.unavailableReason();
        Assumptions.assumeTrue(reason == null, reason);
        ClusterSnapshot shop = tieredShop();
        List<Pod> pods = shop.pods().stream().filter(p -> "n1".equals(p.nodeName())).toList();
        PolicyEngine engine = new PolicyEngine(shop);
        try (RoutedNode node = new RoutedNode("dpt", "10.77.255.1"); Probes.Servers servers = new Probes.Servers()) {
            addPodsWithServers(node, servers, pods);
            RuleSetApplier applier = new RuleSetApplier(new Nftables());
            ResolvedRuleSet rs = RuleSetCompiler.compile(shop).forNode("n1");
            assertThat(rs.ruleSet().pods()).anyMatch(p -> !p.clusterIngress().isEmpty() && !p.clusterEgress().isEmpty());
            ApplyResult applied = NetNs.call(node.nodeNamespace(), () -> applier.apply(rs));
            assertThat(applied.kind()).isEqualTo(ApplyResult.Kind.FULL);
            String listing = NetNs.call(node.nodeNamespace(), () -> new Nftables().run("list table inet netfence"));
            assertThat(listing).contains("chain adm_").contains("chain base_").contains(" return comment \"Admin ClusterNetworkPolicy web-pass spec.egress[0] (to-web) Pass\"");

            Map<String, Boolean> expected = new LinkedHashMap<>();
            Map<String, Boolean> observed = probeEveryPair(node, pods, engine, expected);
            assertThat(observed).isEqualTo(expected);
            assertThat(expected).containsValue(true).containsValue(false);

            Map<String, RuleCounters.Count> counters = NetNs.call(node.nodeNamespace(), RuleCounters::read);
            String json = NetNs.call(node.nodeNamespace(), () -> new Nftables().jsonTerse("list table inet netfence"));
            assertThat(counters).isEqualTo(countersOfJsonListing(json));
            // each tier rule's nft rules (per family and port form) sum into one counter named after the CNP rule
            assertThat(counters.get("Admin ClusterNetworkPolicy db-guard spec.ingress[0] (no-9090) Deny").packets()).isPositive();
            assertThat(counters.get("Admin ClusterNetworkPolicy web-pass spec.egress[0] (to-web) Pass").packets()).isPositive();
            assertThat(counters.get("Baseline ClusterNetworkPolicy default spec.ingress[1] (deny-all) Deny").packets()).isPositive();
            assertThat(counters.get("Admin ClusterNetworkPolicy web-pass spec.egress[1] (db-net) Accept").packets()).isPositive();
            // no probe reaches api-pg: only api is judged by Baseline for ingress (web and db are isolated by NetworkPolicies)
            assertThat(counters.get("Baseline ClusterNetworkPolicy default spec.ingress[0] (api-pg) Accept").packets()).isZero();
        }
    }

    /**
     * The shop plus: Admin {@code db-guard} (db's ingress: Deny TCP 9090 from every pod), Admin {@code web-pass}
     * (every pod's egress: Pass to web on TCP 8080, Accept to the network 10.77.0.3/32, which is db's pod address),
     * Baseline {@code default} (every pod's ingress: Accept from api on the named port pg, then Deny all).
     */
    static ClusterSnapshot tieredShop() {
        return SampleClusters.shop().toBuilder()
                .clusterPolicy(new ClusterNetworkPolicy("db-guard", Tier.ADMIN, 10,
                        ClusterSubject.pods(LabelSelector.ALL, LabelSelector.of("app", "db")),
                        List.of(new ClusterRule("no-9090", RuleAction.DENY, List.of(new ClusterPeer.Namespaces(LabelSelector.ALL)),
                                List.of(ClusterPort.port(Protocol.TCP, 9090)))), List.of()))
                .clusterPolicy(new ClusterNetworkPolicy("web-pass", Tier.ADMIN, 20, ClusterSubject.namespaces(LabelSelector.ALL),
                        List.of(), List.of(
                        new ClusterRule("to-web", RuleAction.PASS, List.of(new ClusterPeer.Pods(LabelSelector.ALL,
                                LabelSelector.of("app", "web"))), List.of(ClusterPort.port(Protocol.TCP, 8080))),
                        new ClusterRule("db-net", RuleAction.ACCEPT, List.of(new ClusterPeer.Networks(List.of("10.77.0.3/32"))),
                                List.of()))))
                .clusterPolicy(new ClusterNetworkPolicy("default", Tier.BASELINE, 5, ClusterSubject.namespaces(LabelSelector.ALL),
                        List.of(new ClusterRule("api-pg", RuleAction.ACCEPT, List.of(new ClusterPeer.Pods(LabelSelector.ALL,
                                        LabelSelector.of("app", "api"))), List.of(ClusterPort.named("pg"))),
                                new ClusterRule("deny-all", RuleAction.DENY, List.of(new ClusterPeer.Namespaces(LabelSelector.ALL)),
                                        List.of())), List.of()))
                .build();
    }

    /** Every pod pair, TCP and UDP, v4 and v6 where both have it: what got through, and the engine's answer into {@code expected}. */
    /** Every pod of {@code pods} in the node, with a server on each of {@link #PORTS}. */
    private static void addPodsWithServers(RoutedNode node, Probes.Servers servers, List<Pod> pods) throws Exception {
        for (Pod p : pods) {
            String ns = node.addPod(p.name(), p.ips().stream().map(Object::toString).toArray(String[]::new));
            for (int[] port : PORTS) {
                Probes.serve(servers, ns, port[0]);
            }
        }
    }

    /** Marks every packet 0x4000 in prerouting, before Netfence's chains, as kube-proxy marks traffic it will masquerade. */
    private static void markEveryPacket(RoutedNode node) {
        NetNs.call(node.nodeNamespace(), () -> new Nftables().run("table inet nf-marks {\n"
                + "\tchain before {\n\t\ttype filter hook prerouting priority mangle; policy accept;\n"
                + "\t\tmeta mark set 0x00004000\n\t}\n}\n"));
    }

    private static Map<String, Boolean> probeEveryPair(RoutedNode node, List<Pod> pods, PolicyEngine engine,
                                                       Map<String, Boolean> expected) {
        Map<String, Boolean> observed = new LinkedHashMap<>();
        for (Pod src : pods) {
            for (Pod dst : pods) {
                if (src == dst) {
                    continue;
                }
                for (boolean v6 : new boolean[]{false, true}) {
                    Endpoint s = Endpoint.of(src, v6);
                    Endpoint d = Endpoint.of(dst, v6);
                    if (s.ip().v6() != v6 || d.ip().v6() != v6) {
                        continue;
                    }
                    for (int[] port : PORTS) {
                        Protocol proto = port[1] == 0 ? Protocol.TCP : Protocol.UDP;
                        String cell = src.name() + " -> " + dst.name() + " " + d.ip() + " " + proto + "/" + port[0];
                        expected.put(cell, engine.allowed(new Flow(s, d, proto, port[0])));
                        observed.put(cell, proto == Protocol.TCP
                                ? Probes.tcp(node.pod(src.name()), d.ip().toString(), port[0])
                                : Probes.udp(node.pod(src.name()), d.ip().toString(), port[0]));
                    }
                }
            }
        }
        return observed;
    }

    /** The reference: counters summed by comment from {@code nft -j -t list table} (what the enforcer read before the dump). */
    static Map<String, RuleCounters.Count> countersOfJsonListing(String json) throws Exception {
        Map<String, RuleCounters.Count> out = new TreeMap<>();
        for (JsonNode item : new ObjectMapper().readTree(json).path("nftables")) {
            JsonNode rule = item.get("rule");
            if (rule == null || !rule.hasNonNull("comment")) {
                continue;
            }
            for (JsonNode expr : rule.path("expr")) {
                JsonNode counter = expr.get("counter");
                if (counter != null) {
                    out.merge(rule.get("comment").asText(), new RuleCounters.Count(counter.path("packets").asLong(),
                            counter.path("bytes").asLong()), (a, b) -> new RuleCounters.Count(a.packets() + b.packets(),
                            a.bytes() + b.bytes()));
                }
            }
        }
        return out;
    }
}
