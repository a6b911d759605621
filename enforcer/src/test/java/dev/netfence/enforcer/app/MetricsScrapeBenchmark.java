package dev.netfence.enforcer.app;

import dev.netfence.enforcer.nft.RuleCounters;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code /q/metrics} costs with the rule counters of a 10,000-pod table: the app's own
 * {@link EnforcerMetrics} on Micrometer's Prometheus registry (the one the Quarkus extension serves)
 * holding 12,000 rule comments (24,000 series, what IdleBenchmark's table has), timed per scrape.
 * The scrape only formats cached values: counters are read by the loop on its own schedule, never
 * on the request. Run: {@code enforcer/bench.sh MetricsScrapeBenchmark [rules]}.
 */
public final class MetricsScrapeBenchmark {
    public static void main(String[] args) throws Exception {
        int rules = args.length > 0 ? Integer.parseInt(args[0]) : 12_000;
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        EnforcerMetrics metrics = new EnforcerMetrics(registry, registry);
        Map<String, RuleCounters.Count> counts = new TreeMap<>();
        for (int i = 0; i < rules; i++) {
            counts.put(i % 6 == 5 ? "ingress isolated by bench/np-" + i : "NetworkPolicy bench/np-" + i / 5 + " spec.ingress[" + i % 5 + "]",
                    new RuleCounters.Count(i * 3L, i * 180L));
        }
        long t = System.nanoTime();
        metrics.counters(counts);
        double registerMs = (System.nanoTime() - t) / 1e6;
        long t1 = System.nanoTime();
        metrics.counters(counts);
        double updateMs = (System.nanoTime() - t1) / 1e6;
        int n = 30;
        double[] ms = new double[n];
        double[] cpu = new double[n];
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int bytes = 0;
        for (int i = 0; i < n; i++) {
            long s = System.nanoTime();
            long c = threads.getCurrentThreadCpuTime();
            bytes = registry.scrape().length();
            cpu[i] = (threads.getCurrentThreadCpuTime() - c) / 1e6;
            ms[i] = (System.nanoTime() - s) / 1e6;
        }
        double[] warmCpu = Arrays.copyOfRange(cpu, 10, n);
        Arrays.sort(warmCpu);
        double[] warm = Arrays.copyOfRange(ms, 10, n);
        Arrays.sort(warm);
        System.out.printf("%,d rule comments (%,d series): first publish %.0f ms, next publish %.1f ms; one scrape (%,d bytes):"
                        + " first %.0f ms, warm median %.1f ms (%.1f ms CPU of the scraping thread), max %.1f ms%n", rules, rules * 2,
                registerMs, updateMs, bytes, ms[0], warm[warm.length / 2], warmCpu[warmCpu.length / 2], warm[warm.length - 1]);
        System.out.println("load average: " + Files.readString(Path.of("/proc/loadavg")).strip());
    }
}
