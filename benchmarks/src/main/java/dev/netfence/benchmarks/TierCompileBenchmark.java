package dev.netfence.benchmarks;

import dev.netfence.policy.compile.CompiledCluster;
import dev.netfence.policy.compile.IncrementalCompiler;
import dev.netfence.policy.compile.RuleSetCompiler;
import dev.netfence.policy.model.ClusterDelta;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What ClusterNetworkPolicies cost the compiler: the {@link ScaleLimitCluster} (5,000 nodes, 150,001
 * pods, 10,000 NetworkPolicies, 100 DefaultDenies) compiled in full without and with 100
 * ClusterNetworkPolicies (60 Admin, 40 Baseline, priorities with ties; subjects by namespace team or
 * by app in prod namespaces; networks, pods and namespaces peers, ports and ranges), rounds
 * alternating in one JVM, medians of thread CPU and wall time, the ratio and the load average. Then,
 * on the cluster with the tiers, the incremental compiler's cost of one pod label change (which
 * moves the pod in and out of some policies' subjects and peers) and of one ClusterNetworkPolicy
 * change, against the same pod change without the tiers.
 *
 * <pre>java -Xmx6g -cp benchmarks/target/benchmarks.jar dev.netfence.benchmarks.TierCompileBenchmark [rounds]</pre>
 */
public final class TierCompileBenchmark {

    private TierCompileBenchmark() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        ClusterSnapshot base = ScaleLimitCluster.build(5000, 1000, 150, 10);
        ClusterSnapshot.Builder b = base.toBuilder();
        clusterPolicies(100).forEach(b::clusterPolicy);
        ClusterSnapshot tiers = b.build();
        System.out.printf("scale-limit cluster: %d nodes, %d pods, %d NetworkPolicies; with %d ClusterNetworkPolicies; %s;"
                        + " load average %s%n", base.nodes().size(), base.pods().size(), base.policies().size(),
                tiers.clusterPolicies().size(), Measure.jvm(), Measure.loadAverage());

        long[] cpuWithout = new long[rounds];
        long[] cpuWith = new long[rounds];
        long[] wallWithout = new long[rounds];
        long[] wallWith = new long[rounds];
        CompiledCluster withTiers = null;
        for (int round = 0; round <= rounds; round++) {   // round 0 warms up
            Measure m = Measure.start();
            CompiledCluster a = RuleSetCompiler.compile(base);
            long c0 = m.cpuNanos();
            long w0 = m.wallNanos();
            m = Measure.start();
            withTiers = RuleSetCompiler.compile(tiers);
            long c1 = m.cpuNanos();
            long w1 = m.wallNanos();
            System.out.printf("round %d%s: without %d ms cpu (wall %d), with 100 %d ms cpu (wall %d); %d / %d rule sets,"
                            + " %d / %d address sets; load average %s%n", round, round == 0 ? " (warm-up)" : "", c0 / 1_000_000,
                    w0 / 1_000_000, c1 / 1_000_000, w1 / 1_000_000, a.nodes().size(), withTiers.nodes().size(),
                    a.addressSets().size(), withTiers.addressSets().size(), Measure.loadAverage());
            if (round > 0) {
                cpuWithout[round - 1] = c0;
                cpuWith[round - 1] = c1;
                wallWithout[round - 1] = w0;
                wallWith[round - 1] = w1;
            }
        }
        long mc0 = median(cpuWithout);
        long mc1 = median(cpuWith);
        System.out.printf("full compile, median of %d: without %d ms cpu (wall %d ms), with 100 ClusterNetworkPolicies"
                        + " %d ms cpu (wall %d ms): ratio %.2f cpu, %.2f wall; load average %s%n", rounds, mc0 / 1_000_000,
                median(wallWithout) / 1_000_000, mc1 / 1_000_000, median(wallWith) / 1_000_000, (double) mc1 / mc0,
                (double) median(wallWith) / median(wallWithout), Measure.loadAverage());
        long tierPods = withTiers.nodes().values().stream().flatMap(rs -> rs.pods().stream())
                .filter(p -> !p.clusterIngress().isEmpty() || !p.clusterEgress().isEmpty()).count();
        System.out.printf("pods with tier lists: %d%n", tierPods);

        System.out.printf("one pod label change, incremental, median of 30 warm: without %.2f ms cpu, with 100 %.2f ms cpu;"
                + " load average %s%n", podChanges(base) / 1e6, podChanges(tiers) / 1e6, Measure.loadAverage());
        System.out.printf("one ClusterNetworkPolicy change (a port added), incremental, median of 10: %.2f ms cpu; load average %s%n",
                clusterPolicyChanges(tiers) / 1e6, Measure.loadAverage());
    }

    /** Median thread CPU of 30 warm pod label changes (after 30), each checked equal to nothing but itself; the last against a full compile. */
    static long podChanges(ClusterSnapshot initial) {
        IncrementalCompiler compiler = new IncrementalCompiler();
        compiler.update(initial, ClusterDelta.EMPTY);
        Pod pod = initial.pod(ScaleLimitCluster.namespaceName(3), "pod-3").orElseThrow();   // ns-3: env=prod
        ClusterSnapshot s = initial;
        long[] cpu = new long[30];
        CompiledCluster last = null;
        for (int i = 0; i < 60; i++) {
            Map<String, String> labels = new HashMap<>(pod.labels());
            labels.put("app", i % 2 == 0 ? "app-4" : "app-3");
            ClusterDelta delta = ClusterDelta.builder().pod(pod.withLabels(labels)).build();
            Measure m = Measure.start();
            ClusterSnapshot next = s.apply(delta);
            last = compiler.update(next, delta);
            if (i >= 30) {
                cpu[i - 30] = m.cpuNanos();
            }
            s = next;
        }
        if (compiler.fullCompiles() != 1 || !last.equals(RuleSetCompiler.compile(s))) {
            throw new IllegalStateException("the incremental compile fell back to a full one or differs from it");
        }
        return median(cpu);
    }

    /** Median thread CPU of 10 changes of one Admin ClusterNetworkPolicy (a port added and removed again). */
    static long clusterPolicyChanges(ClusterSnapshot initial) {
        IncrementalCompiler compiler = new IncrementalCompiler();
        compiler.update(initial, ClusterDelta.EMPTY);
        ClusterNetworkPolicy cnp = initial.clusterPolicy("cnp-002").orElseThrow();
        ClusterSnapshot s = initial;
        long[] cpu = new long[10];
        CompiledCluster last = null;
        for (int i = 0; i < 10; i++) {
            List<ClusterRule> ingress = new ArrayList<>(cnp.ingress());
            if (i % 2 == 0) {
                ClusterRule r = ingress.get(1);
                List<ClusterPort> ports = new ArrayList<>(r.protocols());
                ports.add(ClusterPort.port(Protocol.TCP, 8444));
                ingress.set(1, new ClusterRule(r.name(), r.action(), r.peers(), ports));
            }
            ClusterDelta delta = ClusterDelta.builder().clusterPolicy(new ClusterNetworkPolicy(cnp.name(), cnp.tier(),
                    cnp.priority(), cnp.subject(), ingress, cnp.egress())).build();
            Measure m = Measure.start();
            ClusterSnapshot next = s.apply(delta);
            last = compiler.update(next, delta);
            cpu[i] = m.cpuNanos();
            s = next;
        }
        if (compiler.fullCompiles() != 1 || !last.equals(RuleSetCompiler.compile(s))) {
            throw new IllegalStateException("the incremental compile fell back to a full one or differs from it");
        }
        return median(cpu);
    }

    static long median(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }

    /** {@code n} ClusterNetworkPolicies over the scale-limit cluster's labels (namespace team/env, pod app/tier). */
    static List<ClusterNetworkPolicy> clusterPolicies(int n) {
        List<ClusterNetworkPolicy> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            Tier tier = k < n * 6 / 10 ? Tier.ADMIN : Tier.BASELINE;
            int priority = (k * 37) % 50 * 20;   // 0..980 in steps of 20, with ties
            ClusterSubject subject = k % 2 == 0
                    ? ClusterSubject.namespaces(LabelSelector.of("team", "team-" + (k % 40)))
                    : ClusterSubject.pods(LabelSelector.of("env", "prod"), LabelSelector.of("app", "app-" + (k % ScaleLimitCluster.APPS)));
            List<ClusterRule> egress = List.of(
                    new ClusterRule("scrape-" + k, RuleAction.PASS, List.of(new ClusterPeer.Namespaces(
                            LabelSelector.of("team", "monitoring"))), List.of(ClusterPort.port(Protocol.TCP, 9090))),
                    new ClusterRule("no-test-net-" + k, RuleAction.DENY, List.of(new ClusterPeer.Networks(
                            List.of("192.0.2." + (k % 64) * 4 + "/30", "198.51.100.0/24"))), List.of()));
            List<ClusterRule> ingress = List.of(
                    new ClusterRule("no-db-" + k, RuleAction.DENY, List.of(new ClusterPeer.Pods(
                            LabelSelector.of("team", "team-" + ((k + 1) % 40)), LabelSelector.of("tier", "db"))),
                            List.of(ClusterPort.range(Protocol.TCP, 6000 + k, 6100 + k))),
                    new ClusterRule("ingress-" + k, RuleAction.ACCEPT, List.of(new ClusterPeer.Namespaces(
                            LabelSelector.of("team", "ingress"))), List.of(ClusterPort.port(Protocol.TCP, 8443))));
            out.add(new ClusterNetworkPolicy(String.format("cnp-%03d", k), tier, priority, subject, ingress, egress));
        }
        return out;
    }
}
