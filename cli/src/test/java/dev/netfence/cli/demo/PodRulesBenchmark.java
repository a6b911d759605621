package dev.netfence.cli.demo;

import dev.netfence.lab.Lab;
import dev.netfence.lab.netns.NetworkNamespaces;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.net.IpAddress;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Time from a pod's creation to its rules being applied on its node, with the production defaults,
 * on the demo's path: the demo cluster (steps 1-3: DefaultDenies and the shop's policies) in an
 * embedded API server, the real operator ({@code OperatorSettings.DEFAULTS}) and one real enforcer per
 * lab node ({@code EnforcerSettings.defaults}) applying inside the node's namespace. Per round a new
 * {@code shop} pod labelled {@code app=api} (selected by the shop's policies, and a peer in db's
 * ingress rules) is created with its {@code status.podIP}, as the kubelet reports it after the CNI
 * ADD; measured until every node's NodeRuleSet status reports the rule set the engine compiles with
 * it. Then it is deleted, measured the same way (the baseline of the same path: a pod going away).
 * Run as root: {@code cli/bench.sh PodRulesBenchmark [rounds]}.
 */
public final class PodRulesBenchmark {

    public static void main(String[] args) throws Exception {
        if (!NetworkNamespaces.isRoot()) {
            System.out.println("skipped: needs root (network namespaces, nftables)");
            return;
        }
        quietLogs();
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        System.out.println("load average at start: " + loadAverage());
        DemoManifests demo = DemoManifests.load(DemoCommand.defaultManifests());
        double[] created = new double[rounds];
        double[] deleted = new double[rounds];
        try (Lab lab = Lab.up(demo.bare());
             OperatorPath path = OperatorPath.start(lab, DemoCommand.checkoutRoot().resolve("crds"))) {
            path.enforce(demo.bare(), DemoManifests.resources(demo.cluster()));
            path.enforce(demo.denied(), DemoManifests.resources(demo.defaultDenies()));
            ClusterSnapshot opened = demo.opened();
            path.enforce(opened, DemoManifests.resources(demo.policies()));
            io.fabric8.kubernetes.api.model.Pod template = DemoManifests.resources(demo.cluster()).stream()
                    .filter(o -> o instanceof io.fabric8.kubernetes.api.model.Pod && o.getMetadata().getName().equals("api"))
                    .map(o -> (io.fabric8.kubernetes.api.model.Pod) o).findFirst().orElseThrow();
            Pod api = opened.pod("shop", "api").orElseThrow();
            for (int i = 0; i < rounds; i++) {
                String name = "api-bench-" + i;
                String ip = "10.244.2." + (100 + i % 100);
                HasMetadata pod = new PodBuilder(template).editMetadata().withName(name).endMetadata()
                        .editStatus().withPodIP(ip).endStatus().build();
                ClusterSnapshot with = opened.toBuilder().pod(new Pod("shop", name, api.labels(),
                        List.of(IpAddress.parse(ip)), api.nodeName(), false, api.ports())).build();
                Duration d = path.enforce(with, List.of(pod));
                created[i] = d.toNanos() / 1e6;
                long t = System.nanoTime();
                path.delete(pod);
                path.enforce(opened, List.of());
                deleted[i] = (System.nanoTime() - t) / 1e6;
            }
        }
        System.out.printf(Locale.ROOT, "pod creation -> its rules applied, %d pods (demo cluster, operator and enforcers with"
                + " production defaults):%n", rounds);
        print("new pod (status.podIP written) -> every node applied", created);
        print("pod deleted -> every node applied (baseline)", deleted);
        System.out.printf(Locale.ROOT, "  creation / deletion (p50): %.2fx%n", percentile(created, 50) / percentile(deleted, 50));
        System.out.println("load average at end: " + loadAverage());
        System.exit(0); // the informers' and the mock server's non-daemon threads would keep the JVM alive
    }

    private static void print(String label, double[] values) {
        System.out.printf(Locale.ROOT, "  %-56s p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms%n", label, percentile(values, 50),
                percentile(values, 99), Arrays.stream(values).max().orElse(0));
    }

    private static double percentile(double[] values, int p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** The components' INFO lines (one per apply, per API request) would bury the figures. */
    private static void quietLogs() {
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.setLevel(java.util.logging.Level.WARNING);
        for (java.util.logging.Handler h : root.getHandlers()) {
            h.setLevel(java.util.logging.Level.WARNING);
        }
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).strip();
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
