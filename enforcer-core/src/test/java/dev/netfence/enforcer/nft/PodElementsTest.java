package dev.netfence.enforcer.nft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.enforcer.bench.SyntheticRuleSets;
import dev.netfence.enforcer.cni.KnownAddresses;
import dev.netfence.enforcer.cni.PodAnnouncement;
import dev.netfence.enforcer.cni.WaitingPods;
import dev.netfence.enforcer.loop.NewPodSettings;
import dev.netfence.policy.net.Cidr;
import dev.netfence.policy.compile.LocalPod;
import dev.netfence.policy.compile.NodeRuleSet;
import dev.netfence.policy.compile.ResolvedRuleSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** {@link PodElements} against the renderer: the updated table has exactly the elements a fresh render of the new rule set has. */
class PodElementsTest {

    @Test
    void randomPodChangesGiveTheRenderersElements() {
        Random random = new Random(13);
        ResolvedRuleSet rs = SyntheticRuleSets.build(60, 3, 2, 6, 4);
        RenderedTable table = NftablesRenderer.render(rs);
        // kept across changes as the loop keeps it: built for a rendered table, valid for the tables derived from it
        PodElements.Index index = PodElements.index(table);
        int incremental = 0;
        for (int step = 0; step < 400; step++) {
            ResolvedRuleSet next = change(rs, random, step);
            List<LocalPod> removed = without(rs.ruleSet().pods(), next.ruleSet().pods());
            List<LocalPod> added = without(next.ruleSet().pods(), rs.ruleSet().pods());
            if (random.nextInt(10) == 0) {
                // a table the caller then drops (its apply failed): the next update starts again from `table`,
                // whose element positions and profile counts the index no longer describes
                PodElements.update(index, table, rs.ruleSet(), next.ruleSet(), removed, added);
            }
            var updated = PodElements.update(index, table, rs.ruleSet(), next.ruleSet(), removed, added);
            RenderedTable fresh = NftablesRenderer.render(next);
            if (updated.isPresent()) {
                incremental++;
                assertSameContent(updated.get(), fresh, step);
                assertThat(fresh.elementChanges(updated.get())).as("step %d: nothing left to apply", step)
                        .hasValue(List.of());
                // what the applier sends for it: the changes a comparison of the whole sets gives
                assertThat(updated.get().elementChanges(table)).as("step %d: the delta", step)
                        .hasValue(referenceChanges(updated.get(), table));
                table = updated.get();
            } else {
                // only a change of the table's shape goes the long way
                assertThat(fresh.elementChanges(table)).as("step %d: a shape change", step).isEmpty();
                table = fresh;
                index = PodElements.index(table);
            }
            rs = next;
        }
        assertThat(incremental).isGreaterThan(200);
    }

    /**
     * The same with the fail-closed rule and pod CIDRs, as the loop applies it: the pod maps edited by
     * {@link PodElements}, the {@code known_*} sets by {@code KnownAddresses} kept across the changes, against a fresh
     * render with the fail-closed rule of a fresh index (same elements, chains and declarations; the delta the applier
     * sends equal to a comparison of whole sets). Announced pods wait (unknown or re-used addresses) or are exempt.
     */
    @Test
    void randomPodChangesWithPodCidrsGiveAFreshFailClosedTable() {
        Random random = new Random(17);
        NewPodSettings settings = NewPodSettings.DEFAULTS.withPodCidrs(List.of(Cidr.parse("10.0.0.0/8")));
        List<String> cidrs = List.of("10.0.0.0/8");
        ResolvedRuleSet rs = SyntheticRuleSets.build(60, 3, 2, 6, 4);
        RenderedTable base = NftablesRenderer.render(rs);
        PodElements.Index index = PodElements.index(base);
        KnownAddresses known = KnownAddresses.of(rs.ruleSet());
        List<PodAnnouncement> announced = new ArrayList<>();
        RenderedTable applied = null;
        int incremental = 0;
        for (int step = 0; step < 400; step++) {
            ResolvedRuleSet next = change(rs, random, step);
            List<LocalPod> removed = without(rs.ruleSet().pods(), next.ruleSet().pods());
            List<LocalPod> added = without(next.ruleSet().pods(), rs.ruleSet().pods());
            if (random.nextInt(3) == 0) {
                announce(announced, next, random, step);
            }
            var updated = PodElements.update(index, base, rs.ruleSet(), next.ruleSet(), removed, added);
            if (updated.isPresent()) {
                base = updated.get();
                known.withPods(next.ruleSet(), removed, added);
            } else {
                base = NftablesRenderer.render(next);
                index = PodElements.index(base);
                known = KnownAddresses.of(next.ruleSet());
            }
            WaitingPods waiting = WaitingPods.of(known, announced, settings);
            KnownAddresses.Sets sets = known.sets(waiting);
            RenderedTable table = FailClosedRules.add(base, waiting.addresses(), cidrs, sets.v4(), sets.v6());
            WaitingPods freshWaiting = WaitingPods.of(next.ruleSet(), announced, settings);
            assertThat(waiting).as("step %d waiting", step).isEqualTo(freshWaiting);
            RenderedTable fresh = FailClosedRules.add(NftablesRenderer.render(next), freshWaiting.addresses(), cidrs,
                    WaitingPods.known(next.ruleSet(), freshWaiting));
            assertSameContent(table, fresh, step);
            assertThat(fresh.elementChanges(table)).as("step %d: nothing left to apply", step).hasValue(List.of());
            if (updated.isPresent() && applied != null) {
                incremental++;
                assertThat(table.elementChanges(applied)).as("step %d: the delta", step)
                        .hasValue(referenceChanges(table, applied));
            }
            // fail closed: a waiting address is never known, an unknown address in the CIDR never either
            List<String> knownV4 = table.sets().stream().filter(x -> x.name().equals("known_v4")).findFirst().orElseThrow()
                    .elements();
            java.util.Set<String> podAddresses = new java.util.HashSet<>();
            next.ruleSet().pods().forEach(p -> podAddresses.addAll(p.ips()));
            podAddresses.addAll(waiting.exempt());
            for (String ip : knownV4) {
                assertThat(waiting.addresses()).as("step %d", step).doesNotContain(ip);
                assertThat(podAddresses).as("step %d", step).contains(ip);
            }
            applied = table;
            rs = next;
        }
        assertThat(incremental).isGreaterThan(200);
    }

    /** The runtime announcing a pod (the rule set's own, one at a re-used or new address, an exempt one) or forgetting one. */
    private static void announce(List<PodAnnouncement> announced, ResolvedRuleSet rs, Random random, int step) {
        List<LocalPod> pods = rs.ruleSet().pods();
        LocalPod some = pods.get(random.nextInt(pods.size()));
        switch (random.nextInt(5)) {
            case 0 -> {
                if (!announced.isEmpty()) {
                    announced.remove(random.nextInt(announced.size()));
                }
            }
            case 1 -> announced.add(new PodAnnouncement("c" + step, some.namespace(), some.name(), "eth0", some.ips()));
            case 2 -> announced.add(new PodAnnouncement("c" + step, "bench", "other-" + step, "eth0", some.ips()));
            case 3 -> announced.add(new PodAnnouncement("c" + step, "bench", "soon-" + step, "eth0",
                    List.of("10.252." + (step / 250) + "." + (1 + step % 250))));
            default -> announced.add(new PodAnnouncement("c" + step, "kube-system", "dns-" + step, "eth0",
                    List.of(random.nextBoolean() ? some.ips().get(0) : "10.253.0." + (1 + step % 250))));
        }
    }

    @Test
    void aPodWithANewProfileOrTheFirstIpv6AddressNeedsARender() {
        ResolvedRuleSet rs = SyntheticRuleSets.build(20, 5, 2, 4, 4);
        RenderedTable table = NftablesRenderer.render(rs);
        LocalPod like = rs.ruleSet().pods().get(0);
        LocalPod newProfile = new LocalPod("bench", "x", List.of("10.250.0.1"), List.of(), like.ingressPolicies());
        LocalPod dual = new LocalPod("bench", "y", List.of("10.250.0.2", "fd00::2"), like.ingressPolicies(), List.of());
        LocalPod plain = new LocalPod("bench", "z", List.of("10.250.0.3"), like.ingressPolicies(), List.of());
        assertThat(PodElements.update(table, rs.ruleSet(), with(rs, newProfile).ruleSet(), List.of(), List.of(newProfile))).isEmpty();
        assertThat(PodElements.update(table, rs.ruleSet(), with(rs, dual).ruleSet(), List.of(), List.of(dual))).isEmpty();
        RenderedTable joined = PodElements.update(table, rs.ruleSet(), with(rs, plain).ruleSet(), List.of(), List.of(plain)).orElseThrow();
        // only the pod map and the marked path's (address . id) set changed (there are no per-profile sets);
        // chains are the same objects
        assertThat(joined.chains()).isSameAs(table.chains());
        List<NetlinkSetElements.SetChange> changes = joined.elementChanges(table).orElseThrow();
        assertThat(changes).extracting(c -> c.set().name()).containsExactlyInAnyOrder("ingress_pods_v4", "ingress_pod_ids_v4");
        // the last pod of a profile leaving: its chains and verdict go, which only a render does
        ResolvedRuleSet withNew = with(rs, newProfile);
        assertThat(PodElements.update(NftablesRenderer.render(withNew), withNew.ruleSet(), rs.ruleSet(), List.of(newProfile),
                List.of())).isEmpty();
    }

    private static ResolvedRuleSet with(ResolvedRuleSet rs, LocalPod pod) {
        List<LocalPod> pods = new ArrayList<>(rs.ruleSet().pods());
        pods.add(pod);
        return withPods(rs, pods);
    }

    private static ResolvedRuleSet withPods(ResolvedRuleSet rs, List<LocalPod> pods) {
        NodeRuleSet n = rs.ruleSet();
        return new ResolvedRuleSet(new NodeRuleSet(n.node(), n.nodeAddresses(), pods, n.policies(), n.addressSets()),
                rs.addressSets());
    }

    /** One random change: a pod leaves, joins another pod's profile (maybe with an address reused), or moves. */
    private static ResolvedRuleSet change(ResolvedRuleSet rs, Random random, int step) {
        List<LocalPod> pods = new ArrayList<>(rs.ruleSet().pods());
        LocalPod some = pods.get(random.nextInt(pods.size()));
        switch (random.nextInt(4)) {
            case 0 -> pods.remove(random.nextInt(pods.size()));
            case 1 -> pods.add(random.nextInt(pods.size() + 1), new LocalPod("bench", "new-" + step,
                    List.of("10.251." + (step / 250) + "." + (1 + step % 250)), some.ingressPolicies(), some.egressPolicies()));
            case 2 -> {
                int i = random.nextInt(pods.size());
                LocalPod p = pods.get(i);
                pods.set(i, new LocalPod(p.namespace(), p.name(), p.ips(), some.ingressPolicies(), p.egressPolicies()));
            }
            default -> {
                // another pod at a leaving pod's address
                int i = random.nextInt(pods.size());
                LocalPod p = pods.get(i);
                pods.set(i, new LocalPod("bench", "again-" + step, p.ips(), some.ingressPolicies(), some.egressPolicies()));
            }
        }
        return withPods(rs, pods);
    }

    /**
     * {@link RenderedTable#elementChanges} on random element lists (elements left out, appended, moved, reordered,
     * replaced) against a comparison of the whole lists as sets.
     */
    @Test
    void elementChangesEqualACompleteComparison() {
        Random random = new Random(7);
        for (int round = 0; round < 2000; round++) {
            List<String> before = new ArrayList<>();
            int n = random.nextInt(200);
            for (int i = 0; i < n; i++) {
                before.add("10.1." + (i / 250) + "." + (i % 250) + " : 0x0000000" + (1 + random.nextInt(3)));
            }
            List<String> after = new ArrayList<>(before);
            int edits = random.nextInt(6);
            for (int k = 0; k < edits && !after.isEmpty(); k++) {
                int at = random.nextInt(after.size());
                switch (random.nextInt(5)) {
                    case 0 -> after.remove(at);
                    case 1 -> after.add("10.9.0." + k + " : 0x00000001");
                    case 2 -> after.add(after.remove(at)); // moved to the end: no change
                    case 3 -> after.add(at, "10.8.0." + k + " : 0x00000002"); // inserted, not appended
                    default -> java.util.Collections.swap(after, at, random.nextInt(after.size()));
                }
            }
            if (random.nextInt(10) == 0) {
                java.util.Collections.shuffle(after, random);
            }
            RenderedTable a = new RenderedTable(List.of(new NftSet("m", "ipv4_addr : mark", false, before),
                    new NftSet("s", "ipv4_addr", false, before.stream().map(e -> e.substring(0, e.indexOf(' '))).toList())),
                    List.of());
            RenderedTable b = new RenderedTable(List.of(new NftSet("m", "ipv4_addr : mark", false, after),
                    new NftSet("s", "ipv4_addr", false, after.stream().map(e -> e.substring(0, e.indexOf(' '))).toList())),
                    List.of());
            assertThat(b.elementChanges(a)).as("round %d", round).hasValue(referenceChanges(b, a));
            assertThat(a.elementChanges(b)).as("round %d back", round).hasValue(referenceChanges(a, b));
        }
    }

    /** The element changes from {@code previous} to {@code next} by comparing every set's elements as sets. */
    private static List<NetlinkSetElements.SetChange> referenceChanges(RenderedTable next, RenderedTable previous) {
        List<NetlinkSetElements.SetChange> out = new ArrayList<>();
        for (int i = 0; i < next.sets().size(); i++) {
            NftSet s = next.sets().get(i);
            java.util.Set<String> had = new java.util.HashSet<>(previous.sets().get(i).elements());
            java.util.Set<String> now = new java.util.HashSet<>(s.elements());
            List<String> removed = previous.sets().get(i).elements().stream().filter(e -> !now.contains(e))
                    .map(e -> s.isMap() && e.contains(" : ") ? e.substring(0, e.indexOf(" : ")) : e).toList();
            List<String> added = s.elements().stream().filter(e -> !had.contains(e)).toList();
            if (!removed.isEmpty() || !added.isEmpty()) {
                out.add(new NetlinkSetElements.SetChange(s.declaration(), removed, added));
            }
        }
        return out;
    }

    private static void assertSameContent(RenderedTable actual, RenderedTable expected, int step) {
        assertThat(actual.chains()).as("step %d chains", step).isEqualTo(expected.chains());
        assertThat(actual.objects()).isEqualTo(expected.objects());
        assertThat(actual.sets().stream().map(NftSet::declaration).toList()).as("step %d declarations", step)
                .isEqualTo(expected.sets().stream().map(NftSet::declaration).toList());
        for (int i = 0; i < expected.sets().size(); i++) {
            assertThat(new TreeSet<>(actual.sets().get(i).elements())).as("step %d set %s", step, expected.sets().get(i).name())
                    .isEqualTo(new TreeSet<>(expected.sets().get(i).elements()));
            assertThat(actual.sets().get(i).elements()).doesNotHaveDuplicates();
        }
    }

    /** The pods of {@code pods} that {@code other} does not have (the change's removed or added pods). */
    private static List<LocalPod> without(List<LocalPod> pods, List<LocalPod> other) {
        List<LocalPod> out = new ArrayList<>(pods);
        out.removeAll(other);
        return out;
    }
}
