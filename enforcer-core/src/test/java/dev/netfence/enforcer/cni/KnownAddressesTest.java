package dev.netfence.enforcer.cni;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.enforcer.loop.NewPodSettings;
import dev.netfence.policy.compile.LocalPod;
import dev.netfence.policy.compile.NodeRuleSet;
import dev.netfence.policy.net.Cidr;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@link KnownAddresses} kept across pod changes (as the loop keeps it) against a fresh index of each rule set and
 * against the definition: the known sets hold every pod's and every announced exempt pod's address except the
 * waiting ones, and the waiting pods are the same. Random joins, leaves, moves, addresses shared by two pods, IPv6
 * addresses, and announcements of unknown, re-used and exempt addresses.
 */
class KnownAddressesTest {
    private static final NewPodSettings SETTINGS = NewPodSettings.DEFAULTS.withPodCidrs(
            List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("fd00::/8")));

    @Test
    void keptAcrossPodChangesItEqualsAFreshIndex() {
        Random random = new Random(29);
        List<LocalPod> pods = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            pods.add(pod("p" + i, address(random)));
        }
        NodeRuleSet rs = ruleSet(pods);
        KnownAddresses known = KnownAddresses.of(rs);
        List<PodAnnouncement> announced = new ArrayList<>();
        int edited = 0;
        for (int step = 0; step < 3000; step++) {
            List<LocalPod> next = new ArrayList<>(rs.pods());
            List<LocalPod> removed = new ArrayList<>();
            List<LocalPod> added = new ArrayList<>();
            switch (random.nextInt(5)) {
                case 0 -> {
                    if (!next.isEmpty()) {
                        removed.add(next.remove(random.nextInt(next.size())));
                    }
                }
                case 1 -> {
                    LocalPod p = pod("new-" + step, address(random)); // sometimes another pod's address: shared
                    next.add(random.nextInt(next.size() + 1), p);
                    added.add(p);
                }
                case 2 -> {
                    if (!next.isEmpty()) {
                        // another pod at a pod's address, or the same pod with another address
                        int i = random.nextInt(next.size());
                        LocalPod old = next.get(i);
                        LocalPod p = random.nextBoolean() ? pod("again-" + step, old.ips().get(0)) : pod(old.name(), address(random));
                        next.set(i, p);
                        removed.add(old);
                        added.add(p);
                    }
                }
                default -> {
                    // the runtime announces or forgets a pod: unknown, re-used, a known pod's own, or exempt
                    if (!announced.isEmpty() && random.nextInt(3) == 0) {
                        announced.remove(random.nextInt(announced.size()));
                    } else {
                        String ip = !next.isEmpty() && random.nextBoolean() ? next.get(random.nextInt(next.size())).ips().get(0)
                                : address(random);
                        String ns = random.nextInt(4) == 0 ? "kube-system" : "bench";
                        String name = random.nextBoolean() && !next.isEmpty() ? next.get(random.nextInt(next.size())).name()
                                : "a" + step;
                        announced.add(new PodAnnouncement("c" + step, ns, random.nextInt(5) == 0 ? null : name, "eth0",
                                List.of(ip)));
                    }
                }
            }
            NodeRuleSet after = ruleSet(next);
            if (!removed.isEmpty() || !added.isEmpty()) {
                known.withPods(after, removed, added);
                rs = after;
            }
            assertThat(known.ruleSet()).isSameAs(rs);
            WaitingPods waiting = WaitingPods.of(known, announced, SETTINGS);
            WaitingPods fresh = WaitingPods.of(rs, announced, SETTINGS);
            assertThat(waiting).as("step %d waiting", step).isEqualTo(fresh);
            KnownAddresses.Sets sets = known.sets(waiting);
            Set<String> expected = definition(rs, waiting);
            assertThat(sets.v4()).as("step %d", step).doesNotHaveDuplicates().allMatch(ip -> !ip.contains(":"));
            assertThat(sets.v6()).as("step %d", step).doesNotHaveDuplicates().allMatch(ip -> ip.contains(":"));
            Set<String> got = new TreeSet<>(sets.v4());
            got.addAll(sets.v6());
            assertThat(got).as("step %d known", step).isEqualTo(expected);
            for (String ip : waiting.addresses()) {
                assertThat(got).as("step %d: a waiting address is never known", step).doesNotContain(ip);
            }
            assertThat(got).isEqualTo(new TreeSet<>(WaitingPods.known(rs, fresh)));
            if (sets.v4().size() > 1 && !sets.v4().equals(new ArrayList<>(new TreeSet<>(sets.v4())))) {
                edited++; // edited, not sorted afresh: the incremental path was taken
            }
        }
        assertThat(edited).as("steps whose sets were edited rather than rebuilt").isGreaterThan(500);
    }

    /** The known sets as specified: pods' and exempt announced pods' addresses, less the waiting ones. */
    private static Set<String> definition(NodeRuleSet rs, WaitingPods waiting) {
        Set<String> out = new TreeSet<>();
        rs.pods().forEach(p -> out.addAll(p.ips()));
        out.addAll(waiting.exempt());
        out.removeAll(new HashSet<>(waiting.addresses()));
        return out;
    }

    private static String address(Random random) {
        int n = random.nextInt(120);
        return random.nextInt(6) == 0 ? "fd00::" + Integer.toHexString(1 + n) : "10.9.0." + (1 + n);
    }

    private static LocalPod pod(String name, String ip) {
        return new LocalPod("bench", name, List.of(ip), List.of(), List.of());
    }

    private static NodeRuleSet ruleSet(List<LocalPod> pods) {
        return new NodeRuleSet("n1", List.of(), List.copyOf(pods), List.of(), List.of());
    }
}
