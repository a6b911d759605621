package dev.netfence.benchmarks;

import dev.netfence.policy.compile.CompiledCluster;
import dev.netfence.policy.compile.IncrementalCompiler;
import dev.netfence.policy.model.ClusterDelta;
import dev.netfence.policy.compile.RuleSetCompiler;
import dev.netfence.policy.model.ClusterSnapshot;

/**
 * A full compile of Antrea's scale-test shape ({@link AntreaShapeCluster}: 25,000 namespaces,
 * 100,000 pods, 75,000 NetworkPolicies by default) in a fresh JVM, with pod-selector peers or with
 * namespace+pod-selector peers (the argument). Prints the time to build the snapshot and to
 * compile it (wall, thread CPU, process CPU with the collector's threads, collection time), the
 * heap the snapshot and the compiled output retain after a full collection, and the load average.
 * One shape per JVM, so that neither run profits from the other's JIT or heap.
 *
 * <pre>
 * ./mvnw -q -pl benchmarks -am package -DskipTests
 * java -Xmx512m -cp benchmarks/target/benchmarks.jar dev.netfence.benchmarks.AntreaShapeBenchmark pod-selector
 * java -Xmx512m -cp benchmarks/target/benchmarks.jar dev.netfence.benchmarks.AntreaShapeBenchmark namespace-selector
 * </pre>
 * Optional further arguments: namespaces (default 25000), nodes (default 1000).
 */
public final class AntreaShapeBenchmark {

    private AntreaShapeBenchmark() {
    }

    public static void main(String[] args) {
        AntreaShapeCluster.Peers peers = args.length > 0 && args[0].startsWith("namespace")
                ? AntreaShapeCluster.Peers.NAMESPACE_AND_POD_SELECTOR : AntreaShapeCluster.Peers.POD_SELECTOR;
        int namespaces = args.length > 1 ? Integer.parseInt(args[1]) : 25_000;
        int nodes = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        System.out.printf("Antrea shape, %s peers: %d namespaces, %d pods, %d policies, %d nodes; %s; load average %s%n",
                peers == AntreaShapeCluster.Peers.POD_SELECTOR ? "pod-selector" : "namespace+pod-selector",
                namespaces, namespaces * 4, namespaces * 3, nodes, Measure.jvm(), Measure.loadAverage());
        long base = Measure.usedHeapAfterGc();

        Measure m = Measure.start();
        ClusterSnapshot snapshot = AntreaShapeCluster.build(namespaces, nodes, peers);
        System.out.printf("generate the objects and build the snapshot: %s%n", m.done());
        long snapshotHeap = Measure.usedHeapAfterGc() - base;

        m = Measure.start();
        CompiledCluster compiled = RuleSetCompiler.compile(snapshot);
        String compile = m.done();
        System.out.printf("full compile (%d NodeRuleSets, %d AddressSets): %s%n", compiled.nodes().size(),
                compiled.addressSets().size(), compile);
        long total = Measure.usedHeapAfterGc() - base;
        System.out.printf("heap used after GC: snapshot %d MB, snapshot + compiled output %d MB%n", snapshotHeap >> 20, total >> 20);
        if (compiled.nodes().isEmpty() || snapshot.pods().size() != namespaces * 4) {
            throw new IllegalStateException("the compile produced nothing");
        }
        compiled = null;

        // what the operator runs: the incremental compiler's first update is a full compile that also keeps its indexes
        IncrementalCompiler incremental = new IncrementalCompiler();
        m = Measure.start();
        incremental.update(snapshot, ClusterDelta.EMPTY);
        System.out.printf("incremental compiler's first (full) compile, keeping its indexes: %s%n", m.done());
        System.out.printf("heap used after GC: snapshot + incremental compiler (output and indexes) %d MB%n",
                (Measure.usedHeapAfterGc() - base) >> 20);
        System.out.printf("load average after the run: %s%n", Measure.loadAverage());
    }
}
