package dev.netfence.webhook.bench;

import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.crud.CrudDispatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Why the stock CRUD mock server could not hold the benchmark's cluster, measured in one run: the
 * same pods created (8 threads, as AdmissionLoadBenchmark does) into fabric8's KubernetesCrudDispatcher
 * and into {@link IndexedCrudDispatcher}, creates per second for each quarter of the fill, then the
 * time of a GET by name at the full size. {@code java -cp ... dev.netfence.webhook.bench.MockFillCost [pods]}
 * (default 20,000).
 */
public final class MockFillCost {

    public static void main(String[] args) throws Exception {
        AdmissionLoadBenchmark.MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
        int pods = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        try {
            fill("KubernetesCrudDispatcher", new KubernetesCrudDispatcher(List.of()), pods);
            fill("IndexedCrudDispatcher", new IndexedCrudDispatcher(), pods);
        } finally {
            System.exit(0);   // the mock servers' vert.x loops are not daemon threads
        }
    }

    static void fill(String name, CrudDispatcher dispatcher, int pods) throws Exception {
        KubernetesMockServer api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        api.init();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (NamespacedKubernetesClient client = api.createClient()) {
            StringBuilder out = new StringBuilder(String.format("%-25s creates/s:", name));
            for (int quarter = 0; quarter < 4; quarter++) {
                List<Future<?>> done = new ArrayList<>();
                long t0 = System.nanoTime();
                for (int i = quarter * pods / 4; i < (quarter + 1) * pods / 4; i++) {
                    int n = i;
                    done.add(pool.submit(() -> client.resource(AdmissionLoadBenchmark.fillerPod(n, 100)).create()));
                }
                for (Future<?> f : done) {
                    f.get();
                }
                out.append(String.format(" %,d-%,d pods %.0f;", quarter * pods / 4, (quarter + 1) * pods / 4,
                        (pods / 4) / ((System.nanoTime() - t0) / 1e9)));
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < 200; i++) {
                client.pods().inNamespace("fill-" + (i % 100)).withName("pod-" + i).get();
            }
            System.out.printf("%s GET by name at %,d pods %.2f ms; load average %s%n", out, pods,
                    (System.nanoTime() - t0) / 1e6 / 200, AdmissionLoadBenchmark.loadAverage());
        } finally {
            pool.shutdownNow();
            api.destroy();
        }
    }
}
