package dev.netfence.enforcer.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.netfence.enforcer.datapath.NamespaceThread;
import dev.netfence.enforcer.datapath.NftablesDatapath;
import dev.netfence.enforcer.kernel.NetNs;
import dev.netfence.enforcer.loop.EnforcerLoop;
import dev.netfence.enforcer.loop.EnforcerObserver;
import dev.netfence.enforcer.loop.EnforcerSettings;
import dev.netfence.enforcer.loop.StatusSink;
import dev.netfence.enforcer.nft.NetlinkSetElements;
import dev.netfence.enforcer.nft.Nftables;
import dev.netfence.enforcer.nft.RuleCounters;
import dev.netfence.enforcer.source.RuleSetSource;
import dev.netfence.policy.compile.ResolvedRuleSet;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The enforcer's idle cost: the core loop with the production defaults (event-driven, resync every
 * 30 s, counters every 5 min) holding a 1,000-pod and then a 10,000-pod table (24,012 rules, 110,003
 * set elements at 10,000) in a scratch namespace {@code nf-bench-idle}, with nothing changing. Prints,
 * per size, the process CPU time over {@code seconds} as a share of one core next to the same JVM's
 * CPU over the same time before any enforcer started (the baseline: JIT, GC), where that CPU went
 * (per thread, from {@code /proc/self/task}), the cost of one resync, one full read-back and one
 * counter read (netlink dump, and nft's JSON listing for comparison), and the counter read amortized
 * at the default interval. The source is in memory (a settled informer costs an idle watch
 * connection, no CPU). Run as root: {@code enforcer-core/bench.sh IdleBenchmark [seconds] [pods...]}.
 */
public final class IdleBenchmark {
    private static final String NS = "nf-bench-idle-" + ProcessHandle.current().pid();

    public static void main(String[] args) throws Exception {
        String reason = NetNs.unavailableReason();
        if (reason != null) {
            System.out.println("skipped: " + reason);
            return;
        }
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        List<Integer> sizes = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            sizes.add(Integer.parseInt(args[i]));
        }
        if (sizes.isEmpty()) {
            sizes = List.of(1_000, 10_000);
        }
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        System.out.println("load average at start: " + Files.readString(Path.of("/proc/loadavg")).strip());
        BASE_HEAP = liveHeap();
        BASE_RSS = rss();
        System.out.printf("baseline memory: live heap %.1f MiB, RSS %.0f MiB%n", BASE_HEAP / 1048576.0, BASE_RSS / 1024.0);
        Map<String, Long> t0 = ThreadCpu.snapshot();
        double baseline = cpuShare(os, seconds);
        System.out.printf("baseline (same JVM, no enforcer) over %d s: %.3f%% of a core%n", seconds, baseline * 100);
        System.out.println("  " + ThreadCpu.top(t0, ThreadCpu.snapshot(), 5));
        for (int pods : sizes) {
            run(os, seconds, pods);
        }
        System.out.println("load average at end: " + Files.readString(Path.of("/proc/loadavg")).strip());
    }

    private static void run(OperatingSystemMXBean os, int seconds, int pods) throws Exception {
        ResolvedRuleSet rs = SyntheticRuleSets.build(pods, 5, 5, Math.max(1, pods / 10), 100);
        NetNs.delete(NS);
        NetNs.add(NS);
        try (NamespaceThread thread = new NamespaceThread(NS)) {
            EnforcerSettings settings = EnforcerSettings.defaults("bench");
            System.out.printf("%,d pods:%n", pods);
            try (EnforcerLoop loop = new EnforcerLoop(settings, new Fixed(rs), new NftablesDatapath(thread),
                    StatusSink.NONE, EnforcerObserver.NONE).start()) {
                long t0 = System.nanoTime();
                while (loop.state().ruleSetHash() == null) {
                    if (loop.state().lastError() != null) {
                        throw new IllegalStateException(loop.state().lastError());
                    }
                    Thread.sleep(50);
                }
                System.out.printf("  table loaded: %,d rules, %,d elements in %d ms%n", loop.state().lastResult().rules(),
                        loop.state().lastResult().elements(), (System.nanoTime() - t0) / 1_000_000);
                long heap = liveHeap();
                System.out.printf("  memory with the enforcer running: live heap %.1f MiB above the baseline (the rule set model,"
                                + " the rendered table in force, the loop), RSS %.0f MiB (baseline %.0f MiB)%n",
                        (heap - BASE_HEAP) / 1048576.0, rss() / 1024.0, BASE_RSS / 1024.0);
                long syncsBefore = loop.syncs();
                Map<String, Long> threads = ThreadCpu.snapshot();
                double idle = cpuShare(os, seconds);
                System.out.printf("  enforcer idle over %d s (production defaults: resync %s, counters every %s): "
                                + "%.3f%% of a core (%d resyncs, %d drift repairs)%n", seconds, settings.resyncInterval(),
                        settings.counterInterval(), idle * 100, loop.syncs() - syncsBefore, loop.repairs());
                System.out.println("    " + ThreadCpu.top(threads, ThreadCpu.snapshot(), 5));
            }
            Nftables nft = new Nftables();
            thread.call(NetlinkSetElements::generation);
            long g = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                thread.call(NetlinkSetElements::generation);
            }
            System.out.printf("  one resync when nothing changed (ruleset generation over netlink): %.3f ms%n",
                    (System.nanoTime() - g) / 1e6 / 100);
            long c = os.getProcessCpuTime();
            thread.call(() -> nft.stateless("list table inet netfence"));
            double listCpuMs = (os.getProcessCpuTime() - c) / 1e6;
            for (int i = 0; i < 3; i++) {
                thread.call(RuleCounters::read); // warm the parser
            }
            int reads = 5;
            long w = System.nanoTime();
            long[] us = ThreadCpu.userSystem();
            c = os.getProcessCpuTime();
            Map<String, RuleCounters.Count> counters = Map.of();
            for (int i = 0; i < reads; i++) {
                counters = thread.call(RuleCounters::read);
            }
            double countersCpuMs = (os.getProcessCpuTime() - c) / 1e6 / reads;
            double countersWallMs = (System.nanoTime() - w) / 1e6 / reads;
            long[] us2 = ThreadCpu.userSystem();
            c = os.getProcessCpuTime();
            thread.call(() -> nft.jsonTerse("list table inet netfence"));
            double jsonCpuMs = (os.getProcessCpuTime() - c) / 1e6;
            System.out.printf("  one full read-back when the generation moved (stateless listing): %.0f ms CPU%n", listCpuMs);
            System.out.printf("  one counter read (netlink rule dump, %,d rule comments): %.1f ms CPU (%.0f%% in the kernel),"
                            + " %.1f ms wall (nft's JSON listing, the old way: %.0f ms CPU, %.0fx)%n", counters.size(),
                    countersCpuMs, 100.0 * (us2[1] - us[1]) / Math.max(1, us2[0] - us[0] + us2[1] - us[1]), countersWallMs,
                    jsonCpuMs, jsonCpuMs / countersCpuMs);
            System.out.printf("  counter reads amortized at the default interval %s: %.4f%% of a core (at 30 s: %.3f%%)%n",
                    settings.counterInterval(), countersCpuMs / settings.counterInterval().toMillis() * 100,
                    countersCpuMs / 30_000 * 100);
            System.out.println("  load average: " + Files.readString(Path.of("/proc/loadavg")).strip());
        } finally {
            NetNs.delete(NS);
        }
    }
    private static long BASE_HEAP;
    private static long BASE_RSS;

    /** Heap in use after full collections (what stays reachable). */
    private static long liveHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Resident set size of this process in KiB ({@code VmRSS} of /proc/self/status). */
    private static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (java.io.IOException e) {
            // not Linux: no figure
        }
        return -1;
    }

    private static double cpuShare(OperatingSystemMXBean os, int seconds) throws InterruptedException {
        long cpu0 = os.getProcessCpuTime();
        long wall0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        return (double) (os.getProcessCpuTime() - cpu0) / (System.nanoTime() - wall0);
    }

    private record Fixed(ResolvedRuleSet rs) implements RuleSetSource {
        @Override
        public Optional<ResolvedRuleSet> current() {
            return Optional.of(rs);
        }

        @Override
        public String describe() {
            return "a fixed rule set of " + rs.ruleSet().pods().size() + " pods";
        }

        @Override
        public boolean onChange(Runnable listener) {
            return true; // like the Kubernetes source: events, no polling (and none come)
        }
    }
}
