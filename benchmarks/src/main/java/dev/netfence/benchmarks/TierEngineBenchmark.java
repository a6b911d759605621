package dev.netfence.benchmarks;

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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What ClusterNetworkPolicies cost the engine: the {@link SyntheticCluster} of
 * {@link PolicyEngineBenchmark} (1,000 pods, 200 NetworkPolicies) with 0 and with 100
 * ClusterNetworkPolicies (60 Admin, 40 Baseline, priorities with ties; subjects by namespace team or
 * by app in prod namespaces; rules that mostly do not match, so a flow walks several policies), in
 * the same run: every ordered pod pair (1,000,000 flows) through {@code allowed} and through
 * {@code evaluate}, rounds alternating, the median of 5 reported with the ratio and the load.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.netfence.benchmarks.TierEngineBenchmark</pre>
 */
public final class TierEngineBenchmark {

    static final Protocol[] PROTOCOLS = {Protocol.TCP, Protocol.TCP, Protocol.TCP, Protocol.TCP, Protocol.UDP};
    static final int[] PORTS = {8080, 9090, 5432, 30080, 53};
    static final int ROUNDS = 5;

    private TierEngineBenchmark() {
    }

    public static void main(String[] args) {
        ClusterSnapshot base = SyntheticCluster.build(20, 50, 42);
        ClusterSnapshot.Builder b = base.toBuilder();
        clusterPolicies(100).forEach(b::clusterPolicy);
        ClusterSnapshot tiers = b.build();
        System.out.printf("cluster: %d pods, %d NetworkPolicies; with %d ClusterNetworkPolicies; %s%n", base.pods().size(),
                base.policies().size(), tiers.clusterPolicies().size(), Measure.loadAverage());
        for (String mode : List.of("allowed", "evaluate")) {
            double[] without = new double[ROUNDS];
            double[] with = new double[ROUNDS];
            int allowedWithout = 0;
            int allowedWith = 0;
            for (int round = 0; round < ROUNDS + 1; round++) {   // round 0 warms up
                long t0 = System.nanoTime();
                int a = allPairs(new PolicyEngine(base), base, mode);
                long t1 = System.nanoTime();
                int c = allPairs(new PolicyEngine(tiers), tiers, mode);
                long t2 = System.nanoTime();
                if (round > 0) {
                    without[round - 1] = 1e6 / ((t1 - t0) / 1e9);
                    with[round - 1] = 1e6 / ((t2 - t1) / 1e9);
                }
                allowedWithout = a;
                allowedWith = c;
            }
            double m0 = median(without);
            double m1 = median(with);
            System.out.printf("%-8s  without: %.2f M flows/s (%d allowed)  with 100: %.2f M flows/s (%d allowed)  ratio %.2f  %s%n",
                    mode, m0 / 1e6, allowedWithout, m1 / 1e6, allowedWith, m1 / m0, Measure.loadAverage());
        }
    }

    static int allPairs(PolicyEngine engine, ClusterSnapshot s, String mode) {
        List<Pod> pods = List.copyOf(s.pods());
        Endpoint[] ends = pods.stream().map(Endpoint::of).toArray(Endpoint[]::new);
        int allowed = 0;
        for (int i = 0; i < ends.length; i++) {
            for (int j = 0; j < ends.length; j++) {
                int c = (i + j) % PORTS.length;
                Flow f = new Flow(ends[i], ends[j], PROTOCOLS[c], PORTS[c]);
                if (mode.equals("allowed") ? engine.allowed(f) : engine.evaluate(f).allowed()) {
                    allowed++;
                }
            }
        }
        return allowed;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }

    /** {@code n} ClusterNetworkPolicies over the synthetic cluster's labels (team-0..6, env, app, purpose). */
    static List<ClusterNetworkPolicy> clusterPolicies(int n) {
        List<ClusterNetworkPolicy> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            Tier tier = k < n * 6 / 10 ? Tier.ADMIN : Tier.BASELINE;
            int priority = (k * 37) % 50 * 20;   // 0..980 in steps of 20, with ties
            ClusterSubject subject = k % 2 == 0
                    ? ClusterSubject.namespaces(LabelSelector.of("team", "team-" + (k % 7)))
                    : ClusterSubject.pods(LabelSelector.of("env", "prod"), LabelSelector.of("app", SyntheticCluster.APPS[k % 10]));
            List<ClusterRule> egress = List.of(
                    new ClusterRule("scrape-" + k, RuleAction.PASS, List.of(new ClusterPeer.Namespaces(
                            LabelSelector.of("purpose", "monitoring"))), List.of(ClusterPort.port(Protocol.TCP, 9191))),
                    new ClusterRule("no-test-net-" + k, RuleAction.DENY, List.of(new ClusterPeer.Networks(
                            List.of("192.0.2." + (k % 64) * 4 + "/30"))), List.of()));
            List<ClusterRule> ingress = List.of(
                    new ClusterRule("no-cache-" + k, RuleAction.DENY, List.of(new ClusterPeer.Pods(
                            LabelSelector.of("team", "team-" + ((k + 1) % 7)), LabelSelector.of("app", "cache"))),
                            List.of(ClusterPort.range(Protocol.TCP, 6000 + k, 6100 + k))),
                    new ClusterRule("ingress-" + k, RuleAction.ACCEPT, List.of(new ClusterPeer.Namespaces(
                            new LabelSelector(Map.of("purpose", "ingress"), List.of()))), List.of(ClusterPort.port(Protocol.TCP, 8443))));
            out.add(new ClusterNetworkPolicy(String.format("cnp-%03d", k), tier, priority, subject, ingress, egress));
        }
        return out;
    }
}
