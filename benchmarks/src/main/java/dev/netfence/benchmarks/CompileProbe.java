package dev.netfence.benchmarks;

import dev.netfence.policy.compile.CompiledCluster;
import dev.netfence.policy.compile.RuleSetCompiler;
import dev.netfence.policy.model.ClusterSnapshot;

public final class CompileProbe {
    public static void main(String[] args) {
        long t0 = System.nanoTime();
        ClusterSnapshot s = ScaleLimitCluster.build(5000, 1000, 150, 10);
        long t1 = System.nanoTime();
        CompiledCluster c = RuleSetCompiler.compile(s);
        long t2 = System.nanoTime();
        System.out.printf("snapshot %d ms, compile %d ms, nodes %d sets %d%n", (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000,
                c.nodes().size(), c.addressSets().size());
        for (int i = 0; i < 3; i++) {
            t1 = System.nanoTime();
            c = RuleSetCompiler.compile(s);
            t2 = System.nanoTime();
            System.out.printf("compile %d ms%n", (t2 - t1) / 1_000_000);
        }
    }
}
