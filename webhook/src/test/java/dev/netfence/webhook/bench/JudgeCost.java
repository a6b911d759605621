package dev.netfence.webhook.bench;

import dev.netfence.cluster.ClusterModel;
import dev.netfence.cluster.ClusterSettings;
import dev.netfence.crds.adapter.ModelAdapter;
import dev.netfence.policy.analysis.Change;
import dev.netfence.policy.analysis.PolicyObject;
import dev.netfence.webhook.AdmissionJudge;
import dev.netfence.webhook.ClusterView;
import dev.netfence.webhook.WebhookSettings;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The decision alone, in one JVM (no HTTP, no JSON): the benchmark's cluster in a ClusterModel, the
 * benchmark's denied UPDATE and a CREATE of a policy with an external ipBlock (lint's "ipBlock
 * covers pods" rule) judged on the model's snapshot, first with namespace {@code bench} alone (5,002
 * pods / 500 policies), then after the same model has grown to AdmissionLoadBenchmark's size (the
 * filler namespaces: 150,000 pods / 10,000 policies / 1,002 namespaces), then after pod label updates
 * (the snapshot then comes from ClusterSnapshot.apply of the changes, not a fresh build). Each figure
 * is the judging thread's CPU time per decision, so other processes on the machine do not count; the
 * last lines give the ratio large / small, which is what says whether a request's cost grows with
 * the model ({@code -Dbench.fillerPods=... -Dbench.fillerPolicies=...} change the large size).
 * {@code java -cp ... dev.netfence.webhook.bench.JudgeCost} (about a minute).
 */
public final class JudgeCost {

    static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

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
        AdmissionJudge judge = new AdmissionJudge(WebhookSettings.DEFAULT);
        Map<String, Change> changes = new LinkedHashMap<>();
        changes.put("denied UPDATE", Change.update(PolicyObject.of(ModelAdapter.networkPolicy(AdmissionLoadBenchmark.policy(7, true))),
                PolicyObject.of(ModelAdapter.networkPolicy(AdmissionLoadBenchmark.policy(7, false)))));
        NetworkPolicy external = AdmissionLoadBenchmark.policy(8, true);
        external.getMetadata().setName("to-partner");
        external.getSpec().getEgress().add(new NetworkPolicyEgressRuleBuilder().addNewTo().withNewIpBlock()
                .withCidr("192.168.200.0/24").endIpBlock().endTo().addNewPort().withProtocol("TCP")
                .withPort(new IntOrString(443)).endPort().build());
        changes.put("ipBlock CREATE", Change.create(PolicyObject.of(ModelAdapter.networkPolicy(external))));

        System.out.printf("model: %d pods, %d policies, 2 namespaces; load average %s%n", model.podCount(),
                AdmissionLoadBenchmark.POLICIES, AdmissionLoadBenchmark.loadAverage());
        measureAll("small model", judge, model, changes);
        // measured twice: the ratio below takes the second, as it takes the last of the large model's
        Map<String, Double> small = measureAll("small model, again", judge, model, changes);

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
        System.out.printf("model grown to: %d pods, %d policies, %d namespaces; load average %s%n", model.podCount(),
                AdmissionLoadBenchmark.POLICIES + fillerPolicies, 2 + namespaces, AdmissionLoadBenchmark.loadAverage());
        Map<String, Double> large = measureAll("large model", judge, model, changes);
        for (int round = 1; round <= 3; round++) {
            long t0 = System.nanoTime();
            for (int n = 0; n < 50; n++) {
                Pod p = pods[(round * 50 + n) * 37 % pods.length];
                model.putPod(ModelAdapter.pod(new PodBuilder(p).editMetadata().addToLabels("rev", "r" + round + "-" + n)
                        .endMetadata().build()));
            }
            model.snapshot();
            System.out.printf("50 pod updates applied to the snapshot in %.2f ms%n", (System.nanoTime() - t0) / 1e6);
            large = measureAll("after " + round * 50 + " pod updates", judge, model, changes);
        }
        for (String what : changes.keySet()) {
            System.out.printf("%s: CPU per decision large (after the pod updates) / small model (second run) = %.2f (%.3f / %.3f ms)%n", what,
                    large.get(what) / small.get(what), large.get(what), small.get(what));
        }
    }

    static Map<String, Double> measureAll(String when, AdmissionJudge judge, ClusterModel model, Map<String, Change> changes) {
        ClusterView view = new ClusterView(model.version(), model.snapshot(), Set.of(), List.of());
        Map<String, Double> out = new LinkedHashMap<>();
        changes.forEach((what, change) -> out.put(what, measure(when, what, judge, view, change)));
        return out;
    }

    /**
     * CPU milliseconds of this thread per decision, over 1,000 decisions after a warm-up of 3,000 decisions or
     * 5 s (500 left the first figures at C2's mercy: the small model's first decisions cost twice the later ones).
     */
    static double measure(String when, String what, AdmissionJudge judge, ClusterView view, Change change) {
        long warmUntil = System.nanoTime() + 5_000_000_000L;
        for (int i = 0; i < 3_000 && System.nanoTime() < warmUntil; i++) {
            judge.decide(view, change);   // warm-up
        }
        int n = 1_000;
        long wall = System.nanoTime();
        long cpu = THREADS.getCurrentThreadCpuTime();
        boolean denied = false;
        for (int i = 0; i < n; i++) {
            denied = !judge.decide(view, change).allowed();
        }
        double ms = (THREADS.getCurrentThreadCpuTime() - cpu) / 1e6 / n;
        System.out.printf("%-24s %-14s decide: %.3f ms CPU per request (%.3f ms wall; denied: %s)%n", when, what, ms,
                (System.nanoTime() - wall) / 1e6 / n, denied);
        return ms;
    }
}
