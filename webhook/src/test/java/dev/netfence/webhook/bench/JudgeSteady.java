package dev.netfence.webhook.bench;

import com.sun.management.ThreadMXBean;
import dev.netfence.cluster.ClusterModel;
import dev.netfence.cluster.ClusterSettings;
import dev.netfence.crds.adapter.ModelAdapter;
import dev.netfence.policy.analysis.Change;
import dev.netfence.policy.analysis.PolicyObject;
import dev.netfence.webhook.AdmissionJudge;
import dev.netfence.webhook.ClusterView;
import dev.netfence.webhook.WebhookSettings;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The decision's steady-state cost, for comparing two builds of the analysis: the load benchmark's two requests
 * (the denied UPDATE that drops a class's DNS rule, the allowed CREATE of an extra policy), over all 100 classes as
 * the benchmark sends them, on namespace {@code bench} (5,002 pods / 500 policies; the decision does not grow with
 * the rest of the cluster, see JudgeCost), each judged for {@code -Dbench.warmSeconds} (default 20) before it is
 * measured, then 15 rounds of 200 decisions: the median CPU time of the judging thread and the bytes it allocated
 * per decision. JudgeCost's 3,000-decision warm-up left C2 half-way: the same build measured twice differed by 40%.
 * The allocation figure does not depend on the machine's load. {@code java -cp ... dev.netfence.webhook.bench.JudgeSteady}
 * (about a minute).
 */
public final class JudgeSteady {

    public static void main(String[] args) {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        ClusterModel model = new ClusterModel(ClusterSettings.DEFAULTS);
        for (String ns : List.of("kube-system", "bench")) {
            model.putNamespace(ModelAdapter.namespace(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()));
        }
        for (int i = 0; i < 2; i++) {
            model.putPod(ModelAdapter.pod(AdmissionLoadBenchmark.pod("kube-system", "coredns-" + i, "10.96.0." + (10 + i),
                    Map.of("k8s-app", "kube-dns"))));
        }
        for (int i = 0; i < AdmissionLoadBenchmark.PODS; i++) {
            model.putPod(ModelAdapter.pod(AdmissionLoadBenchmark.pod("bench", "pod-" + i, "10.1." + (i / 250) + "." + (i % 250 + 1),
                    Map.of("app", "app-" + (i % AdmissionLoadBenchmark.CLASSES), "tier", "t" + (i % 7)))));
        }
        for (int j = 0; j < AdmissionLoadBenchmark.POLICIES; j++) {
            model.putPolicy(ModelAdapter.networkPolicy(AdmissionLoadBenchmark.policy(j, j < AdmissionLoadBenchmark.CLASSES)));
        }
        AdmissionJudge judge = new AdmissionJudge(WebhookSettings.DEFAULT);
        ClusterView view = new ClusterView(model.version(), model.snapshot(), Set.of(), List.of());
        // as AdmissionLoadBenchmark.requests(): per class, the denied UPDATE and the allowed CREATE
        Map<String, List<Change>> changes = new LinkedHashMap<>();
        for (int c = 0; c < AdmissionLoadBenchmark.CLASSES; c++) {
            changes.computeIfAbsent("denied UPDATE", k -> new ArrayList<>()).add(Change.update(
                    PolicyObject.of(ModelAdapter.networkPolicy(AdmissionLoadBenchmark.policy(c, true))),
                    PolicyObject.of(ModelAdapter.networkPolicy(AdmissionLoadBenchmark.policy(c, false)))));
            NetworkPolicy extra = AdmissionLoadBenchmark.policy(c + AdmissionLoadBenchmark.CLASSES * 10, false);
            extra.getMetadata().setName("extra-" + c);
            changes.computeIfAbsent("allowed CREATE", k -> new ArrayList<>()).add(
                    Change.create(PolicyObject.of(ModelAdapter.networkPolicy(extra))));
        }
        long warm = Long.getLong("bench.warmSeconds", 20) * 1_000_000_000L;
        System.out.printf("model: %d pods, %d policies; load average %s%n", model.podCount(), AdmissionLoadBenchmark.POLICIES,
                AdmissionLoadBenchmark.loadAverage());
        for (var e : changes.entrySet()) {
            List<Change> list = e.getValue();
            boolean expectDenied = e.getKey().startsWith("denied");
            long until = System.nanoTime() + warm;
            for (int i = 0; System.nanoTime() < until; i++) {
                judge.decide(view, list.get(i % list.size()));
            }
            List<Double> cpu = new ArrayList<>();
            List<Double> bytes = new ArrayList<>();
            for (int round = 0; round < 15; round++) {
                long t = threads.getCurrentThreadCpuTime();
                long a = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 200; i++) {
                    if (judge.decide(view, list.get(i % list.size())).allowed() == expectDenied) {
                        throw new IllegalStateException(e.getKey() + " was not " + (expectDenied ? "denied" : "allowed"));
                    }
                }
                cpu.add((threads.getCurrentThreadCpuTime() - t) / 1e6 / 200);
                bytes.add((threads.getCurrentThreadAllocatedBytes() - a) / 200.0);
            }
            System.out.printf("%-15s median %.3f ms CPU per decision (rounds %s), %.0f KB allocated per decision; load average %s%n",
                    e.getKey(), JudgeCost.median(cpu), JudgeCost.rounded(cpu), JudgeCost.median(bytes) / 1024,
                    AdmissionLoadBenchmark.loadAverage());
        }
    }
}
