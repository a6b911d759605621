package dev.netfence.benchmarks;

import dev.netfence.crds.manifest.LoadOptions;
import dev.netfence.crds.manifest.ManifestLoader;
import dev.netfence.crds.manifest.Manifests;
import dev.netfence.policy.model.ClusterSnapshot;
import java.io.IOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Memory and time of reading a large manifest directory the way every {@code netfence} command
 * does ({@link ManifestLoader} in strict mode, then the snapshot): a directory of generated
 * NetworkPolicies (1 MiB files, each policy like a real one: a pod selector, an ingress rule with a
 * namespace+pod peer and two ports, an egress rule to an ipBlock with an except), {@code MB}
 * megabytes in all. Prints the input size, the wall and CPU time, the peak heap (the heap pools'
 * peak usage, reset before the load), the heap the result retains after full collections, both
 * as a ratio of the input's size, the process's peak RSS ({@code VmHWM}) and the load average.
 *
 * <pre>
 * ./mvnw -q -pl benchmarks -am package -DskipTests
 * java -Xmx1g -cp benchmarks/target/benchmarks.jar dev.netfence.benchmarks.ManifestLoadBenchmark 20
 * java -Xmx1g -cp benchmarks/target/benchmarks.jar dev.netfence.benchmarks.ManifestLoadBenchmark 20 DIR   # load DIR instead
 * </pre>
 */
public final class ManifestLoadBenchmark {

    private ManifestLoadBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int megabytes = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("netfence-load");
        boolean generated = args.length <= 1;
        try {
            if (generated) {
                generate(dir, megabytes);
            }
            long bytes = size(dir);
            System.out.println(Measure.jvm() + "; input " + (bytes >> 20) + " MiB in " + count(dir) + " files at " + dir);
            long before = Measure.usedHeapAfterGc();
            resetPeaks();
            Measure m = Measure.start();
            Manifests manifests = ManifestLoader.load(LoadOptions.STRICT, List.of(dir));
            ClusterSnapshot snapshot = manifests.snapshot();
            String time = m.done();
            long peak = peakHeap() - before;
            long retained = Measure.usedHeapAfterGc() - before;
            System.out.printf("loaded %d objects (%d policies in the snapshot): %s%n", manifests.objects().size(),
                    snapshot.policies().size(), time);
            System.out.printf("heap: peak %d MiB (%.1fx the input), retained %d MiB (%.1fx the input); process peak RSS %s; "
                    + "load average %s%n", peak >> 20, (double) peak / bytes, retained >> 20, (double) retained / bytes, peakRss(),
                    Measure.loadAverage());
            // keep the result reachable until measured
            if (manifests.objects().isEmpty()) {
                System.out.println("nothing loaded");
            }
        } finally {
            if (generated) {
                delete(dir);
            }
        }
    }

    /** {@code megabytes} MiB of NetworkPolicies in 1 MiB files, in 10 namespaces. */
    static void generate(Path dir, int megabytes) throws IOException {
        int policy = 0;
        for (int f = 0; f < megabytes; f++) {
            Path file = dir.resolve(String.format("policies-%03d.yaml", f));
            long written = 0;
            try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                while (written < (1 << 20) - 2048) {
                    String doc = policy(policy++);
                    w.write(doc);
                    written += doc.length();
                }
            }
        }
    }

    private static String policy(int i) {
        return """
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: app-%1$d
                  namespace: team-%2$d
                  labels:
                    app.kubernetes.io/part-of: shop
                spec:
                  podSelector:
                    matchLabels:
                      app: app-%1$d
                  policyTypes: [Ingress, Egress]
                  ingress:
                    - from:
                        - namespaceSelector:
                            matchLabels:
                              team: team-%2$d
                          podSelector:
                            matchLabels:
                              role: client-%3$d
                      ports:
                        - protocol: TCP
                          port: 8080
                        - protocol: TCP
                          port: metrics
                  egress:
                    - to:
                        - ipBlock:
                            cidr: 10.%2$d.0.0/16
                            except: [10.%2$d.%3$d.0/24]
                      ports:
                        - port: 5432
                """.formatted(i, i % 10, i % 250);
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    /** Sum of the heap pools' peaks: an upper bound of the heap in use at any moment of the load. */
    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    private static String peakRss() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM:"))
                    .map(l -> l.substring(6).strip()).findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static long count(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
