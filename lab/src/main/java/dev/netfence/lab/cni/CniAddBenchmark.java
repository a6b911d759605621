package dev.netfence.lab.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netfence.enforcer.cni.CniEndpoint;
import dev.netfence.enforcer.cni.CniSettings;
import dev.netfence.enforcer.cni.PodAnnouncements;
import dev.netfence.enforcer.datapath.NftablesDatapath;
import dev.netfence.enforcer.loop.EnforcerLoop;
import dev.netfence.enforcer.loop.EnforcerObserver;
import dev.netfence.enforcer.loop.EnforcerSettings;
import dev.netfence.enforcer.loop.NewPodSettings;
import dev.netfence.enforcer.loop.StatusSink;
import dev.netfence.enforcer.source.FileRuleSetSource;
import dev.netfence.enforcer.source.RuleSetYaml;
import dev.netfence.lab.Lab;
import dev.netfence.lab.netns.NamespaceExecutor;
import dev.netfence.policy.compile.RuleSetCompiler;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.net.Cidr;
import dev.netfence.policy.net.IpAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the netfence plugin adds to a pod's CNI ADD: in one lab node with a real enforcer (production
 * defaults, fail-closed), each round makes a sandbox, runs {@code ptp} + {@code host-local} as the
 * runtime would (timed: the baseline), then the {@code netfence} plugin with ptp's result as
 * {@code prevResult} (timed: it returns once the kernel holds the pod), then DEL. Also times a bare
 * JVM start ({@code java -version}), the floor of a plugin written in Java. Needs root.
 *
 * <pre>lab/bench.sh CniAddBenchmark [adds]   # default 100</pre>
 */
public final class CniAddBenchmark {
    private static final Path PLUGIN = Path.of("enforcer-core/target/cni/netfence").toAbsolutePath();
    private static final Cidr POD_CIDR = Cidr.parse("10.244.9.0/24");

    public static void main(String[] args) throws Exception {
        int adds = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        Lab.prerequisitesMissing().ifPresent(reason -> {
            System.err.println(reason);
            System.exit(2);
        });
        String missing = CniPods.prerequisitesMissing(PLUGIN);
        if (missing != null) {
            System.err.println(missing);
            System.exit(2);
        }
        ClusterSnapshot cluster = ClusterSnapshot.builder().namespace(Namespace.of("shop"))
                .node(new Node("node-a", List.of(IpAddress.parse("172.31.0.11"))))
                .pod(new Pod("shop", "old", Map.of(), List.of(IpAddress.parse("10.244.1.20")), "node-a", false, List.of()))
                .defaultDeny(new DefaultDeny("shop", "deny-all", Set.of(Direction.INGRESS, Direction.EGRESS), false, false,
                        LabelSelector.of(Map.of())))
                .build();
        Path work = Files.createTempDirectory("nf-cni-bench");
        Path rules = Files.createDirectories(work.resolve("rules"));
        Files.writeString(rules.resolve("node-a.yaml"), RuleSetYaml.write(RuleSetCompiler.compile(cluster).forNode("node-a")));
        long[] base = new long[adds];
        long[] netfence = new long[adds];
        try (Lab lab = Lab.up(cluster)) {
            PodAnnouncements announced = PodAnnouncements.persistent(work.resolve("pods"));
            EnforcerSettings settings = new EnforcerSettings("node-a", EnforcerSettings.Source.FILE, rules,
                    EnforcerSettings.DEFAULT_POLL_INTERVAL, EnforcerSettings.DEFAULT_RETRY_INITIAL,
                    EnforcerSettings.DEFAULT_RETRY_MAX, Optional.empty(), EnforcerSettings.DEFAULT_RESYNC_INTERVAL,
                    EnforcerSettings.DEFAULT_COUNTER_INTERVAL, EnforcerSettings.DEFAULT_COALESCE_DELAY);
            CniSettings cni = CniSettings.under(work);
            try (EnforcerLoop loop = new EnforcerLoop(settings, new FileRuleSetSource(rules, "node-a"),
                    new NftablesDatapath(lab.inNode("node-a")), StatusSink.NONE, EnforcerObserver.NONE,
                    NewPodSettings.DEFAULTS.withPodCidrs(List.of(POD_CIDR)), announced).start();
                 CniEndpoint endpoint = CniEndpoint.start(cni, loop, announced);
                 CniPods pods = new CniPods(lab, "node-a", PLUGIN, cni.socket(), POD_CIDR, work);
                 NamespaceExecutor inNode = new NamespaceExecutor(lab.nodeNamespace("node-a"), 1)) {
                while (loop.state().appliedHash() == null) {
                    Thread.sleep(20);
                }
                JsonNode plugins = new ObjectMapper().readTree(pods.conflist()).get("plugins");
                for (int i = -5; i < adds; i++) { // five warm-up rounds, not counted
                    String netns = pods.sandbox();
                    CniRuntime.Sandbox s = new CniRuntime.Sandbox("bench" + (i + 5), Path.of("/run/netns", netns), "eth0",
                            "shop", "new-" + (i + 5));
                    long[] t = inNode.call(() -> {
                        long t0 = System.nanoTime();
                        JsonNode ptp = pods.runtime().call("ADD", plugins.get(0), null, s);
                        long t1 = System.nanoTime();
                        pods.runtime().call("ADD", plugins.get(1), ptp, s);
                        long t2 = System.nanoTime();
                        pods.runtime().call("DEL", plugins.get(1), ptp, s);
                        pods.runtime().call("DEL", plugins.get(0), ptp, s);
                        return new long[] {t1 - t0, t2 - t1};
                    });
                    pods.removeSandbox(netns);
                    if (i >= 0) {
                        base[i] = t[0];
                        netfence[i] = t[1];
                    }
                }
            }
        }
        long[] jvm = new long[10];
        for (int i = 0; i < jvm.length; i++) {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor();
            jvm[i] = System.nanoTime() - t0;
        }
        System.out.printf("CNI ADD over %d pods (one lab node, enforcer with production defaults, fail-closed):%n", adds);
        System.out.printf("  ptp + host-local (baseline)      p50 %6.1f ms  p99 %6.1f ms%n", ms(base, 50), ms(base, 99));
        System.out.printf("  netfence (added by the plugin)   p50 %6.1f ms  p99 %6.1f ms  (%.2fx / %.2fx of the baseline)%n",
                ms(netfence, 50), ms(netfence, 99), ms(netfence, 50) / ms(base, 50), ms(netfence, 99) / ms(base, 99));
        System.out.printf("  a bare JVM start (java -version, 10 runs)  p50 %6.1f ms: the floor of a plugin in Java%n",
                ms(jvm, 50));
    }

    private static double ms(long[] samples, int percentile) {
        long[] s = samples.clone();
        Arrays.sort(s);
        int idx = (int) Math.ceil(percentile / 100.0 * s.length) - 1;
        return s[Math.max(0, idx)] / 1e6;
    }

    private CniAddBenchmark() {
    }

}
