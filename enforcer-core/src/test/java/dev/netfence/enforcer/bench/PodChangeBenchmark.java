package dev.netfence.enforcer.bench;

import dev.netfence.enforcer.datapath.NftablesDatapath;
import dev.netfence.enforcer.kernel.NetNs;
import dev.netfence.enforcer.loop.EnforcerLoop;
import dev.netfence.enforcer.loop.EnforcerObserver;
import dev.netfence.enforcer.loop.EnforcerSettings;
import dev.netfence.enforcer.loop.StatusSink;
import dev.netfence.enforcer.datapath.NamespaceThread;
import dev.netfence.enforcer.nft.ApplyResult;
import dev.netfence.enforcer.revoke.ConnectionRevoker;
import dev.netfence.enforcer.source.RuleSetSource;
import dev.netfence.policy.compile.LocalPod;
import dev.netfence.policy.compile.NodeRuleSet;
import dev.netfence.policy.compile.ResolvedRuleSet;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One local pod joining, leaving and moving between two existing profiles, end to end through the
 * enforcer's loop as a NodeRuleSet change arrives (production classes: {@link EnforcerLoop},
 * {@link NftablesDatapath} in a scratch namespace {@code nf-bench-podchg-<pid>}; production defaults
 * except the coalescing delay, 0 here so that it does not hide the work): from the source's change
 * notice to the loop's apply done (validation, table update, netlink batch, status bookkeeping), at 100
 * and 10,000 local pods in the same run, with the CPU per change of the enforcer's threads (ThreadMXBean) and of
 * the process. Run as root:
 * {@code enforcer-core/bench.sh PodChangeBenchmark [rounds] [pod CIDR]}.
 */
public final class PodChangeBenchmark {
    private static final String NS = "nf-bench-podchg-" + ProcessHandle.current().pid();
    private static List<dev.netfence.policy.net.Cidr> podCidrs = List.of();

    public static void main(String[] args) throws Exception {
        String reason = NetNs.unavailableReason();
        if (reason != null) {
            System.out.println("skipped: " + reason);
            return;
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        // the node's pod CIDRs, as the DaemonSet takes them from its Node (spec.podCIDRs): the fail-closed rule then
        // also drops unknown addresses of the range, and every pod's address is in its known_* sets
        podCidrs = args.length > 1 ? List.of(dev.netfence.policy.net.Cidr.parse(args[1])) : List.of();
        System.out.println("pod CIDRs: " + (podCidrs.isEmpty() ? "none (the configuration's default)" : podCidrs));
        System.out.println("load average at start: " + Files.readString(Path.of("/proc/loadavg")).strip());
        try {
            // twice each, interleaved, so that both sizes see the JIT warm and the same load
            double[][] small = new double[2][];
            double[][] large = new double[2][];
            for (int pass = 0; pass < 2; pass++) {
                small = run(100, rounds, pass == 1);
                large = run(10_000, rounds, pass == 1);
            }
            System.out.printf("ratio 10,000 / 100 pods (median latency): join %.2f, leave %.2f, move %.2f;"
                            + " enforcer threads' CPU per change %.2f%n",
                    median(large[0]) / median(small[0]), median(large[1]) / median(small[1]),
                    median(large[2]) / median(small[2]), median(large[4]) / median(small[4]));
            // what grows in the kernel (its commit walks every chain of the namespace) against what grows elsewhere
            System.out.printf("10,000 - 100 pods (median latency): join %+.2f ms, leave %+.2f ms, move %+.2f ms; of it the"
                            + " applier's: join %+.2f, leave %+.2f, move %+.2f ms%n",
                    median(large[0]) - median(small[0]), median(large[1]) - median(small[1]),
                    median(large[2]) - median(small[2]), median(large[5]) - median(small[5]),
                    median(large[6]) - median(small[6]), median(large[7]) - median(small[7]));
        } finally {
            NetNs.delete(NS);
        }
        System.out.println("load average at end: " + Files.readString(Path.of("/proc/loadavg")).strip());
    }

    /**
     * Latencies in ms of join, leave and move (index 0, 1, 2), the process's (3) and the enforcer threads' (4) CPU ms per
     * change, the applier's time of join, leave and move (5, 6, 7).
     */
    private static double[][] run(int pods, int rounds, boolean print) throws Exception {
        ResolvedRuleSet base = SyntheticRuleSets.build(pods, 5, 5, Math.max(10, pods / 10), 100);
        NodeRuleSet n = base.ruleSet();
        LocalPod like = n.pods().get(0);
        LocalPod other = n.pods().get(n.pods().size() - 1);
        LocalPod joining = new LocalPod("bench", "new-pod", List.of("10.250.1.7"), like.ingressPolicies(), like.egressPolicies());
        LocalPod moved = new LocalPod("bench", "new-pod", List.of("10.250.1.7"), other.ingressPolicies(), other.egressPolicies());
        ResolvedRuleSet joined = withPod(base, joining);
        ResolvedRuleSet movedRs = withPod(base, moved);
        NetNs.delete(NS);
        NetNs.add(NS);
        Source source = new Source(base);
        LinkedBlockingQueue<ApplyResult> applied = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<ConnectionRevoker.Result> revoked = new LinkedBlockingQueue<>();
        EnforcerObserver observer = new EnforcerObserver() {
            @Override
            public void applied(ApplyResult result) {
                applied.add(result);
            }

            @Override
            public void revoked(ConnectionRevoker.Result result) {
                revoked.add(result);
            }
        };
        EnforcerSettings defaults = EnforcerSettings.defaults("bench");
        EnforcerSettings settings = new EnforcerSettings(defaults.nodeName(), defaults.source(), defaults.rulesPath(),
                defaults.pollInterval(), defaults.retryInitial(), defaults.retryMax(), defaults.networkNamespace(),
                defaults.resyncInterval(), defaults.counterInterval(), Duration.ZERO, defaults.connectionRevocation());
        double[] join = new double[rounds];
        double[] leave = new double[rounds];
        double[] move = new double[rounds];
        double[] cpu = new double[rounds];
        double[] loopCpu = new double[rounds];
        double[] revoke = new double[2 * rounds];
        // the applier's own time of each change (the element batch over netlink and the kernel's commit), per kind
        double[][] applier = new double[3][rounds];
        try (NamespaceThread thread = new NamespaceThread(NS);
             EnforcerLoop loop = new EnforcerLoop(settings, source, new NftablesDatapath(thread), StatusSink.NONE, observer,
                     dev.netfence.enforcer.loop.NewPodSettings.DEFAULTS.withPodCidrs(podCidrs), dev.netfence.enforcer.cni.PodAnnouncements.inMemory()).start()) {
            ApplyResult first = applied.poll(120, TimeUnit.SECONDS);
            if (first == null) {
                throw new IllegalStateException("no first apply: " + loop.state().lastError());
            }
            // the first apply's revocation (every isolated pod is a target then): waited for, so that it is not
            // taken for the first change's
            if (revoked.poll(120, TimeUnit.SECONDS) == null) {
                throw new IllegalStateException("no revocation after the first apply");
            }
            for (int i = 0; i < rounds; i++) {
                long c0 = processCpuNanos();
                long t0 = loopThreadsCpuNanos();
                // the joining and the moved pod's connections are looked for after the apply (revocation: one
                // filtered conntrack dump per address and direction); waited for, and reported on their own, so
                // that the next change does not start behind them
                revoked.clear();
                join[i] = change(source, joined, applied, applier[0], i);
                revoke[2 * i] = revocation(revoked);
                move[i] = change(source, movedRs, applied, applier[2], i);
                revoke[2 * i + 1] = revocation(revoked);
                leave[i] = change(source, base, applied, applier[1], i);
                cpu[i] = (processCpuNanos() - c0) / 3e6;
                loopCpu[i] = (loopThreadsCpuNanos() - t0) / 3e6;
            }
        }
        if (print) {
            System.out.printf("%,d local pods (%,d policies), one pod through the loop (change notice -> applied), median (min, max) of %d:%n"
                            + "  join  %.2f ms (%.2f, %.2f)%n  move  %.2f ms (%.2f, %.2f)%n  leave %.2f ms (%.2f, %.2f)%n"
                            + "  of which the applier (element batch over netlink, the kernel's commit): join %.2f ms, move %.2f ms,"
                            + " leave %.2f ms (medians)%n"
                            + "  then the revocation of a join's or a move's connections (conntrack dumps): %.2f ms (median)%n"
                            + "  CPU per change, revocation included (median): loop and namespace threads %.2f ms, whole process"
                            + " %.2f ms (JIT, GC included)%n",
                    pods, n.policies().size(), rounds, median(join), min(join), max(join), median(move), min(move), max(move),
                    median(leave), min(leave), max(leave),
                    median(applier[0]), median(applier[2]), median(applier[1]), median(revoke), median(loopCpu), median(cpu));
        }
        return new double[][]{join, leave, move, cpu, loopCpu, applier[0], applier[1], applier[2]};
    }

    /** How long the revocation after a change took (the loop's own measure), waiting for it to be done. */
    private static double revocation(LinkedBlockingQueue<ConnectionRevoker.Result> revoked) throws InterruptedException {
        ConnectionRevoker.Result r = revoked.poll(60, TimeUnit.SECONDS);
        if (r == null) {
            throw new IllegalStateException("no revocation after the change within 60 s");
        }
        return r.took().toNanos() / 1e6;
    }

    private static double change(Source source, ResolvedRuleSet next, LinkedBlockingQueue<ApplyResult> applied,
                                 double[] applier, int round) throws InterruptedException {
        applied.clear();
        long t = System.nanoTime();
        source.set(next);
        ApplyResult r = applied.poll(60, TimeUnit.SECONDS);
        double ms = (System.nanoTime() - t) / 1e6;
        if (r == null) {
            throw new IllegalStateException("the change was not applied within 60 s");
        }
        if (r.kind() != ApplyResult.Kind.DELTA) {
            throw new IllegalStateException("expected an element delta, got " + r.kind());
        }
        applier[round] = r.duration().toNanos() / 1e6;
        return ms;
    }

    /**
     * CPU of the enforcer's own threads (the loop's worker and the namespace thread that sends the batches), which is
     * what a change costs the node: the process figure also carries the JIT and the GC.
     */
    private static long loopThreadsCpuNanos() {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("netfence-enforcer-") || t.getName().startsWith("netfence-netns-")) {
                long c = mx.getThreadCpuTime(t.getId());
                sum += Math.max(0, c);
            }
        }
        return sum;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static ResolvedRuleSet withPod(ResolvedRuleSet rs, LocalPod pod) {
        NodeRuleSet n = rs.ruleSet();
        List<LocalPod> pods = new ArrayList<>(n.pods());
        pods.add(pod);
        return new ResolvedRuleSet(new NodeRuleSet(n.node(), n.nodeAddresses(), pods, n.policies(), n.addressSets()),
                rs.addressSets());
    }

    /** An event source like the Kubernetes one: a new object per change, and a notice. */
    private static final class Source implements RuleSetSource {
        private volatile ResolvedRuleSet current;
        private volatile Runnable listener = () -> { };

        Source(ResolvedRuleSet first) {
            this.current = first;
        }

        void set(ResolvedRuleSet next) {
            current = next;
            listener.run();
        }

        @Override
        public Optional<ResolvedRuleSet> current() {
            return Optional.of(current);
        }

        @Override
        public String describe() {
            return "the benchmark";
        }

        @Override
        public boolean onChange(Runnable l) {
            listener = l;
            return true;
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(0);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(0);
    }
}
