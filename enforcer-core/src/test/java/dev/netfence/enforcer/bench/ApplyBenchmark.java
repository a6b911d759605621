package dev.netfence.enforcer.bench;

import dev.netfence.enforcer.kernel.NetNs;
import dev.netfence.enforcer.nft.ApplyResult;
import dev.netfence.enforcer.nft.NetlinkSetElements;
import dev.netfence.enforcer.nft.NetlinkTableLoad;
import dev.netfence.enforcer.nft.Nftables;
import dev.netfence.enforcer.nft.NftablesRenderer;
import dev.netfence.enforcer.nft.RenderedTable;
import dev.netfence.enforcer.nft.RuleSetApplier;
import dev.netfence.policy.compile.AddressSet;
import dev.netfence.policy.compile.LocalPod;
import dev.netfence.policy.compile.NodeRuleSet;
import dev.netfence.policy.compile.ResolvedRuleSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Apply-time benchmark in a scratch namespace {@code nf-bench-apply-<pid>}: a full load and full
 * replacements of a rule set (the shipped netlink batch and libnftables' script, interleaved), and one-pod deltas (a peer pod joining and
 * leaving an address set; a local pod joining and leaving an existing profile, as a whole document
 * through the applier and as the netlink batch alone), at 100 and 10,000 local pods so that the
 * delta's independence of size shows; and big deltas (5,000 element changes: an AddressSet gaining and losing
 * 5,000 members, 2,500 local pods joining and leaving existing profiles) through the applier, which sends them
 * over netlink, against libnftables' element script (the path deltas over 2,000 changes took before), interleaved.
 * Run as root:
 * {@code enforcer/bench.sh ApplyBenchmark}.
 */
public final class ApplyBenchmark {
    private static final String NS = "nf-bench-apply-" + ProcessHandle.current().pid();

    public static void main(String[] args) {
        String reason = NetNs.unavailableReason();
        if (reason != null) {
            System.out.println("skipped: " + reason);
            return;
        }
        try {
            System.out.println("load average at start: " + loadAverage());
            run("small: 100 local pods", SyntheticRuleSets.build(100, 5, 5, 10, 100));
            run("large: 10,000 local pods", SyntheticRuleSets.build(10_000, 5, 5, 1_000, 100));
            System.out.println("load average at end: " + loadAverage());
        } finally {
            NetNs.delete(NS);
        }
    }

    private static void run(String label, ResolvedRuleSet rs) {
        NetNs.delete(NS);
        NetNs.add(NS);
        System.out.println(label);
        NetNs.call(NS, () -> {
            Nftables nft = new Nftables();
            RuleSetApplier applier = new RuleSetApplier(nft);
            ApplyResult first = applier.apply(rs);
            RenderedTable table = NftablesRenderer.render(rs);
            // libnftables cannot parse the marked path's map comparisons: it loads the table without them
            // (slightly less work than the real table), so the ratio below flatters the script
            RenderedTable forScript = dev.netfence.enforcer.kernel.ScriptTables.withoutMarkedPath(table);
            // full replacements, the shipped path (one netlink batch) and the old one (libnftables' script)
            // interleaved so that both see the same load
            int rounds = 5;
            double[] full = new double[rounds];
            double[] script = new double[rounds];
            long[] cpuNetlink = new long[2];
            long[] cpuScript = new long[2];
            // the applying thread's own CPU (ThreadMXBean): on a loaded machine the wall time is mostly waiting for a
            // core, this is what a load costs on the critical path (encoding, sending, the kernel's work in the call)
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            double[] threadCpu = new double[rounds];
            double[] threadUser = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                long[] a = userSystem();
                applier.reset();   // force a full replacement of the existing table
                long cpu0 = threads.getCurrentThreadCpuTime();
                long user0 = threads.getCurrentThreadUserTime();
                full[i] = ms(applier.apply(table));
                threadCpu[i] = (threads.getCurrentThreadCpuTime() - cpu0) / 1e6;
                threadUser[i] = (threads.getCurrentThreadUserTime() - user0) / 1e6;
                long[] b = userSystem();
                long t = System.nanoTime();
                nft.run(forScript.fullScript());
                script[i] = (System.nanoTime() - t) / 1e6;
                long[] c = userSystem();
                cpuNetlink[0] += b[0] - a[0];
                cpuNetlink[1] += b[1] - a[1];
                cpuScript[0] += c[0] - b[0];
                cpuScript[1] += c[1] - b[1];
            }
            double[] encode = new double[rounds];
            int bytes = 0;
            for (int i = 0; i < rounds; i++) {
                long t = System.nanoTime();
                bytes = NetlinkTableLoad.encode(table).bytes();
                encode[i] = (System.nanoTime() - t) / 1e6;
            }
            System.out.printf("  full replacement, one netlink batch (%,d bytes; encoding %.0f ms): median %.0f ms (min %.0f, max %.0f);"
                            + " CPU %.0f ms user, %.0f ms kernel per load%n",
                    bytes, median(encode), median(full), min(full), max(full), cpuNetlink[0] / (double) rounds,
                    cpuNetlink[1] / (double) rounds);
            System.out.printf("  full replacement, one netlink batch, the applying thread's CPU: median %.0f ms (min %.0f, max %.0f),"
                            + " of which user %.0f ms (median)%n", median(threadCpu), min(threadCpu), max(threadCpu), median(threadUser));
            System.out.printf("  full replacement, libnftables script (the old path; the table without its marked-path rules): median %.0f ms (min %.0f, max %.0f);"
                            + " CPU %.0f ms user, %.0f ms kernel per load%n",
                    median(script), min(script), max(script), cpuScript[0] / (double) rounds, cpuScript[1] / (double) rounds);
            System.out.printf("  netlink / script: %.2f (median wall time)%n", median(full) / median(script));
            applier.reset();
            applier.apply(table);
            ResolvedRuleSet peerJoined = withPeer(rs, "10.250.0.7");
            ResolvedRuleSet podJoined = withLocalPod(rs, "10.250.1.7");
            double renderMs = 0;
            for (int i = 0; i < 3; i++) {
                long t = System.nanoTime();
                dev.netfence.enforcer.nft.NftablesRenderer.render(peerJoined);
                renderMs = Math.max(renderMs, 0) + (System.nanoTime() - t) / 1e6 / 3;
            }
            System.out.printf("  rendering the whole table (pure Java, needed when a whole rule set document arrives): %.0f ms%n",
                    renderMs);
            double[] peer = new double[20];
            double[] pod = new double[20];
            for (int i = 0; i < peer.length; i++) {
                ApplyResult in = applier.apply(peerJoined);
                ApplyResult out = applier.apply(rs);
                check(in, out);
                peer[i] = (ms(in) + ms(out)) / 2;
                in = applier.apply(podJoined);
                out = applier.apply(rs);
                check(in, out);
                pod[i] = (ms(in) + ms(out)) / 2;
            }
            // as an AddressSet watch delivers it: one set's new members, no re-render of the table
            AddressSet set0 = rs.addressSets().get(0);
            AddressSet set0plus = peerJoined.addressSets().get(0);
            double[] watch = new double[20];
            for (int i = 0; i < watch.length; i++) {
                ApplyResult in = applier.applyAddressSet(set0plus);
                ApplyResult out = applier.applyAddressSet(set0);
                check(in, out);
                watch[i] = (ms(in) + ms(out)) / 2;
            }
            System.out.printf("  AddressSet update (watch path, no re-render): median %.2f ms (min %.2f)%n",
                    median(watch), min(watch));
            // the kernel's part of a local pod joining and leaving: the element batch alone (pod map + profile set),
            // over a socket opened and closed per batch (as before) and through the applier, whose socket stays open
            RenderedTable base = NftablesRenderer.render(rs);
            RenderedTable joined = NftablesRenderer.render(podJoined);
            List<NetlinkSetElements.SetChange> join = joined.elementChanges(base).orElseThrow();
            List<NetlinkSetElements.SetChange> leave = base.elementChanges(joined).orElseThrow();
            double[] batch = new double[50];
            double[] kept = new double[50];
            double[] diffed = new double[50];
            for (int i = 0; i < batch.length; i++) {
                long t = System.nanoTime();
                NetlinkSetElements.apply(RenderedTable.NAME, join);
                NetlinkSetElements.apply(RenderedTable.NAME, leave);
                batch[i] = (System.nanoTime() - t) / 2e6;
                t = System.nanoTime();
                check(applier.apply(joined), applier.apply(base));
                kept[i] = (System.nanoTime() - t) / 2e6;
                t = System.nanoTime();
                joined.elementChanges(base).orElseThrow();
                base.elementChanges(joined).orElseThrow();
                diffed[i] = (System.nanoTime() - t) / 2e6;
            }
            double[] open = dev.netfence.enforcer.nft.ElementBatchTiming.overOpenSocket(join, leave, 50);
            double[] swept = dev.netfence.enforcer.nft.ElementBatchTiming.overOpenSocketAfterSweep(join, leave, 50, 64 << 20);
            System.out.printf("  one local pod joining/leaving an existing profile (%d sets changed, no jump element):%n"
                            + "    netlink batch over a new socket each (before): median %.2f ms (min %.2f, max %.2f)%n"
                            + "    netlink batch over one open socket (as the applier sends it): median %.3f ms (min %.3f, max %.3f)%n"
                            + "    the same after a 64 MB cache sweep (the table's memory cold, as in the loop): median %.3f ms"
                            + " (min %.3f)%n"
                            + "    the applier with the table rendered (diff + batch over its open socket): median %.2f ms"
                            + " (min %.2f, max %.2f), of which the diff %.2f ms%n",
                    join.size(), median(batch), min(batch), max(batch), median(open), min(open), max(open),
                    median(swept), min(swept),
                    median(kept), min(kept), max(kept), median(diffed));
            bigDeltas(applier, nft, base, rs);
            System.out.printf("  nft rules %,d, set elements %,d%n  first load %.0f ms; full replacement median %.0f ms"
                            + " (min %.0f, max %.0f)%n  one peer pod in/out of an address set: median %.2f ms;"
                            + " one local pod in/out of a profile: median %.2f ms (whole document: diff + kernel)%n",
                    first.rules(), first.elements(), ms(first), median(full), min(full), max(full),
                    median(peer), median(pod));
            return null;
        });
    }

    /**
     * 5,000-element deltas both ways, through the applier (one netlink batch over its open socket: the diff, the
     * encoding, the kernel) and as libnftables' element script of the same delta (the diff, the text, libnftables'
     * cache fill, parsing and the kernel), alternating so that both see the same load. The table in force is
     * {@code base} before and after every step, for both.
     */
    private static void bigDeltas(RuleSetApplier applier, Nftables nft, RenderedTable base, ResolvedRuleSet rs) {
        List<String> peers = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            peers.add("10.252." + (i / 125) + "." + (1 + 2 * (i % 125))); // gaps: no two merge into one interval
        }
        List<LocalPod> joining = new ArrayList<>();
        List<LocalPod> pods = rs.ruleSet().pods();
        for (int i = 0; i < 2_500; i++) {
            LocalPod like = pods.get(i % pods.size());
            joining.add(new LocalPod("bench", "joining-" + i, List.of("10.253." + (i / 250) + "." + (1 + i % 250)),
                    like.ingressPolicies(), like.egressPolicies()));
        }
        NodeRuleSet n = rs.ruleSet();
        List<LocalPod> more = new ArrayList<>(pods);
        more.addAll(joining);
        ResolvedRuleSet podsJoined = new ResolvedRuleSet(new NodeRuleSet(n.node(), n.nodeAddresses(), more, n.policies(),
                n.addressSets()), rs.addressSets());
        ResolvedRuleSet peersJoined = rs;
        for (String p : peers) {
            peersJoined = withPeer(peersJoined, p);
        }
        for (String[] c : new String[][]{{"an AddressSet gaining/losing 5,000 members", "peers"},
                {"2,500 local pods joining/leaving existing profiles", "pods"}}) {
            RenderedTable big = NftablesRenderer.render(c[1].equals("peers") ? peersJoined : podsJoined);
            int changes = big.elementChanges(base).orElseThrow().stream().mapToInt(x -> x.added().size() + x.removed().size()).sum();
            int rounds = 5;
            double[] netlink = new double[rounds];
            double[] script = new double[rounds];
            long[] cpuNetlink = new long[2];
            long[] cpuScript = new long[2];
            for (int i = 0; i < rounds; i++) {
                long[] a = userSystem();
                ApplyResult in = applier.apply(big);
                ApplyResult out = applier.apply(base);
                check(in, out);
                netlink[i] = (ms(in) + ms(out)) / 2;
                long[] b = userSystem();
                long t = System.nanoTime();
                nft.run(big.deltaFrom(base).orElseThrow());
                nft.run(base.deltaFrom(big).orElseThrow());
                script[i] = (System.nanoTime() - t) / 2e6;
                long[] d = userSystem();
                cpuNetlink[0] += b[0] - a[0];
                cpuNetlink[1] += b[1] - a[1];
                cpuScript[0] += d[0] - b[0];
                cpuScript[1] += d[1] - b[1];
            }
            System.out.printf("  big delta, %s (%,d element changes each way):%n"
                            + "    the applier, one netlink batch: median %.1f ms (min %.1f, max %.1f); CPU %.0f ms user, %.0f ms kernel per delta%n"
                            + "    libnftables' element script (before, for deltas over 2,000 changes): median %.1f ms (min %.1f, max %.1f);"
                            + " CPU %.0f ms user, %.0f ms kernel per delta%n"
                            + "    netlink / script: %.3f (median wall time)%n",
                    c[0], changes, median(netlink), min(netlink), max(netlink), cpuNetlink[0] / (2.0 * rounds),
                    cpuNetlink[1] / (2.0 * rounds), median(script), min(script), max(script), cpuScript[0] / (2.0 * rounds),
                    cpuScript[1] / (2.0 * rounds), median(netlink) / median(script));
        }
    }

    private static long[] userSystem() {
        try {
            return ThreadCpu.userSystem();
        } catch (java.io.IOException e) {
            return new long[2];
        }
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).strip();
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    private static void check(ApplyResult in, ApplyResult out) {
        if (in.kind() != ApplyResult.Kind.DELTA || out.kind() != ApplyResult.Kind.DELTA) {
            throw new IllegalStateException("expected element deltas, got " + in.kind() + "/" + out.kind());
        }
    }

    private static ResolvedRuleSet withPeer(ResolvedRuleSet rs, String ip) {
        List<AddressSet> sets = new ArrayList<>(rs.addressSets());
        AddressSet first = sets.get(0);
        List<String> entries = new ArrayList<>(first.entries());
        entries.add(ip);
        sets.set(0, new AddressSet(first.name(), entries));
        return new ResolvedRuleSet(rs.ruleSet(), sets);
    }

    private static ResolvedRuleSet withLocalPod(ResolvedRuleSet rs, String ip) {
        NodeRuleSet n = rs.ruleSet();
        List<LocalPod> pods = new ArrayList<>(n.pods());
        LocalPod like = pods.get(0);
        pods.add(new LocalPod("bench", "new-pod", List.of(ip), like.ingressPolicies(), like.egressPolicies()));
        return new ResolvedRuleSet(new NodeRuleSet(n.node(), n.nodeAddresses(), pods, n.policies(), n.addressSets()),
                rs.addressSets());
    }

    private static double ms(ApplyResult r) {
        return r.duration().toNanos() / 1e6;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    static double min(double[] v) {
        return Arrays.stream(v).min().orElse(0);
    }

    static double max(double[] v) {
        return Arrays.stream(v).max().orElse(0);
    }
}
