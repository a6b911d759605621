package dev.netfence.benchmarks;

import dev.netfence.policy.compile.CompiledCluster;
import dev.netfence.policy.compile.IncrementalCompiler;
import dev.netfence.policy.compile.RuleSetCompiler;
import dev.netfence.policy.model.ClusterDelta;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Pod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine's part of one pod label change at the scale limits ({@link ScaleLimitCluster}: 5,000
 * nodes, 150,001 pods, 10,000 NetworkPolicies by default), two ways in the same run:
 * <ul>
 *   <li><b>delta</b> (what the cluster model and the operator do now): the informer's change as a
 *       {@link ClusterDelta}, {@link ClusterSnapshot#apply} to the previous snapshot, then
 *       {@link IncrementalCompiler#update(ClusterSnapshot, ClusterDelta)};</li>
 *   <li><b>rebuild</b> (the old path): a full snapshot rebuild from the maintained objects
 *       ({@code Builder.build()}, every index made again), then
 *       {@link IncrementalCompiler#update(ClusterSnapshot)}, which diffs the two snapshots.</li>
 * </ul>
 * Each path has its own compiler, started from the same snapshot; the results of the two are
 * checked equal at every change, and the first change of each is also checked against a full
 * compile. Reported: thread CPU and wall of the first change (code not yet JIT-compiled), then the
 * median and maximum of 30 changes after 30 unmeasured ones, and the ratio rebuild / delta.
 *
 * <pre>
 * ./mvnw -q -pl benchmarks -am package -DskipTests
 * java -Xmx1g -cp benchmarks/target/benchmarks.jar dev.netfence.benchmarks.EngineChangeBenchmark [nodes namespaces podsPerNamespace policiesPerNamespace [changes]]
 * </pre>
 */
public final class EngineChangeBenchmark {

    private EngineChangeBenchmark() {
    }

    private record Sample(long applyCpu, long compileCpu, long wall) {
        long cpu() {
            return applyCpu + compileCpu;
        }
    }

    public static void main(String[] args) {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int namespaces = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int podsPerNamespace = args.length > 2 ? Integer.parseInt(args[2]) : 150;
        int policiesPerNamespace = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        int changes = args.length > 4 ? Math.max(61, Integer.parseInt(args[4])) : 61;   // more only to profile
        System.out.printf("scale-limit cluster: %d nodes, %d namespaces x %d pods, %d policies per namespace; %s; load average %s%n",
                nodes, namespaces, podsPerNamespace, policiesPerNamespace, Measure.jvm(), Measure.loadAverage());

        Measure m = Measure.start();
        ClusterSnapshot initial = ScaleLimitCluster.build(nodes, namespaces, podsPerNamespace, policiesPerNamespace);
        System.out.printf("generate and build the snapshot (%d pods): %s%n", initial.pods().size(), m.done());
        ClusterSnapshot.Builder objects = initial.toBuilder();   // what the old path rebuilt from

        IncrementalCompiler viaDelta = new IncrementalCompiler();
        IncrementalCompiler viaRebuild = new IncrementalCompiler();
        m = Measure.start();
        viaDelta.update(initial);
        System.out.printf("first (full) compile of the delta path's compiler: %s%n", m.done());
        viaRebuild.update(initial);

        Pod pod = initial.pod(ScaleLimitCluster.namespaceName(7), "pod-3").orElseThrow();
        ClusterSnapshot[] current = {initial};
        List<Sample> delta = new ArrayList<>();
        List<ClusterSnapshot> kept = new ArrayList<>();   // the delta path's last 30 snapshots, to measure what they share
        List<Sample> rebuild = new ArrayList<>();
        for (int i = 0; i < changes; i++) {
            Map<String, String> labels = new HashMap<>(pod.labels());
            labels.put("app", i % 2 == 0 ? "app-4" : "app-3");
            Pod changed = pod.withLabels(labels);

            // the new path: keyed change set -> apply -> incremental compile from the delta
            long t0 = System.nanoTime();
            long c0 = Measure.threadCpu();
            ClusterDelta d = ClusterDelta.builder().pod(changed).build();
            ClusterSnapshot next = current[0].apply(d);
            long c1 = Measure.threadCpu();
            CompiledCluster byDelta = viaDelta.update(next, d);
            long c2 = Measure.threadCpu();
            delta.add(new Sample(c1 - c0, c2 - c1, System.nanoTime() - t0));
            current[0] = next;
            if (i >= changes - 30) {
                kept.add(next);
            }

            // the old path: rebuild the whole snapshot, then diff it against the previous one
            t0 = System.nanoTime();
            c0 = Measure.threadCpu();
            objects.pod(changed);
            ClusterSnapshot rebuilt = objects.build();
            c1 = Measure.threadCpu();
            CompiledCluster byRebuild = viaRebuild.update(rebuilt);
            c2 = Measure.threadCpu();
            rebuild.add(new Sample(c1 - c0, c2 - c1, System.nanoTime() - t0));

            if (!byDelta.equals(byRebuild)) {
                throw new IllegalStateException("change " + i + ": the two paths compiled different results");
            }
            if (i == 0 && !byDelta.equals(RuleSetCompiler.compile(next))) {
                throw new IllegalStateException("the first change differs from a full compile");
            }
        }
        if (viaDelta.fullCompiles() != 1 || viaRebuild.fullCompiles() != 1) {
            throw new IllegalStateException("a change was compiled in full");
        }
        report("first change", delta.get(0), rebuild.get(0));
        List<Sample> warmDelta = delta.subList(changes - 30, changes);
        List<Sample> warmRebuild = rebuild.subList(changes - 30, changes);
        Sample medianDelta = median(warmDelta);
        Sample medianRebuild = median(warmRebuild);
        report("warm, median of 30", medianDelta, medianRebuild);
        System.out.printf("warm, max of 30: delta cpu %.2f ms; rebuild cpu %.2f ms%n",
                warmDelta.stream().mapToLong(Sample::cpu).max().orElseThrow() / 1e6,
                warmRebuild.stream().mapToLong(Sample::cpu).max().orElseThrow() / 1e6);
        System.out.printf("changed by the last update: %s%n", viaDelta.lastChanges());
        objects = null;
        viaRebuild = null;
        long withAll = Measure.usedHeapAfterGc();
        ClusterSnapshot last = kept.get(kept.size() - 1);
        kept.clear();
        long withLast = Measure.usedHeapAfterGc();
        System.out.printf("heap: 30 successive applied snapshots retain %.2f MB more than the last one alone"
                + " (%d MB in use with the last one and the delta path's compiler)%n", (withAll - withLast) / 1e6, withLast >> 20);
        if (last.pods().size() != initial.pods().size()) {
            throw new IllegalStateException("pods lost");
        }
        System.out.printf("load average after the run: %s%n", Measure.loadAverage());
    }

    private static Sample median(List<Sample> samples) {
        List<Sample> sorted = new ArrayList<>(samples);
        sorted.sort((a, b) -> Long.compare(a.cpu(), b.cpu()));
        return sorted.get(sorted.size() / 2);
    }

    private static void report(String what, Sample delta, Sample rebuild) {
        System.out.printf("%s: delta path cpu %.2f ms (apply %.2f + compile %.2f), wall %.2f ms | rebuild path cpu %.2f ms"
                        + " (rebuild %.2f + diff and compile %.2f), wall %.2f ms | ratio rebuild/delta (cpu) %.1f%n", what,
                delta.cpu() / 1e6, delta.applyCpu() / 1e6, delta.compileCpu() / 1e6, delta.wall() / 1e6,
                rebuild.cpu() / 1e6, rebuild.applyCpu() / 1e6, rebuild.compileCpu() / 1e6, rebuild.wall() / 1e6,
                (double) rebuild.cpu() / Math.max(1, delta.cpu()));
    }
}
