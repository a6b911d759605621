package dev.netfence.webhook.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Issue 10's hostile sizes against the packaged webhook: four clients sending ~1.15 MB policies back
 * to back (a peer selector with ~25,000 labels: small enough for etcd), one client alternating
 * policies of 20,000 and 50,000 rules, and ordinary requests at 50/s, all at once. Reports latency
 * and HTTP statuses per kind (a 5xx is a failure), and the webhook's peak resident memory.
 */
final class Hostile {

    private Hostile() {
    }

    record Kind(String name, List<Long> latencies, Map<Integer, AtomicInteger> statuses, AtomicInteger denied) {
        Kind(String name) {
            this(name, Collections.synchronizedList(new ArrayList<>()), new ConcurrentHashMap<>(), new AtomicInteger());
        }

        void record(long nanos, int status, String body) {
            latencies.add(nanos);
            statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
            if (body.contains("\"allowed\":false")) {
                denied.incrementAndGet();
            }
        }

        String report() {
            List<Long> sorted = new ArrayList<>(latencies);
            Collections.sort(sorted);
            if (sorted.isEmpty()) {
                return name + ": none";
            }
            long[] a = sorted.stream().mapToLong(Long::longValue).toArray();
            Map<Integer, Integer> st = new TreeMap<>();
            statuses.forEach((k, v) -> st.put(k, v.get()));
            return String.format("%-28s %5d requests: p50 %8.2f ms, p99 %8.2f ms, max %8.2f ms; HTTP %s; denied %d", name,
                    a.length, AdmissionLoadBenchmark.ms(a, 0.5), AdmissionLoadBenchmark.ms(a, 0.99), a[a.length - 1] / 1e6, st,
                    denied.get());
        }
    }

    static String selectorBomb() throws Exception {
        NetworkPolicy np = AdmissionLoadBenchmark.policy(3, true);
        np.getMetadata().setName("selector-bomb");
        Map<String, String> labels = new TreeMap<>();
        for (int i = 0; i < 25_000; i++) {
            labels.put("example.com/label-" + i, "value-" + i);
        }
        np.getSpec().getEgress().get(0).getTo().get(0).getPodSelector().setMatchLabels(labels);
        return AdmissionLoadBenchmark.review("CREATE", np, null);
    }

    static String manyRules(int rules) throws Exception {
        NetworkPolicy np = AdmissionLoadBenchmark.policy(5, true);
        np.getMetadata().setName("rules-" + rules);
        var rule = np.getSpec().getEgress().get(0);
        np.getSpec().setEgress(Collections.nCopies(rules, rule));
        return AdmissionLoadBenchmark.review("CREATE", np, null);
    }

    static void run(HttpClient http, URI uri, int seconds, long webhookPid) throws Exception {
        String bomb = selectorBomb();
        String[] rules = {manyRules(20_000), manyRules(50_000)};
        String[] normal = AdmissionLoadBenchmark.requests();
        System.out.printf("hostile bodies: selector bomb %.2f MB, 20k rules %.2f MB, 50k rules %.2f MB%n", bomb.length() / 1e6,
                rules[0].length() / 1e6, rules[1].length() / 1e6);
        Kind bombs = new Kind("1.15 MB selector (4 clients)");
        Kind many = new Kind("20k/50k-rule policies");
        Kind ordinary = new Kind("ordinary at 50/s");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong seq = new AtomicLong();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            clients.add(daemon(() -> loop(http, uri, end, seq, () -> bomb, bombs)));
        }
        AtomicInteger flip = new AtomicInteger();
        clients.add(daemon(() -> loop(http, uri, end, seq, () -> rules[flip.getAndIncrement() % 2], many)));
        clients.add(daemon(() -> {
            long interval = 20_000_000L;
            long due = System.nanoTime();
            int i = 0;
            while (due < end) {
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                long dueAt = due;
                String body = normal[i++ % normal.length].replace("\"UID\"", "\"n-" + seq.incrementAndGet() + "\"");
                http.sendAsync(request(uri, body), HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) ->
                        ordinary.record(System.nanoTime() - dueAt, e != null ? -1 : r.statusCode(), e != null ? "" : r.body()));
                due += interval;
            }
        }));
        for (Thread t : clients) {
            t.join();
        }
        Thread.sleep(6_000);   // the last answers (timeout 5 s)
        System.out.println(bombs.report());
        System.out.println(many.report());
        System.out.println(ordinary.report());
        System.out.printf("webhook peak resident memory (VmHWM): %d MiB (the Deployment's JVM options and memory limit); "
                + "load average %s%n", AdmissionLoadBenchmark.peakRssMiB(webhookPid), AdmissionLoadBenchmark.loadAverage());
    }

    private static Thread daemon(Runnable r) {
        Thread t = new Thread(r, "bench-hostile");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static HttpRequest request(URI uri, String body) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static void loop(HttpClient http, URI uri, long end, AtomicLong seq, java.util.function.Supplier<String> body,
                             Kind kind) {
        while (System.nanoTime() < end) {
            String b = body.get().replace("\"UID\"", "\"h-" + seq.incrementAndGet() + "\"");
            long t0 = System.nanoTime();
            try {
                HttpResponse<String> r = http.send(request(uri, b), HttpResponse.BodyHandlers.ofString());
                kind.record(System.nanoTime() - t0, r.statusCode(), r.body());
            } catch (Exception e) {
                kind.record(System.nanoTime() - t0, -1, "");
            }
        }
    }
}
