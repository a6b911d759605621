package dev.netfence.enforcer.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfence.enforcer.nft.ApplyResult;
import dev.netfence.enforcer.nft.FailClosedRules;
import dev.netfence.enforcer.nft.NetlinkSetElements;
import dev.netfence.enforcer.nft.NetlinkTableLoad;
import dev.netfence.enforcer.nft.Nftables;
import dev.netfence.enforcer.nft.NftablesException;
import dev.netfence.enforcer.nft.NftablesRenderer;
import dev.netfence.enforcer.nft.RenderedTable;
import dev.netfence.enforcer.nft.RevocationRules;
import dev.netfence.enforcer.nft.RuleSetApplier;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Element deltas far above what one pod change sends, into a table with the marked path (isolated pods, so
 * {@link RenderedTable#netlinkOnly}: no libnftables fallback for a full load): 3,000 pods joining existing
 * profiles, 500 leaving, 100 moving between profiles, an AddressSet of 2,000 intervals replaced by one of 5,000,
 * and the fail-closed rule's known addresses following the pods. The applier must send it as a delta, and the
 * kernel must then list exactly what a full load of the new table lists; a refused delta must leave the table in
 * force. Namespaces {@code nf-bigdelta-<pid>-...}, removed also on failure.
 */
class BigElementDeltaIT {
    private static final String PREFIX = "nf-bigdelta-" + ProcessHandle.current().pid() + "-";
    private static final String APPLIED = PREFIX + "applied";
    private static final String LOADED = PREFIX + "loaded";
    private static final List<String> POD_CIDRS = List.of("10.80.0.0/16", "fd80::/64");

    private static final String ALLOW = PolicyRules.idOf("NetworkPolicy", "big", "allow", Direction.INGRESS);
    private static final String DENY = PolicyRules.idOf("NetworkPolicy", "big", "deny", Direction.INGRESS);
    private static final String OTHER = PolicyRules.idOf("NetworkPolicy", "big", "other", Direction.INGRESS);
    private static final String EGRESS = PolicyRules.idOf("NetworkPolicy", "big", "egress", Direction.EGRESS);
    /** A pod of the lab joining the allow profile in the big delta, and one joining the deny profile. */
    private static final String ALLOWED_POD = "10.80.255.2";
    private static final String DENIED_POD = "10.80.255.3";
    private static final String CLIENT = "10.90.0.1";

    @BeforeEach
    void createNamespaces() {
        String reason = NetNs.unavailableReason();
        Assumptions.assumeTrue(reason == null, reason);
        NetNs.deleteAll(PREFIX);
        NetNs.add(APPLIED);
        NetNs.add(LOADED);
    }

    @AfterEach
    void removeNamespaces() {
        if (NetNs.root()) {
            NetNs.deleteAll(PREFIX);
        }
    }

    static String v4(int i) {
        return "10.80." + (i / 250) + "." + (1 + i % 250);
    }

    static String v6(int i) {
        return "fd80::" + Integer.toHexString(i + 1);
    }

    /** Pod {@code i}'s ingress profile: allow, deny or allow + other, by {@code profile % 3}; egress on every other. */
    static LocalPod pod(int i, int profile) {
        List<String> ingress = switch (profile % 3) {
            case 0 -> List.of(ALLOW);
            case 1 -> List.of(DENY);
            default -> List.of(ALLOW, OTHER);
        };
        return new LocalPod("big", "pod-" + i, List.of(v4(i), v6(i)), ingress, i % 2 == 0 ? List.of(EGRESS) : List.of());
    }

    /**
     * The rule set: pods {@code from} to {@code to - 1} (the first {@code moved} of them in the next profile), the
     * lab's pods when {@code lab}, and the peers AddressSet of {@code intervals} intervals in block {@code block}.
     */
    static ResolvedRuleSet ruleSet(int from, int to, int moved, boolean lab, int block, int intervals) {
        List<String> entries = new ArrayList<>();
        entries.add(CLIENT);
        for (int i = 0; i < intervals; i++) {
            // gaps between the intervals, so none merges with its neighbour
            int third = i / 30;
            int fourth = i % 30 * 8;
            entries.add(block == 0 ? "10.100." + third + "." + fourth + "/30"
                    : "10.101." + third + "." + fourth + "-10.101." + third + "." + (fourth + 2));
        }
        entries.add(block == 0 ? "fd90::/64" : "fd91::1-fd91::5");
        AddressSet peers = AddressSet.of("big peers", entries);
        List<PolicyRules> policies = List.of(
                new PolicyRules(ALLOW, "NetworkPolicy", "big", "allow", Direction.INGRESS, List.of(new CompiledRule(
                        "spec.ingress[0]", false, List.of(peers.name()), false, List.of(new PortRange(Protocol.TCP, 8080, 8080)),
                        List.of()))),
                new PolicyRules(DENY, "NetworkPolicy", "big", "deny", Direction.INGRESS, List.of()),
                new PolicyRules(OTHER, "NetworkPolicy", "big", "other", Direction.INGRESS, List.of(new CompiledRule(
                        "spec.ingress[0]", false, List.of(peers.name()), false, List.of(new PortRange(Protocol.TCP, 9000, 9000)),
                        List.of()))),
                new PolicyRules(EGRESS, "NetworkPolicy", "big", "egress", Direction.EGRESS, List.of(new CompiledRule(
                        "spec.egress[0]", true, List.of(), true, List.of(), List.of()))));
        List<LocalPod> pods = new ArrayList<>();
        for (int i = from; i < to; i++) {
            pods.add(pod(i, i - from < moved ? i + 1 : i));
        }
        if (lab) {
            pods.add(new LocalPod("big", "allowed", List.of(ALLOWED_POD), List.of(ALLOW), List.of(EGRESS)));
            pods.add(new LocalPod("big", "denied", List.of(DENIED_POD), List.of(DENY), List.of()));
        }
        return new ResolvedRuleSet(new NodeRuleSet("n1", List.of("192.168.255.1"), pods, policies, List.of(peers.name())),
                List.of(peers));
    }

    /** As the loop builds it: rendered, the fail-closed rules with the pod CIDRs and every pod's address known, revocation's rule. */
    static RenderedTable table(ResolvedRuleSet rs) {
        List<String> known = rs.ruleSet().pods().stream().flatMap(p -> p.ips().stream()).toList();
        return RevocationRules.add(FailClosedRules.add(NftablesRenderer.render(rs), List.of(), POD_CIDRS, known));
    }

    static RenderedTable before() {
        return table(ruleSet(0, 1_000, 0, false, 0, 2_000));
    }

    /** 500 pods left, 3,000 joined, 100 moved, the lab's two pods joined, the AddressSet replaced. */
    static RenderedTable after() {
        return table(ruleSet(500, 4_000, 100, true, 1, 5_000));
    }

    static int changeCount(RenderedTable next, RenderedTable previous) {
        return next.elementChanges(previous).orElseThrow().stream().mapToInt(c -> c.added().size() + c.removed().size()).sum();
    }

    static String listing(String ns) {
        return NetNs.call(ns, () -> new Nftables().run("list table inet netfence"));
    }

    /** What the kernel lists for {@code table} loaded whole (NetlinkTableLoadIT: as nft lists the rendered text). */
    static String loadedWhole(RenderedTable table) {
        NetNs.call(LOADED, () -> {
            NetlinkTableLoad.load(NetlinkTableLoad.encode(table));
            return null;
        });
        return listing(LOADED);
    }

    @Test
    void theDeltaIsThatBigAndTouchesEverySetKind() {
        RenderedTable before = before();
        RenderedTable after = after();
        assertThat(before.netlinkOnly()).isTrue();
        List<NetlinkSetElements.SetChange> changes = after.elementChanges(before).orElseThrow();
        assertThat(changeCount(after, before)).isGreaterThan(20_000);
        assertThat(changes).extracting(c -> c.set().name()).contains("ingress_pods_v4", "ingress_pods_v6",
                "egress_pods_v4", "egress_pods_v6", "ingress_pod_ids_v4", "ingress_pod_ids_v6", "egress_pod_ids_v4",
                "egress_pod_ids_v6", "known_v4", "known_v6").anyMatch(n -> n.startsWith("as_") && n.endsWith("_v4"));
        assertThat(changes).filteredOn(c -> c.set().name().startsWith("as_") && c.set().name().endsWith("_v4"))
                .singleElement().satisfies(c -> {
                    assertThat(c.set().interval()).isTrue();
                    assertThat(c.removed()).hasSize(2_000);
                    assertThat(c.added()).hasSize(5_000);
                });
    }

    @Test
    void aBigDeltaIsSentAsOneDeltaAndTheKernelListsWhatAFullLoadLists() {
        RenderedTable before = before();
        RenderedTable after = after();
        String expected = loadedWhole(after);
        withApplier(applier -> {
            assertThat(applier.apply(before).kind()).isEqualTo(ApplyResult.Kind.FULL);
            ApplyResult delta = applier.apply(after);
            assertThat(delta.kind()).isEqualTo(ApplyResult.Kind.DELTA);
            assertThat(delta.elements()).isEqualTo(after.elementCount());
            assertThat(listing(APPLIED)).isEqualTo(expected);
            // the marked path's rules are in force, and the joined pods' (address . profile id) are in its sets
            String id = NetNs.call(APPLIED, () -> new Nftables().run("get element inet netfence ingress_pods_v4 { "
                    + ALLOWED_POD + " }")).replaceAll("(?s).*" + ALLOWED_POD.replace(".", "\\.") + " : (0x[0-9a-f]+).*", "$1");
            assertThat(id).matches("0x[0-9a-f]{8}");
            assertThat(NetNs.call(APPLIED, () -> new Nftables().run("get element inet netfence ingress_pod_ids_v4 { "
                    + v4(3_999) + " . " + profileId(after, v4(3_999)) + " }"))).contains(v4(3_999));
            assertThat(listing(APPLIED)).contains("[invalid type] @ingress_pod_ids_v4 jump in_");
            // and back: the reverse delta, as big
            assertThat(applier.apply(before).kind()).isEqualTo(ApplyResult.Kind.DELTA);
        });
        assertThat(listing(APPLIED)).isEqualTo(loadedWhole(before));
    }

    /** As an AddressSet watch delivers it (no render): 2,000 intervals replaced by 5,000, one netlink batch of 7,000 changes. */
    @Test
    void aBigAddressSetUpdateFromTheWatchIsOneDelta() {
        RenderedTable before = before();
        ResolvedRuleSet replaced = ruleSet(0, 1_000, 0, false, 1, 5_000);
        String expected = loadedWhole(table(replaced));
        withApplier(applier -> {
            applier.apply(before);
            assertThat(applier.applyAddressSet(replaced.addressSets().get(0)).kind()).isEqualTo(ApplyResult.Kind.DELTA);
        });
        assertThat(listing(APPLIED)).isEqualTo(expected);
    }

    /** What a test does with an applier in the applied namespace. */
    private interface ApplierWork {
        void run(RuleSetApplier applier) throws Exception;
    }

    /** Runs {@code work} with a fresh applier in {@link #APPLIED}, and closes the applier (its socket) after. */
    private static void withApplier(ApplierWork work) {
        NetNs.call(APPLIED, () -> {
            RuleSetApplier applier = new RuleSetApplier(new Nftables());
            try {
                work.run(applier);
                return null;
            } finally {
                applier.close();
            }
        });
    }

    /** The pod's ingress profile id as the rendered pod map has it. */
    static String profileId(RenderedTable table, String address) {
        return table.sets().stream().filter(s -> s.name().equals("ingress_pods_v4")).findFirst().orElseThrow().elements()
                .stream().filter(e -> e.startsWith(address + " : ")).findFirst().orElseThrow().substring(address.length() + 3);
    }

    @Test
    void aBigDeltaTheKernelRefusesLeavesTheTableInForceAndTheApplierAppliesAgain() {
        RenderedTable before = before();
        RenderedTable after = after();
        withApplier(applier -> {
            applier.apply(before);
            String inForce = listing(APPLIED);
            // the delta with one more deletion, of an address known_v4 does not hold: the kernel refuses it (ENOENT)
            List<NetlinkSetElements.SetChange> changes = new ArrayList<>(after.elementChanges(before).orElseThrow());
            var known = before.sets().stream().filter(s -> s.name().equals("known_v4")).findFirst().orElseThrow();
            changes.add(new NetlinkSetElements.SetChange(known.declaration(), List.of("10.80.254.254"), List.of()));
            assertThatThrownBy(() -> NetlinkSetElements.apply(RenderedTable.NAME, changes))
                    .isInstanceOf(NftablesException.class).hasMessageContaining("known_v4").hasMessageContaining("ENOENT");
            assertThat(listing(APPLIED)).isEqualTo(inForce);
            // the applier's own socket and state are untouched: the same delta applies
            assertThat(applier.apply(after).kind()).isEqualTo(ApplyResult.Kind.DELTA);
        });
        assertThat(listing(APPLIED)).isEqualTo(loadedWhole(after));
    }

    @Test
    void aBigDeltaRefusedBecauseTheKernelTableDriftedIsReplacedByAFullLoad() {
        RenderedTable before = before();
        RenderedTable after = after();
        withApplier(applier -> {
            applier.apply(before);
            // someone removed an element the delta deletes (pod 0 leaves): the delta's deletion is refused
            var pods = before.sets().stream().filter(s -> s.name().equals("ingress_pods_v4")).findFirst().orElseThrow();
            NetlinkSetElements.apply(RenderedTable.NAME, List.of(new NetlinkSetElements.SetChange(pods.declaration(),
                    List.of(v4(0)), List.of())));
            assertThat(applier.apply(after).kind()).isEqualTo(ApplyResult.Kind.FULL);
        });
        assertThat(listing(APPLIED)).isEqualTo(loadedWhole(after));
    }

    /**
     * Packets after the big delta: the lab's pods joined the allow and the deny profile in it (before it, both were
     * unknown addresses of the pod CIDR, dropped by the fail-closed rule), probed from a client outside the pod CIDR,
     * unmarked and marked (kube-proxy's 0x4000 in prerouting: the marked path, {@code ingress_pod_ids_v4}).
     */
    @Test
    void afterTheBigDeltaPacketsFollowTheNewProfilesMarkedOrNot() {
        RenderedTable before = before();
        RenderedTable after = after();
        try (RoutedNode node = new RoutedNode("bigdelta-lab", "192.168.255.1");
             Probes.Servers servers = new Probes.Servers()) {
            node.addPod("allowed", ALLOWED_POD);
            node.addPod("denied", DENIED_POD);
            node.addPod("client", CLIENT);
            Probes.serve(servers, node.pod("allowed"), 8080);
            Probes.serve(servers, node.pod("denied"), 8080);
            RuleSetApplier applier = new RuleSetApplier(new Nftables());
            try {
                NetNs.call(node.nodeNamespace(), () -> applier.apply(before));
                assertThat(Probes.tcp(node.pod("client"), ALLOWED_POD, 8080)).as("unknown pod CIDR address before").isFalse();
                assertThat(NetNs.call(node.nodeNamespace(), () -> applier.apply(after)).kind()).isEqualTo(ApplyResult.Kind.DELTA);
                for (boolean marked : new boolean[]{false, true}) {
                    if (marked) {
                        NetNs.call(node.nodeNamespace(), () -> new Nftables().run("table inet nf-marks {\n"
                                + "\tchain before {\n\t\ttype filter hook prerouting priority mangle; policy accept;\n"
                                + "\t\tmeta mark set 0x00004000\n\t}\n}\n"));
                    }
                    assertThat(Probes.tcp(node.pod("client"), ALLOWED_POD, 8080)).as("allowed, marked %s", marked).isTrue();
                    assertThat(Probes.tcp(node.pod("client"), DENIED_POD, 8080)).as("denied, marked %s", marked).isFalse();
                }
                // marked packets reach a profile only through the marked path (meta mark != 0 goto ingress_marked)
                assertThat(NetNs.call(node.nodeNamespace(), () -> new Nftables().run("list chain inet netfence ingress_marked")))
                        .contains("@ingress_pod_ids_v4 jump in_");
            } finally {
                NetNs.call(node.nodeNamespace(), () -> {
                    applier.close();
                    return null;
                });
            }
        }
    }
}
