package dev.netfence.webhook.bench;

import dev.netfence.cluster.ClusterModel;
import dev.netfence.cluster.ClusterSettings;
import dev.netfence.crds.adapter.ModelAdapter;
import dev.netfence.policy.analysis.Change;
import dev.netfence.policy.analysis.PolicyObject;
import dev.netfence.webhook.AdmissionJudge;
import dev.netfence.webhook.ClusterView;
import dev.netfence.webhook.WebhookSettings;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The decision alone, in one JVM (no HTTP): the benchmark's cluster in a ClusterModel, the
 * benchmark's denied UPDATE judged on the model's snapshot, before and after pod label updates
 * (the snapshot then comes from ClusterSnapshot.apply of the changes, not a fresh build). The model
 * has AdmissionLoadBenchmark's size: bench plus the filler namespaces, 150,000 pods / 10,000
 * policies ({@code -Dbench.fillerPods=0 -Dbench.fillerPolicies=0}: bench alone).
 * {@code java -cp ... dev.netfence.webhook.bench.JudgeCost}
 */
public final class JudgeCost {

    public static void main(String[] args) {
        ClusterModel model = new ClusterModel(ClusterSettings.DEFAULTS);
        for (String ns : List.of("kube-system", "bench")) {
            model.putNamespace(ModelAdapter.namespace(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()));
        }
        for (int i = 0; i < 2; i++) {
            model.putPod(ModelAdapter.pod(AdmissionLoadBenchmark.pod("kube-system", "coredns-" + i, "10.96.0." + (10 + i),
                    Map.of("k8s-app", "kube-dns"))));
        }
        Pod[] pods = new Pod[AdmissionLoadBenchmark.PODS];
        for (int i = 0; i < pods.length; i++) {
            pods[i] = AdmissionLoadBenchmark.pod("bench", "pod-" + i, "10.1." + (i / 250) + "." + (i % 250 + 1),
                    Map.of("app", "app-" + (i % AdmissionLoadBenchmark.CLASSES), "tier", "t" + (i % 7)));
            model.putPod(ModelAdapter.pod(pods[i]));
        }
        for (int j = 0; j < AdmissionLoadBenchmark.POLICIES; j++) {
            model.putPolicy(ModelAdapter.networkPolicy(AdmissionLoadBenchmark.policy(j, j < AdmissionLoadBenchmark.CLASSES)));
        }
        int fillerPods = Integer.getInteger("bench.fillerPods", 150_000 - AdmissionLoadBenchmark.PODS - 2);
        int fillerPolicies = Integer.getInteger("bench.fillerPolicies", 10_000 - AdmissionLoadBenchmark.POLICIES);
        int namespaces = fillerPods + fillerPolicies == 0 ? 0 : AdmissionLoadBenchmark.FILLER_NAMESPACES;
        for (int n = 0; n < namespaces; n++) {
            model.putNamespace(ModelAdapter.namespace(new NamespaceBuilder().withNewMetadata().withName("fill-" + n).endMetadata()
                    .build()));
        }
        for (int i = 0; i < fillerPods; i++) {
            model.putPod(ModelAdapter.pod(AdmissionLoadBenchmark.fillerPod(i, namespaces)));
        }
        for (int j = 0; j < fillerPolicies; j++) {
            model.putPolicy(ModelAdapter.networkPolicy(AdmissionLoadBenchmark.fillerPolicy(j, namespaces)));
        }
        System.out.printf("model: %d pods, %d policies, %d namespaces; load average %s%n", model.podCount(),
                AdmissionLoadBenchmark.POLICIES + fillerPolicies, 2 + namespaces, AdmissionLoadBenchmark.loadAverage());
        AdmissionJudge judge = new AdmissionJudge(WebhookSettings.DEFAULT);
        Change change = Change.update(PolicyObject.of(ModelAdapter.networkPolicy(AdmissionLoadBenchmark.policy(7, true))),
                PolicyObject.of(ModelAdapter.networkPolicy(AdmissionLoadBenchmark.policy(7, false))));
        measure("fresh snapshot", judge, model, change);
        for (int round = 1; round <= 3; round++) {
            long t0 = System.nanoTime();
            for (int n = 0; n < 50; n++) {
                Pod p = pods[(round * 50 + n) * 37 % pods.length];
                model.putPod(ModelAdapter.pod(new PodBuilder(p).editMetadata().addToLabels("rev", "r" + round + "-" + n)
                        .endMetadata().build()));
            }
            model.snapshot();
            System.out.printf("50 pod updates applied to the snapshot in %.2f ms%n", (System.nanoTime() - t0) / 1e6);
            measure("after " + round * 50 + " pod updates", judge, model, change);
        }
    }

    static void measure(String what, AdmissionJudge judge, ClusterModel model, Change change) {
        ClusterView view = new ClusterView(model.version(), model.snapshot(), Set.of(), List.of());
        for (int i = 0; i < 300; i++) {
            judge.decide(view, change);   // warm-up
        }
        int n = 1_000;
        long t0 = System.nanoTime();
        boolean denied = false;
        for (int i = 0; i < n; i++) {
            denied = !judge.decide(view, change).allowed();
        }
        System.out.printf("%-24s decide: %.3f ms per request (denied: %s)%n", what, (System.nanoTime() - t0) / 1e6 / n, denied);
    }
}
