package dev.netfence.benchmarks;

import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.eval.Flow;
import dev.netfence.policy.eval.PolicyEngine;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.Protocol;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Flows per second on a 1,000-pod / 200-policy cluster ({@link SyntheticCluster}). Each "op" is one
 * flow, so scores are flows/s:
 * <ul>
 *   <li>{@code allPairsAllowed}: every ordered pod pair (1,000,000 flows) through the fast path;</li>
 *   <li>{@code allPairsExplained}: the same through {@code evaluate} (every isolating policy and
 *       every allowing rule, as {@code explain} needs);</li>
 *   <li>{@code sampleEngine} / {@code sampleNaive}: 5,000 fixed random pairs through the engine and
 *       through {@link NaiveEngine} (scan every policy and every pod per flow): the ratio of the two
 *       is what indexing buys;</li>
 *   <li>{@code buildSnapshotAndEngine}: building the snapshot and the engine's isolation index
 *       (ops/s = builds/s).</li>
 * </ul>
 * Ports rotate over TCP 8080 (http), 9090 (metrics), 5432, 30080 and UDP 53.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class PolicyEngineBenchmark {

    static final int NAMESPACES = 20;
    static final int PODS_PER_NAMESPACE = 50;
    static final int PODS = NAMESPACES * PODS_PER_NAMESPACE;
    static final int SAMPLE = 5_000;
    static final long SEED = 42;
    static final Protocol[] PROTOCOLS = {Protocol.TCP, Protocol.TCP, Protocol.TCP, Protocol.TCP, Protocol.UDP};
    static final int[] PORTS = {8080, 9090, 5432, 30080, 53};

    ClusterSnapshot snapshot;
    PolicyEngine engine;
    NaiveEngine naive;
    List<Pod> pods;
    Endpoint[] endpoints;
    int[] sampleFrom;
    int[] sampleTo;

    @Setup(Level.Trial)
    public void setUp() {
        snapshot = SyntheticCluster.build(NAMESPACES, PODS_PER_NAMESPACE, SEED);
        if (snapshot.pods().size() != PODS || snapshot.policies().size() != 200) {
            throw new IllegalStateException("expected 1000 pods and 200 policies, got " + snapshot.pods().size()
                    + " and " + snapshot.policies().size());
        }
        engine = new PolicyEngine(snapshot);
        naive = new NaiveEngine(snapshot);
        pods = List.copyOf(snapshot.pods());
        endpoints = pods.stream().map(Endpoint::of).toArray(Endpoint[]::new);
        Random r = new Random(SEED);
        sampleFrom = new int[SAMPLE];
        sampleTo = new int[SAMPLE];
        int allowed = 0;
        for (int k = 0; k < SAMPLE; k++) {
            sampleFrom[k] = r.nextInt(PODS);
            sampleTo[k] = r.nextInt(PODS);
            int c = (sampleFrom[k] + sampleTo[k]) % PORTS.length;
            boolean byEngine = engine.allowed(new Flow(endpoints[sampleFrom[k]], endpoints[sampleTo[k]], PROTOCOLS[c], PORTS[c]));
            boolean byNaive = naive.allowed(pods.get(sampleFrom[k]), pods.get(sampleTo[k]), PROTOCOLS[c], PORTS[c]);
            if (byEngine != byNaive) {
                throw new IllegalStateException("engine and baseline disagree on " + pods.get(sampleFrom[k]).key() + " -> "
                        + pods.get(sampleTo[k]).key() + " " + PROTOCOLS[c] + "/" + PORTS[c]);
            }
            allowed += byEngine ? 1 : 0;
        }
        System.out.printf("%nsnapshot: %d pods, %d policies; sample: %d of %d flows allowed%n",
                snapshot.pods().size(), snapshot.policies().size(), allowed, SAMPLE);
    }

    @Benchmark
    @OperationsPerInvocation(PODS * PODS)
    public int allPairsAllowed() {
        int allowed = 0;
        for (int i = 0; i < PODS; i++) {
            for (int j = 0; j < PODS; j++) {
                int c = (i + j) % PORTS.length;
                if (engine.allowed(new Flow(endpoints[i], endpoints[j], PROTOCOLS[c], PORTS[c]))) {
                    allowed++;
                }
            }
        }
        return allowed;
    }

    @Benchmark
    @OperationsPerInvocation(PODS * PODS)
    public int allPairsExplained() {
        int allowed = 0;
        for (int i = 0; i < PODS; i++) {
            for (int j = 0; j < PODS; j++) {
                int c = (i + j) % PORTS.length;
                if (engine.evaluate(new Flow(endpoints[i], endpoints[j], PROTOCOLS[c], PORTS[c])).allowed()) {
                    allowed++;
                }
            }
        }
        return allowed;
    }

    @Benchmark
    @OperationsPerInvocation(SAMPLE)
    public int sampleEngine() {
        int allowed = 0;
        for (int k = 0; k < SAMPLE; k++) {
            int c = (sampleFrom[k] + sampleTo[k]) % PORTS.length;
            if (engine.allowed(new Flow(endpoints[sampleFrom[k]], endpoints[sampleTo[k]], PROTOCOLS[c], PORTS[c]))) {
                allowed++;
            }
        }
        return allowed;
    }

    @Benchmark
    @OperationsPerInvocation(SAMPLE)
    public int sampleNaive() {
        int allowed = 0;
        for (int k = 0; k < SAMPLE; k++) {
            int c = (sampleFrom[k] + sampleTo[k]) % PORTS.length;
            if (naive.allowed(pods.get(sampleFrom[k]), pods.get(sampleTo[k]), PROTOCOLS[c], PORTS[c])) {
                allowed++;
            }
        }
        return allowed;
    }

    @Benchmark
    public PolicyEngine buildSnapshotAndEngine() {
        return new PolicyEngine(SyntheticCluster.build(NAMESPACES, PODS_PER_NAMESPACE, SEED));
    }
}
