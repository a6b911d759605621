package dev.netfence.policy.compile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.policy.model.ClusterDelta;
import dev.netfence.policy.model.ClusterNetworkPolicy;
import dev.netfence.policy.model.ClusterDns;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.PolicyRule;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The incremental compiler against the full one: random clusters go through random sequences of
 * changes (pods relabelled, added, removed, moved, re-addressed; namespaces relabelled, added,
 * removed; policies and DefaultDenies added, changed, deleted; nodes re-addressed; sometimes the
 * DNS config), and after every step the incremental result must equal a full compile of the same
 * snapshot.
 */
class IncrementalCompilerTest {

    private static final List<String> NAMESPACES = List.of("x", "y", "z", "kube-system");

    @Test
    void everyStepEqualsAFullCompile() {
        long incremental = 0;
        long steps = 0;
        for (long seed = 1; seed <= 300; seed++) {
            RandomSnapshots gen = new RandomSnapshots(seed);
            Random random = new Random(seed * 31);
            ClusterSnapshot s = gen.next();
            IncrementalCompiler compiler = new IncrementalCompiler();
            assertEqualToFull(compiler.update(s), s, seed, -1, "initial");
            for (int step = 0; step < 40; step++) {
                int changes = 1 + (random.nextInt(4) == 0 ? random.nextInt(3) : 0);
                StringBuilder what = new StringBuilder();
                for (int c = 0; c < changes; c++) {
                    s = change(s, gen, random, step * 10 + c, what);
                }
                assertEqualToFull(compiler.update(s), s, seed, step, what.toString());
                steps++;
            }
            incremental += compiler.incrementalCompiles();
        }
        // the incremental path is what was tested, not the fallback
        assertThat(incremental).isGreaterThan(steps * 9 / 10);
    }

    /**
     * The same random sequences as change sets: each step's {@code apply(delta)} must equal a fresh
     * build of the same objects (and answer every index query alike), and the delta-driven
     * incremental compile must equal a full compile. Some steps batch several deltas with {@code then}.
     */
    @Test
    void everyChangeSetAppliedEqualsAFreshBuildAndItsCompileAFullCompile() {
        long incremental = 0;
        long steps = 0;
        for (long seed = 1; seed <= 300; seed++) {
            RandomSnapshots gen = new RandomSnapshots(seed);
            Random random = new Random(seed * 37);
            ClusterSnapshot s = gen.next();
            ClusterSnapshot.Builder truth = s.toBuilder();
            IncrementalCompiler compiler = new IncrementalCompiler();
            assertEqualToFull(compiler.update(s, ClusterDelta.EMPTY), s, seed, -1, "initial");
            for (int step = 0; step < 40; step++) {
                int batches = random.nextInt(5) == 0 ? 2 : 1;
                ClusterDelta merged = ClusterDelta.EMPTY;
                ClusterSnapshot next = s;
                StringBuilder what = new StringBuilder();
                for (int batch = 0; batch < batches; batch++) {
                    ClusterDelta.Builder d = ClusterDelta.builder();
                    int changes = 1 + (random.nextInt(4) == 0 ? random.nextInt(3) : 0);
                    for (int c = 0; c < changes; c++) {
                        // each change sees the objects as the previous ones left them
                        what.append(change(Writes.to(truth, d), truth.build(), gen, random, step * 10 + batch * 4 + c)).append("; ");
                    }
                    ClusterDelta delta = d.build();
                    next = next.apply(delta);
                    merged = merged.then(delta);
                }
                String at = "seed " + seed + " step " + step + " after " + what;
                ClusterSnapshot fresh = truth.build();
                assertThat(next).as("applied snapshot, " + at).isEqualTo(fresh);
                SnapshotQueries.assertSameAnswers(next, fresh, gen, at);
                if (step % 4 == 0) {
                    assertRestrictionEqualsAFreshBuild(next, random, gen, at);
                }
                CompiledCluster before = compiler.update(s);
                CompiledCluster after = compiler.update(next, merged);
                assertEqualToFull(after, next, seed, step, what.toString());
                assertChangesNamed(compiler.lastChanges(), before, after, at);
                s = next;
                steps++;
            }
            incremental += compiler.incrementalCompiles();
        }
        assertThat(incremental).isGreaterThan(steps * 8 / 10);
    }

    /** {@code restrictedTo} a random part of the objects answers like a fresh build of that part with every namespace and node. */
    private static void assertRestrictionEqualsAFreshBuild(ClusterSnapshot s, Random random, RandomSnapshots gen, String at) {
        List<Pod> pods = s.pods().stream().filter(p -> random.nextBoolean()).toList();
        List<NetworkPolicy> policies = s.policies().stream().filter(p -> random.nextBoolean()).toList();
        List<DefaultDeny> denies = s.defaultDenies().stream().filter(p -> random.nextBoolean()).toList();
        ClusterSnapshot.Builder b = ClusterSnapshot.builder().dns(s.dns());
        s.namespaces().forEach(b::namespace);
        s.nodes().forEach(b::node);
        pods.forEach(b::pod);
        policies.forEach(b::policy);
        denies.forEach(b::defaultDeny);
        s.clusterPolicies().forEach(b::clusterPolicy);
        ClusterSnapshot fresh = b.build();
        ClusterSnapshot restricted = s.restrictedTo(pods, policies, denies);
        assertThat(restricted).as("restricted snapshot, " + at).isEqualTo(fresh);
        SnapshotQueries.assertSameAnswers(restricted, fresh, gen, "restricted, " + at);
    }

    @Test
    void aChangeSetOfAnotherSnapshotIsRefusedAndChangesNothing() {
        ClusterSnapshot s = new RandomSnapshots(3).next();
        IncrementalCompiler compiler = new IncrementalCompiler();
        CompiledCluster first = compiler.update(s, ClusterDelta.EMPTY);
        Pod pod = s.pods().iterator().next();
        ClusterDelta delta = ClusterDelta.builder().pod(pod.withLabels(Map.of("app", "other"))).build();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> compiler.update(s, delta))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pod " + pod.key());
        assertThat(compiler.update(s)).isSameAs(first);
        assertThat(compiler.update(s.apply(delta), delta)).isEqualTo(RuleSetCompiler.compile(s.apply(delta)));
    }

    @Test
    void anUnchangedSnapshotGivesTheSameOutputAndAFullCompileStartsOver() {
        ClusterSnapshot s = new RandomSnapshots(7).next();
        IncrementalCompiler compiler = new IncrementalCompiler();
        CompiledCluster first = compiler.update(s);
        assertThat(compiler.update(s.toBuilder().build())).isEqualTo(first);
        assertThat(compiler.fullCompiles()).isEqualTo(1);
        assertThat(compiler.full(s)).isEqualTo(RuleSetCompiler.compile(s));
        assertThat(compiler.fullCompiles()).isEqualTo(2);
    }

    @Test
    void aPodLabelChangeRecomputesOnlyItsNodeAndTheSetsItLeftAndJoined() {
        ClusterSnapshot.Builder b = ClusterSnapshot.builder();
        for (int n = 0; n < 3; n++) {
            b.node(new Node("node-" + n, List.of(IpAddress.parse("192.168.0." + (10 + n)))));
            for (int i = 0; i < 4; i++) {
                b.pod(new Pod("shop", "p" + n + i, Map.of("app", i % 2 == 0 ? "web" : "db"),
                        List.of(IpAddress.parse("10." + n + ".0." + (i + 1))), "node-" + n, false, List.of()));
            }
        }
        for (String app : List.of("web", "db")) {
            b.policy(new NetworkPolicy("shop", app, LabelSelector.of("app", app), List.of("Ingress"),
                    List.of(new PolicyRule(List.of(Peer.pods(LabelSelector.of("app", app))), List.of())), null, Map.of()));
        }
        ClusterSnapshot before = b.build();
        IncrementalCompiler compiler = new IncrementalCompiler();
        CompiledCluster first = compiler.update(before);
        Pod moved = before.pod("shop", "p00").orElseThrow();
        ClusterSnapshot after = before.toBuilder().pod(moved.withLabels(Map.of("app", "db"))).build();

        CompiledCluster second = compiler.update(after);

        assertThat(second).isEqualTo(RuleSetCompiler.compile(after));
        assertThat(compiler.incrementalCompiles()).isEqualTo(1);
        // untouched objects are the very same instances: they were not recomputed
        assertThat(second.nodes().get("node-1")).isSameAs(first.nodes().get("node-1"));
        assertThat(second.nodes().get("node-2")).isSameAs(first.nodes().get("node-2"));
        assertThat(second.nodes().get("node-0")).isNotEqualTo(first.nodes().get("node-0"));
        String web = AddressSet.nameOf("pods {app=web} in namespace shop");
        String db = AddressSet.nameOf("pods {app=db} in namespace shop");
        assertThat(second.addressSets().get(web).entries()).doesNotContain("10.0.0.1");
        assertThat(second.addressSets().get(db).entries()).contains("10.0.0.1");
    }

    /** The reported changes are exactly the nodes and sets whose content or span differ (unless everything is reported). */
    private static void assertChangesNamed(CompiledChanges changes, CompiledCluster before, CompiledCluster after, String at) {
        if (changes.everything()) {
            return;
        }
        java.util.Set<String> nodes = new java.util.TreeSet<>(before.nodes().keySet());
        nodes.addAll(after.nodes().keySet());
        nodes.removeIf(n -> java.util.Objects.equals(before.nodes().get(n), after.nodes().get(n)));
        java.util.Set<String> sets = new java.util.TreeSet<>(before.addressSets().keySet());
        sets.addAll(after.addressSets().keySet());
        sets.removeIf(n -> java.util.Objects.equals(before.addressSets().get(n), after.addressSets().get(n))
                && java.util.Objects.equals(before.addressSetSpans().get(n), after.addressSetSpans().get(n)));
        assertThat(changes.nodes()).as("changed nodes, " + at).containsExactlyInAnyOrderElementsOf(nodes);
        assertThat(changes.addressSets()).as("changed address sets, " + at).containsExactlyInAnyOrderElementsOf(sets);
    }

    private static void assertEqualToFull(CompiledCluster actual, ClusterSnapshot s, long seed, int step, String what) {
        CompiledCluster expected = RuleSetCompiler.compile(s);
        String at = "seed " + seed + " step " + step + " after " + what;
        assertThat(actual.nodes()).as("node rule sets, " + at).isEqualTo(expected.nodes());
        assertThat(actual.addressSets()).as("address sets, " + at).isEqualTo(expected.addressSets());
        assertThat(actual.addressSetSpans()).as("spans, " + at).isEqualTo(expected.addressSetSpans());
        assertThat(actual).isEqualTo(expected);
    }

    /** Where a random change is written: a snapshot builder, a change set, or both. */
    interface Writes {
        void pod(Pod p);

        void removePod(String namespace, String name);

        void namespace(Namespace n);

        void removeNamespace(String name);

        void node(Node n);

        void removeNode(String name);

        void policy(NetworkPolicy p);

        void removePolicy(String namespace, String name);

        void defaultDeny(DefaultDeny d);

        void removeDefaultDeny(String namespace, String name);

        void dns(ClusterDns dns);

        void clusterPolicy(ClusterNetworkPolicy p);

        void removeClusterPolicy(String name);

        static Writes to(ClusterSnapshot.Builder b, ClusterDelta.Builder d) {
            return new Writes() {
                public void pod(Pod p) {
                    b.pod(p);
                    d.pod(p);
                }

                public void removePod(String namespace, String name) {
                    b.removePod(namespace, name);
                    d.removePod(namespace, name);
                }

                public void namespace(Namespace n) {
                    b.namespace(n);
                    d.namespace(n);
                }

                public void removeNamespace(String name) {
                    b.removeNamespace(name);
                    d.removeNamespace(name);
                }

                public void node(Node n) {
                    b.node(n);
                    d.node(n);
                }

                public void removeNode(String name) {
                    b.removeNode(name);
                    d.removeNode(name);
                }

                public void policy(NetworkPolicy p) {
                    b.policy(p);
                    d.policy(p);
                }

                public void removePolicy(String namespace, String name) {
                    b.removePolicy(namespace, name);
                    d.removePolicy(namespace, name);
                }

                public void defaultDeny(DefaultDeny dd) {
                    b.defaultDeny(dd);
                    d.defaultDeny(dd);
                }

                public void removeDefaultDeny(String namespace, String name) {
                    b.removeDefaultDeny(namespace, name);
                    d.removeDefaultDeny(namespace, name);
                }

                public void dns(ClusterDns dns) {
                    b.dns(dns);
                    d.dns(dns);
                }

                public void clusterPolicy(ClusterNetworkPolicy p) {
                    b.clusterPolicy(p);
                    d.clusterPolicy(p);
                }

                public void removeClusterPolicy(String name) {
                    b.removeClusterPolicy(name);
                    d.removeClusterPolicy(name);
                }
            };
        }
    }

    /** {@code s} with one random change, described in {@code what}. */
    private static ClusterSnapshot change(ClusterSnapshot s, RandomSnapshots gen, Random random, int serial, StringBuilder what) {
        ClusterSnapshot.Builder b = s.toBuilder();
        what.append(change(Writes.to(b, ClusterDelta.builder()), s, gen, random, serial)).append("; ");
        return b.build();
    }

    /** Writes one random change of {@code s} to {@code w}; returns what it did. */
    static String change(Writes w, ClusterSnapshot s, RandomSnapshots gen, Random random, int serial) {
        List<Pod> pods = new ArrayList<>(s.pods());
        Pod pod = pods.isEmpty() ? null : pods.get(random.nextInt(pods.size()));
        int nodes = s.nodes().size();
        switch (random.nextInt(19)) {
            case 0, 1 -> {
                if (pod != null) {
                    w.pod(pod.withLabels(gen.labels(2)));
                    return "relabel pod " + pod.key();
                }
            }
            case 2 -> {
                String ns = random.nextInt(8) == 0 ? "v" : NAMESPACES.get(random.nextInt(NAMESPACES.size()));
                Pod p = gen.pod(ns, "n" + serial, 100 + serial % 150, Math.max(1, nodes));
                w.pod(p);
                return "add pod " + p;
            }
            case 3 -> {
                if (pod != null) {
                    w.removePod(pod.namespace(), pod.name());
                    return "remove pod " + pod.key();
                }
            }
            case 4 -> {
                if (pod != null) {
                    // sometimes to a node without a Node object, sometimes unscheduled
                    String node = random.nextInt(6) == 0 ? null : "node-" + random.nextInt(nodes + 1);
                    w.pod(new Pod(pod.namespace(), pod.name(), pod.labels(), pod.ips(), node, pod.hostNetwork(), pod.ports()));
                    return "move pod " + pod.key() + " to " + node;
                }
            }
            case 5 -> {
                if (pod != null) {
                    List<IpAddress> ips = random.nextInt(4) == 0 ? List.of()
                            : List.of(IpAddress.parse("10." + random.nextInt(3) + ".0." + (1 + random.nextInt(250))));
                    w.pod(new Pod(pod.namespace(), pod.name(), pod.labels(), ips, pod.nodeName(), pod.hostNetwork(), pod.ports()));
                    return "re-address pod " + pod.key() + " " + ips;
                }
            }
            case 6 -> {
                String ns = random.nextInt(5) == 0 ? "w" : NAMESPACES.get(random.nextInt(NAMESPACES.size()));
                w.namespace(new Namespace(ns, gen.labels(2)));
                return "relabel namespace " + ns;
            }
            case 7, 8 -> {
                String ns = NAMESPACES.get(random.nextInt(3));
                NetworkPolicy np = gen.policy(ns, "np" + random.nextInt(6));
                w.policy(np);
                return "add/change policy " + np.namespace() + "/" + np.name();
            }
            case 9 -> {
                if (!s.policies().isEmpty()) {
                    NetworkPolicy np = s.policies().get(random.nextInt(s.policies().size()));
                    w.removePolicy(np.namespace(), np.name());
                    return "delete policy " + np.namespace() + "/" + np.name();
                }
            }
            case 10 -> {
                String ns = NAMESPACES.get(random.nextInt(3));
                if (random.nextBoolean() && !s.defaultDeniesInNamespace(ns).isEmpty()) {
                    w.removeDefaultDeny(ns, s.defaultDeniesInNamespace(ns).get(0).name());
                    return "delete DefaultDeny in " + ns;
                }
                w.defaultDeny(gen.defaultDeny(ns, "dd" + random.nextInt(2)));
                return "add/change DefaultDeny in " + ns;
            }
            case 11 -> {
                String node = "node-" + random.nextInt(nodes + 1);
                if (random.nextInt(4) == 0) {
                    w.removeNode(node);
                    return "delete node " + node;
                }
                w.node(new Node(node, List.of(IpAddress.parse("192.168.1." + random.nextInt(250))),
                        random.nextBoolean() ? Map.of() : gen.labels(1)));
                return "add/re-address/relabel node " + node;
            }
            case 12 -> {
                if (pod != null) {
                    Map<String, String> labels = new HashMap<>(pod.labels());
                    labels.put("k8s-app", "kube-dns");
                    w.pod(new Pod("kube-system", pod.name() + "-dns", labels, pod.ips(), pod.nodeName(), pod.hostNetwork(), pod.ports()));
                    return "add DNS pod";
                }
            }
            case 13 -> {
                String ns = random.nextInt(3) == 0 ? "w" : NAMESPACES.get(random.nextInt(NAMESPACES.size()));
                w.removeNamespace(ns);
                return "delete namespace object " + ns;
            }
            case 15 -> {
                if (!s.clusterPolicies().isEmpty()) {
                    // new rules, same subject, tier and priority: the pods' tier lists stay, only the rules change
                    List<ClusterNetworkPolicy> all = new ArrayList<>(s.clusterPolicies());
                    ClusterNetworkPolicy cnp = all.get(random.nextInt(all.size()));
                    ClusterNetworkPolicy rules = gen.clusterPolicy(cnp.name());
                    w.clusterPolicy(new ClusterNetworkPolicy(cnp.name(), cnp.tier(), cnp.priority(), cnp.subject(),
                            rules.ingress(), random.nextBoolean() ? cnp.egress() : rules.egress()));
                    return "change the rules of ClusterNetworkPolicy " + cnp.name();
                }
                ClusterNetworkPolicy cnp = gen.clusterPolicy("cnp" + random.nextInt(6));
                w.clusterPolicy(cnp);
                return "add ClusterNetworkPolicy " + cnp.name();
            }
            case 14 -> {
                ClusterNetworkPolicy cnp = gen.clusterPolicy("cnp" + random.nextInt(6));
                w.clusterPolicy(cnp);
                return "add/change ClusterNetworkPolicy " + cnp.name();
            }
            case 16 -> {
                if (!s.clusterPolicies().isEmpty()) {
                    List<ClusterNetworkPolicy> all = new ArrayList<>(s.clusterPolicies());
                    ClusterNetworkPolicy cnp = all.get(random.nextInt(all.size()));
                    w.removeClusterPolicy(cnp.name());
                    return "delete ClusterNetworkPolicy " + cnp.name();
                }
            }
            case 17 -> {
                if (s.node("node-0").isPresent()) {
                    Node n = s.node("node-0").orElseThrow();
                    w.node(new Node(n.name(), n.ips(), gen.labels(1)));
                    return "relabel node node-0";
                }
            }
            default -> {
                if (random.nextInt(4) == 0) {
                    ClusterDns dns = gen.dns();
                    w.dns(dns);
                    return "DNS config " + dns;
                }
            }
        }
        return "nothing";
    }
}
