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
import java.util.Map;
import java.util.Optional;

/**
 * The enforcer's idle cost: the core loop with the production defaults (event-driven, resync every
 * 30 s, counters every 30 s) holding a 10,000-pod table (10,000 rules, 100,000 set elements) in a
 * scratch namespace {@code nf-bench-idle}, with nothing changing. Prints the process CPU time over
 * {@code seconds} as a share of one core, next to the same JVM's CPU over the same time before the
 * enforcer started (the baseline: JIT, GC), and the cost of one resync (listing the kernel's table)
 * and one counter read. The source is in memory (a settled informer costs an idle watch connection,
 * no CPU). Run as root: {@code enforcer-core/bench.sh IdleBenchmark [seconds]}.
 */
public final class IdleBenchmark {
    private static final String NS = "nf-bench-idle";

    public static void main(String[] args) throws Exception {
        String reason = NetNs.unavailableReason();
        if (reason != null) {
            System.out.println("skipped: " + reason);
            return;
        }
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        ResolvedRuleSet rs = SyntheticRuleSets.build(10_000, 5, 5, 1_000, 100);
        NetNs.delete(NS);
        NetNs.add(NS);
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (NamespaceThread thread = new NamespaceThread(NS)) {
            System.gc();
            double baseline = cpuShare(os, seconds);
            EnforcerSettings settings = EnforcerSettings.defaults("bench");
            try (EnforcerLoop loop = new EnforcerLoop(settings, new Fixed(rs), new NftablesDatapath(thread),
                    StatusSink.NONE, EnforcerObserver.NONE).start()) {
                long t0 = System.nanoTime();
                while (loop.state().ruleSetHash() == null) {
                    if (loop.state().lastError() != null) {
                        throw new IllegalStateException(loop.state().lastError());
                    }
                    Thread.sleep(50);
                }
                System.out.printf("table loaded: %d rules, %d elements in %d ms%n", loop.state().lastResult().rules(),
                        loop.state().lastResult().elements(), (System.nanoTime() - t0) / 1_000_000);
                System.gc();
                long syncsBefore = loop.syncs();
                double idle = cpuShare(os, seconds);
                System.out.printf("baseline (same JVM, no enforcer) over %d s: %.3f%% of a core%n", seconds, baseline * 100);
                System.out.printf("enforcer idle over %d s (production defaults: resync %s, counters every %s): "
                                + "%.3f%% of a core (%d resyncs, %d drift repairs)%n", seconds, settings.resyncInterval(),
                        settings.counterInterval(), idle * 100, loop.syncs() - syncsBefore, loop.repairs());
            }
            Nftables nft = new Nftables();
            thread.call(NetlinkSetElements::generation);
            long g = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                thread.call(NetlinkSetElements::generation);
            }
            System.out.printf("one resync when nothing changed (ruleset generation over netlink): %.3f ms%n",
                    (System.nanoTime() - g) / 1e6 / 100);
            long c = os.getProcessCpuTime();
            thread.call(() -> nft.stateless("list table inet netfence"));
            double listCpuMs = (os.getProcessCpuTime() - c) / 1e6;
            c = os.getProcessCpuTime();
            Map<String, RuleCounters.Count> counters = thread.call(() -> RuleCounters.read(nft));
            double countersCpuMs = (os.getProcessCpuTime() - c) / 1e6;
            EnforcerSettings d = EnforcerSettings.defaults("bench");
            System.out.printf("one full read-back when the generation moved (stateless listing): %.0f ms CPU;"
                    + " one counter read (%d rules): %.0f ms CPU%n", listCpuMs, counters.size(), countersCpuMs);
            System.out.printf("counter reads amortized at the default interval %s: %.3f%% of a core (at 30 s: %.3f%%)%n",
                    d.counterInterval(), countersCpuMs / d.counterInterval().toMillis() * 100, countersCpuMs / 30_000 * 100);
            System.out.println("load average: " + Files.readString(Path.of("/proc/loadavg")).strip());
        } finally {
            NetNs.delete(NS);
        }
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
            return "a fixed 10,000-pod rule set";
        }

        @Override
        public boolean onChange(Runnable listener) {
            return true; // like the Kubernetes source: events, no polling (and none come)
        }
    }
}
