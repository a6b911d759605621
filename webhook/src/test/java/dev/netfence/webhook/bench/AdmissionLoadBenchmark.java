package dev.netfence.webhook.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.File;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Admission latency under load, over HTTPS on loopback: the packaged webhook (a separate JVM, as in
 * production) answers from informers on a fabric8 mock API server holding namespace {@code bench}
 * with 5,000 pods (100 label classes of 50) and 500 NetworkPolicies (5 per class; one per class
 * keeps DNS), plus two CoreDNS pods. The load is open-loop at a fixed rate; latency is measured from
 * the moment each request was due, so a stalled server is not hidden (no coordinated omission).
 * Requests alternate an UPDATE that drops a class's only DNS rule (denied) and a CREATE of an extra
 * egress policy for a class that keeps DNS elsewhere (allowed).
 *
 * <pre>
 * ./mvnw -q -pl webhook -am package -DskipTests
 * ./mvnw -q -pl webhook dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
 * java -cp webhook/target/test-classes:$(cat webhook/target/bench.cp) dev.netfence.webhook.bench.AdmissionLoadBenchmark [seconds]
 * </pre>
 */
public final class AdmissionLoadBenchmark {

    static {
        // jboss-logmanager is on this classpath (Quarkus' logging) and registers itself as the System.Logger finder,
        // which the JDK's HttpClient asks: with java.util.logging's own manager in place it printed "ERROR: The
        // LogManager accessed before the java.util.logging.manager system property was set" at the first request.
        // Set before any logger exists, as a Quarkus application does at start.
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        }
    }

    static final int PODS = 5_000;
    static final int POLICIES = 500;
    static final int CLASSES = 100;
    static final int PORT = 18443;
    /**
     * Pods and policies in other namespaces, so that the model has the size of the cluster:
     * 150,000 pods (with bench's 5,000 and the 2 CoreDNS pods) on 5,000 nodes, 10,000 policies, in
     * 1,000 namespaces. Judged requests stay in bench. {@code -Dbench.fillerPods=0 -Dbench.fillerPolicies=0}
     * for the small model (5,002 pods / 500 policies; the hostile run's default).
     */
    static int fillerPods;
    static int fillerPolicies;
    static final int FILLER_NAMESPACES = Integer.getInteger("bench.fillerNamespaces", 1_000);
    static final int NODES = Integer.getInteger("bench.nodes", 5_000);
    /** Pod label updates per second sent to the API server during the timed runs. */
    static final int POD_UPDATES = Integer.getInteger("bench.podUpdates", 50);
    /** How many distinct bench pods the pod updates relabel, in turn (the first 500 of one 10 s run at 50/s). */
    static final int RELABELLED = 500;
    /** CPUs (taskset list) of the webhook's process and of this one (load generator and mock API server); empty: not pinned. */
    static final String WEBHOOK_CPUS = System.getProperty("bench.webhookCpus",
            Runtime.getRuntime().availableProcessors() >= 2 ? "1" : "");
    static final String DRIVER_CPUS = System.getProperty("bench.driverCpus",
            Runtime.getRuntime().availableProcessors() >= 2 ? "0" : "");
    /** Diagnostics only (e.g. -XX:StartFlightRecording=...), added after the Deployment's options; never for reported figures. */
    static final String WEBHOOK_EXTRA_JVM = System.getProperty("bench.webhookJvmArgs", "");
    /** Runs to take the webhook's CPU profile of (CpuProfile): e.g. {@code serial,1000}; diagnostics, like the above. */
    static final String PROFILE = System.getProperty("bench.profile", "");
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final int CPUS = Runtime.getRuntime().availableProcessors();
    /** Held here: java.util.logging keeps loggers weakly, and a collected one forgets its level (one INFO line per request). */
    static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    public static void main(String[] args) throws Exception {
        int status = 0;
        try {
            benchmark(args);
        } catch (Exception | Error e) {
            // said before the exit below, which would otherwise swallow it
            System.err.println("AdmissionLoadBenchmark: " + e.getMessage());
            status = 1;
        } finally {
            // the mock API server's vert.x event loops are not daemon threads and outlive api.destroy():
            // without this the JVM never exits after the last figure
            System.exit(status);
        }
    }

    static void benchmark(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        boolean hostile = args.length > 1 && "hostile".equals(args[1]);
        fillerPods = Integer.getInteger("bench.fillerPods", hostile ? 0 : 150_000 - PODS - 2);
        fillerPolicies = Integer.getInteger("bench.fillerPolicies", hostile ? 0 : 10_000 - POLICIES);
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
        Path root = Path.of(".").toAbsolutePath().normalize();
        Path jar = root.resolve("webhook/target/quarkus-app/quarkus-run.jar");
        Path tls = ecdsaCertificate(root.resolve("webhook/target/bench-tls"));
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: run ./mvnw -q -pl webhook -am package -DskipTests first");
        }
        ShippedJvm shipped = ShippedJvm.read(root.resolve("src/main/kubernetes/webhook/deployment.yaml"));
        pin(ProcessHandle.current().pid(), DRIVER_CPUS);
        System.out.printf("load average %s; %d CPUs; load generator and mock API server on CPUs [%s], webhook on CPUs [%s]%n",
                loadAverage(), CPUS, DRIVER_CPUS.isEmpty() ? "all" : DRIVER_CPUS,
                WEBHOOK_CPUS.isEmpty() ? "all" : WEBHOOK_CPUS);
        // the CRUD mock server with its by-name lookups indexed: the stock one is quadratic to fill (IndexedCrudDispatcher)
        KubernetesMockServer api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new IndexedCrudDispatcher(), false);
        api.init();
        Process webhook = null;
        try (NamespacedKubernetesClient client = api.createClient()) {
            long t0 = System.nanoTime();
            populate(client);
            System.out.printf("API server: %d pods on %d nodes, %d policies, %d namespaces created in %.1f s%n",
                    PODS + 2 + fillerPods, NODES, POLICIES + fillerPolicies, 2 + fillerNamespaces(), (System.nanoTime() - t0) / 1e9);
            Path gcLog = root.resolve("webhook/target/bench-webhook-gc.log");
            Files.deleteIfExists(gcLog);
            List<String> command = new ArrayList<>();
            if (!WEBHOOK_CPUS.isEmpty()) {
                command.addAll(List.of("taskset", "-c", WEBHOOK_CPUS));
            }
            // the JVM as the Deployment runs it: its JAVA_TOOL_OPTIONS, and the container's memory limit as the
            // memory the JVM sizes its heap from (what it reads from the cgroup in a pod); GC events to a log
            command.addAll(List.of("java", "-XX:MaxRAM=" + shipped.memoryLimitBytes(), "-Xlog:gc:file=" + gcLog));
            if (!WEBHOOK_EXTRA_JVM.isBlank()) {
                command.addAll(Arrays.asList(WEBHOOK_EXTRA_JVM.trim().split("\\s+")));
            }
            command.addAll(List.of(
                    "-Dquarkus.kubernetes-client.api-server-url=" + client.getMasterUrl(),
                    "-Dquarkus.kubernetes-client.trust-certs=true",
                    "-Dquarkus.kubernetes-client.namespace=default",
                    "-Dquarkus.http.ssl-port=" + PORT,
                    "-Dquarkus.http.ssl.certificate.files=" + tls.resolve("tls.crt"),
                    "-Dquarkus.http.ssl.certificate.key-files=" + tls.resolve("tls.key"),
                    "-Dquarkus.log.level=WARN",
                    "-jar", jar.toString()));
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().put("JAVA_TOOL_OPTIONS", shipped.javaToolOptions());
            System.out.printf("webhook JVM: JAVA_TOOL_OPTIONS=\"%s\" (the Deployment's), -XX:MaxRAM=%dm (its memory limit)%n",
                    shipped.javaToolOptions(), shipped.memoryLimitBytes() >> 20);
            webhook = pb.redirectErrorStream(true).redirectOutput(new File("webhook/target/bench-webhook.log")).start();
            // daemon threads, shut down below: the client's pool kept the JVM alive after the last figure
            clientPool = Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "bench-http");
                t.setDaemon(true);
                return t;
            });
            HttpClient http = HttpClient.newBuilder().sslContext(trust(tls.resolve("tls.crt")))
                    .executor(clientPool).connectTimeout(Duration.ofSeconds(5)).build();
            long ready = System.nanoTime();
            // polled on a connection of its own: the load starts on a fresh one, not on one left idle meanwhile
            waitUntilReady(HttpClient.newBuilder().sslContext(trust(tls.resolve("tls.crt"))).executor(clientPool)
                    .connectTimeout(Duration.ofSeconds(5)).build());
            System.out.printf("webhook ready (caches synced) after %.1f s%n", (System.nanoTime() - ready) / 1e9);
            // what the model costs: one full collection (jcmd GC.run, before any timed run), its heap after
            new ProcessBuilder("jcmd", Long.toString(webhook.pid()), "GC.run").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(60, TimeUnit.SECONDS);
            Thread.sleep(500);
            System.out.printf("webhook live heap with the model loaded: %s%n", GcLog.lastHeap(gcLog));
            String[] bodies = requests();
            run(http, bodies, 200, 10, false);    // warm-up (connections, first compilations), not reported
            // with pod updates arriving, as in a cluster: the update path (informer, model, view publisher) is compiled
            // too; warmed without them, the first run with updates still spent 0.50 ms per request in the JIT
            // (2026-12-02, session 6). It also relabels the pods the timed runs' updates relabel (the same 500), so
            // every timed run judges the same classes of pods.
            PodUpdates updates = new PodUpdates(client, POD_UPDATES);
            updates.start();
            warmUp(http, bodies, webhook.pid(), false);
            updates.stop();
            System.out.printf("  (the warm-up above: while %d pod updates/s arrive; %d updates sent, %d failed)%n",
                    POD_UPDATES, updates.sent(), updates.failed());
            warmUp(http, bodies, webhook.pid(), true);
            if (hostile) {
                Hostile.run(http, URI.create("https://localhost:" + PORT + "/validate"), seconds, webhook.pid());
                return;
            }
            CpuProfile profile = CpuProfile.of(PROFILE, webhook.pid(), root.resolve("webhook/target"));
            Usage usage = new Usage(webhook.pid(), gcLog);
            profile.start("serial");
            serial(http, bodies, 2000);
            System.out.println("  " + usage.next(2000));
            profile.stop("serial", 2000);
            for (int rate : new int[] {200, 1000}) {
                profile.start(Integer.toString(rate));
                run(http, bodies, rate, seconds, true);
                System.out.println("  " + usage.next(rate * seconds));
                profile.stop(Integer.toString(rate), rate * seconds);
                updates.start();
                profile.start(rate + "+updates");
                run(http, bodies, rate, seconds, true);
                updates.stop();
                System.out.printf("  (the run above: while %d pod updates/s arrive; %d updates sent, %d failed)%n",
                        POD_UPDATES, updates.sent(), updates.failed());
                System.out.println("  " + usage.next(rate * seconds));
                profile.stop(rate + "+updates", rate * seconds);
            }
            System.out.printf("webhook peak resident memory (VmHWM): %d MiB; load average %s%n", peakRssMiB(webhook.pid()),
                    loadAverage());
        } finally {
            if (clientPool != null) {
                clientPool.shutdownNow();
            }
            if (webhook != null) {
                webhook.destroy();
                webhook.waitFor(10, TimeUnit.SECONDS);
            }
            api.destroy();
        }
    }

    /**
     * A serving certificate like the install bundle's (cert-manager, {@code privateKey: ECDSA 256}:
     * src/main/kubernetes/webhook/certificates.yaml), made with openssl as the README's recipe does.
     * Not the tests' RSA-2048 certificate: a TLS handshake signed with RSA costs the webhook several
     * times more CPU than with P-256.
     */
    static Path ecdsaCertificate(Path dir) throws Exception {
        Files.createDirectories(dir);
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                "-keyout", dir.resolve("tls.key").toString(), "-out", dir.resolve("tls.crt").toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("openssl could not make the benchmark's certificate: " + out.trim());
        }
        return dir;
    }

    static int fillerNamespaces() {
        return fillerPods + fillerPolicies == 0 ? 0 : FILLER_NAMESPACES;
    }

    /** All threads of process {@code pid} (and those they start) on {@code cpus}, with taskset; nothing when empty. */
    static void pin(long pid, String cpus) throws Exception {
        if (cpus.isEmpty()) {
            return;
        }
        Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", cpus, Long.toString(pid)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("taskset -a -p -c " + cpus + " " + pid + " failed: " + out.trim());
        }
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /** CPU of each process and the webhook's GC pauses between two calls of {@link #next}. */
    static final class Usage {
        private final long webhookPid;
        private final GcLog gc;
        private final java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        private long wall = System.nanoTime();
        private long webhookCpu;
        private long webhookSystem;
        private long driverCpu;
        private final Map<String, Long> compilers = new HashMap<>();

        Usage(long webhookPid, Path gcLog) {
            this.webhookPid = webhookPid;
            this.gc = new GcLog(gcLog);
            this.webhookCpu = cpuNanos(webhookPid);
            this.webhookSystem = systemNanos(webhookPid);
            this.driverCpu = driverCpuNanos();
            jitNanosSince(webhookPid, compilers);
            gc.pauses();   // from here on
        }

        /** What the run since the last call cost; {@code requests}: how many it sent (CPU per request is over those). */
        String next(int requests) {
            long now = System.nanoTime();
            long w = cpuNanos(webhookPid);
            long sys = systemNanos(webhookPid);
            long d = driverCpuNanos();
            double seconds = (now - wall) / 1e9;
            String s = String.format("CPU over the run (%.1f s): webhook %.0f%% of a core, load generator + mock API server %.0f%%; "
                    + "webhook CPU per request %.2f ms (%.2f ms of it in the kernel, %.2f ms in JIT compiler threads); "
                    + "webhook GC: %s; load average %s", seconds,
                    100.0 * (w - webhookCpu) / (now - wall), 100.0 * (d - driverCpu) / (now - wall),
                    (w - webhookCpu) / 1e6 / requests, (sys - webhookSystem) / 1e6 / requests,
                    jitNanosSince(webhookPid, compilers) / 1e6 / requests, gc.pauses(), loadAverage());
            wall = now;
            webhookCpu = w;
            webhookSystem = sys;
            driverCpu = d;
            return s;
        }

        private long driverCpuNanos() {
            return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
        }

        /** stime of /proc/PID/stat (CPU time in the kernel), in clock ticks of 10 ms. */
        static long systemNanos(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(f[12]) * 10_000_000L;
            } catch (java.io.IOException e) {
                return -1;
            }
        }

        /** utime + stime of /proc/PID/stat, in clock ticks of 10 ms (USER_HZ is 100 on Linux). */
        static long cpuNanos(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
            } catch (java.io.IOException e) {
                return -1;
            }
        }
    }

    /** The webhook's {@code -Xlog:gc} file: pauses logged since the last call, and the last heap occupancy. */
    static final class GcLog {
        private static final java.util.regex.Pattern PAUSE = java.util.regex.Pattern.compile(
                "Pause .*?(\\d+)M->(\\d+)M\\((\\d+)M\\) (\\d+\\.\\d+)ms");
        private final Path file;
        private int linesRead;

        GcLog(Path file) {
            this.file = file;
        }

        String pauses() {
            List<String> lines = read(file);
            List<String> fresh = lines.subList(Math.min(linesRead, lines.size()), lines.size());
            linesRead = lines.size();
            int n = 0;
            double total = 0;
            double max = 0;
            String heap = "";
            for (String line : fresh) {
                java.util.regex.Matcher m = PAUSE.matcher(line);
                if (m.find()) {
                    double ms = Double.parseDouble(m.group(4));
                    n++;
                    total += ms;
                    max = Math.max(max, ms);
                    heap = m.group(2) + "M of " + m.group(3) + "M after";
                }
            }
            return n == 0 ? "no pause" : String.format("%d pauses, total %.1f ms, max %.2f ms, heap %s", n, total, max, heap);
        }

        static String lastHeap(Path file) {
            List<String> lines = read(file);
            for (int i = lines.size() - 1; i >= 0; i--) {
                java.util.regex.Matcher m = PAUSE.matcher(lines.get(i));
                if (m.find()) {
                    return m.group(2) + " MiB used of " + m.group(3) + " MiB after the last GC";
                }
            }
            return "no GC yet";
        }

        private static List<String> read(Path file) {
            try {
                return Files.exists(file) ? Files.readAllLines(file) : List.of();
            } catch (java.io.IOException e) {
                return List.of();
            }
        }
    }

    /** The webhook container's JAVA_TOOL_OPTIONS and memory limit, read from the install bundle's Deployment. */
    record ShippedJvm(String javaToolOptions, long memoryLimitBytes) {
        static ShippedJvm read(Path deployment) throws java.io.IOException {
            io.fabric8.kubernetes.api.model.apps.Deployment d;
            try (InputStream in = Files.newInputStream(deployment)) {
                d = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(in, io.fabric8.kubernetes.api.model.apps.Deployment.class);
            }
            var container = d.getSpec().getTemplate().getSpec().getContainers().stream()
                    .filter(c -> "webhook".equals(c.getName())).findFirst()
                    .orElseThrow(() -> new IllegalStateException(deployment + ": no container named webhook"));
            String options = container.getEnv().stream().filter(e -> "JAVA_TOOL_OPTIONS".equals(e.getName())).findFirst()
                    .map(io.fabric8.kubernetes.api.model.EnvVar::getValue)
                    .orElseThrow(() -> new IllegalStateException(deployment + ": the webhook container sets no JAVA_TOOL_OPTIONS"));
            long limit = container.getResources().getLimits().get("memory").getNumericalAmount().longValue();
            return new ShippedJvm(options, limit);
        }
    }

    static java.util.concurrent.ExecutorService clientPool;

    static void populate(NamespacedKubernetesClient client) throws Exception {
        List<String> namespaces = new ArrayList<>(List.of("kube-system", "bench"));
        int fillerNamespaces = fillerNamespaces();
        for (int n = 0; n < fillerNamespaces; n++) {
            namespaces.add("fill-" + n);
        }
        for (String ns : namespaces) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        }
        for (int i = 0; i < 2; i++) {
            client.resource(pod("kube-system", "coredns-" + i, "10.96.0." + (10 + i), Map.of("k8s-app", "kube-dns"))).create();
        }
        // creates from a few threads: the mock server answers each in well under a millisecond, the round trips dominate
        java.util.concurrent.ExecutorService pool = Executors.newFixedThreadPool(8);
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int i = 0; i < PODS; i++) {
            int n = i;
            done.add(pool.submit(() -> create(client, pod("bench", "pod-" + n, "10.1." + (n / 250) + "." + (n % 250 + 1),
                    Map.of("app", "app-" + (n % CLASSES), "tier", "t" + (n % 7))))));
        }
        for (int j = 0; j < POLICIES; j++) {
            int n = j;
            done.add(pool.submit(() -> create(client, policy(n, n < CLASSES))));
        }
        for (int i = 0; i < fillerPods; i++) {
            int n = i;
            done.add(pool.submit(() -> create(client, fillerPod(n, fillerNamespaces))));
        }
        for (int j = 0; j < fillerPolicies; j++) {
            int n = j;
            done.add(pool.submit(() -> create(client, fillerPolicy(n, fillerNamespaces))));
        }
        for (var f : done) {
            f.get();
        }
        pool.shutdown();
    }

    /**
     * One create of the fill, tried up to 3 times: on a saturated machine (load 20-35 from other builds) a create
     * can time out on the client after the server stored it, which the next try then finds as a conflict.
     */
    static Object create(NamespacedKubernetesClient client, io.fabric8.kubernetes.api.model.HasMetadata object) {
        for (int attempt = 1; ; attempt++) {
            try {
                return client.resource(object).create();
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() == 409 && attempt > 1) {
                    return object;   // stored by the try that timed out
                }
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    /** Filler pod {@code n} of the other namespaces (the same 100 label classes as bench). */
    static Pod fillerPod(int n, int namespaces) {
        return pod("fill-" + (n % namespaces), "pod-" + n, "10." + (2 + n / 62_500) + "." + (n / 250 % 250) + "." + (n % 250 + 1),
                Map.of("app", "app-" + (n % CLASSES), "tier", "t" + (n % 7)));
    }

    /** Filler policy {@code n}: bench's policy shape in another namespace. */
    static NetworkPolicy fillerPolicy(int n, int namespaces) {
        NetworkPolicy np = policy(n, n % CLASSES == 0);
        np.getMetadata().setNamespace("fill-" + (n % namespaces));
        return np;
    }

    /** Label updates of bench pods at a fixed rate (each one GET + PATCH, as kubectl label does), on a daemon thread. */
    static final class PodUpdates {
        private final NamespacedKubernetesClient client;
        private final int perSecond;
        private final AtomicInteger sent = new AtomicInteger();
        private final AtomicInteger failed = new AtomicInteger();
        private java.util.concurrent.ScheduledExecutorService timer;
        private java.util.concurrent.ExecutorService senders;

        PodUpdates(NamespacedKubernetesClient client, int perSecond) {
            this.client = client;
            this.perSecond = perSecond;
        }

        void start() {
            sent.set(0);
            failed.set(0);
            timer = Executors.newScheduledThreadPool(1, r -> {
                Thread t = new Thread(r, "bench-pod-updates");
                t.setDaemon(true);
                return t;
            });
            // the timer only hands out updates: each takes two round trips, more than 20 ms on a busy machine
            senders = Executors.newFixedThreadPool(8, r -> {
                Thread t = new Thread(r, "bench-pod-update-sender");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleAtFixedRate(() -> senders.submit(() -> {
                int n = sent.incrementAndGet();
                try {
                    // always the same 500 pods (each relabelled pod is a class of its own for the analysis): a
                    // longer warm-up with updates must not leave the timed runs more classes to judge
                    client.pods().inNamespace("bench").withName("pod-" + (((n - 1) % RELABELLED + 1) * 37 % PODS))
                            .edit(p -> new PodBuilder(p).editMetadata().addToLabels("rev", "r" + n).endMetadata().build());
                } catch (RuntimeException e) {
                    failed.incrementAndGet();
                }
            }), 0, 1_000_000 / perSecond, TimeUnit.MICROSECONDS);
        }

        int sent() {
            return sent.get();
        }

        int failed() {
            return failed.get();
        }

        void stop() {
            timer.shutdownNow();
            senders.shutdownNow();
        }
    }

    static long peakRssMiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (java.io.IOException e) {
            return -1;
        }
        return -1;
    }

    static Pod pod(String ns, String name, String ip, Map<String, String> labels) {
        return new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withNodeName("node-" + (Math.abs(name.hashCode()) % NODES)).addNewContainer().withName("main")
                .withImage("example").addNewPort().withName("http").withContainerPort(8080).endPort().endContainer().endSpec()
                .withNewStatus().withPodIP(ip).addNewPodIP(ip).endStatus().build();
    }

    /** Policy j: class j % 100 talks to the next classes; the first policy of each class also keeps DNS. */
    static NetworkPolicy policy(int j, boolean keepsDns) {
        int cls = j % CLASSES;
        List<NetworkPolicyEgressRule> egress = new ArrayList<>();
        egress.add(new NetworkPolicyEgressRuleBuilder().addNewTo().withNewPodSelector()
                .addToMatchLabels("app", "app-" + ((cls + 2) % CLASSES)).endPodSelector().endTo()
                .addNewPort().withProtocol("TCP").withPort(new IntOrString(8080)).endPort().build());
        if (keepsDns) {
            egress.add(dnsRule());
        }
        return new NetworkPolicyBuilder().withNewMetadata().withNamespace("bench").withName("policy-" + j).endMetadata()
                .withNewSpec().withNewPodSelector().addToMatchLabels("app", "app-" + cls).endPodSelector()
                .withPolicyTypes("Ingress", "Egress")
                .addNewIngress().addNewFrom().withNewPodSelector().addToMatchLabels("app", "app-" + ((cls + 1) % CLASSES))
                .endPodSelector().endFrom().addNewPort().withProtocol("TCP").withPort(new IntOrString(8080)).endPort().endIngress()
                .withEgress(egress).endSpec().build();
    }

    static NetworkPolicyEgressRule dnsRule() {
        return new NetworkPolicyEgressRuleBuilder().addNewTo()
                .withNewNamespaceSelector().addToMatchLabels("kubernetes.io/metadata.name", "kube-system").endNamespaceSelector()
                .withNewPodSelector().addToMatchLabels("k8s-app", "kube-dns").endPodSelector().endTo()
                .addNewPort().withProtocol("UDP").withPort(new IntOrString(53)).endPort()
                .addNewPort().withProtocol("TCP").withPort(new IntOrString(53)).endPort().build();
    }

    /** Bodies with {@code UID} to replace: even = denied UPDATE, odd = allowed CREATE, over all classes. */
    static String[] requests() throws Exception {
        String[] bodies = new String[2 * CLASSES];
        for (int c = 0; c < CLASSES; c++) {
            NetworkPolicy old = policy(c, true);
            NetworkPolicy dropped = policy(c, false);
            bodies[2 * c] = review("UPDATE", dropped, old);
            NetworkPolicy extra = policy(c + CLASSES * 10, false);
            extra.getMetadata().setName("extra-" + c);
            bodies[2 * c + 1] = review("CREATE", extra, null);
        }
        return bodies;
    }

    static String review(String op, NetworkPolicy object, NetworkPolicy oldObject) throws Exception {
        ObjectNode r = MAPPER.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode req = r.putObject("request");
        req.put("uid", "UID");
        req.putObject("kind").put("group", "networking.k8s.io").put("version", "v1").put("kind", "NetworkPolicy");
        req.putObject("resource").put("group", "networking.k8s.io").put("version", "v1").put("resource", "networkpolicies");
        req.put("name", object.getMetadata().getName()).put("namespace", "bench").put("operation", op);
        req.putObject("userInfo").put("username", "bench");
        req.set("object", MAPPER.valueToTree(object));
        req.set("oldObject", oldObject == null ? null : MAPPER.valueToTree(oldObject));
        req.put("dryRun", false);
        return MAPPER.writeValueAsString(r);
    }

    /**
     * The GC pauses of this JVM (the load generator and the mock API server, on their own CPU): latencies are
     * measured from each request's due time, so a pause here delays requests as much as one in the webhook does;
     * each run prints them so that the tail can be told apart (from the GC notifications: on JDK 17 G1 reports its
     * young, mixed and full pauses there, not its remark and cleanup pauses).
     */
    static final java.util.concurrent.ConcurrentLinkedQueue<Long> DRIVER_PAUSES_MICROS = new java.util.concurrent.ConcurrentLinkedQueue<>();

    static {
        for (java.lang.management.GarbageCollectorMXBean gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof javax.management.NotificationEmitter emitter) {
                emitter.addNotificationListener((notification, handback) -> {
                    if (com.sun.management.GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                        var info = com.sun.management.GarbageCollectionNotificationInfo.from(
                                (javax.management.openmbean.CompositeData) notification.getUserData());
                        // pauses only: G1's young/mixed/full collections, ZGC's "ZGC Pauses" (its "ZGC Cycles" are concurrent)
                        String name = info.getGcName();
                        if (!name.contains("Concurrent") && !name.contains("Cycles") && !info.getGcAction().contains("concurrent")) {
                            DRIVER_PAUSES_MICROS.add(info.getGcInfo().getDuration() * 1000);
                        }
                    }
                }, null, null);
            }
        }
    }

    /**
     * The webhook's own latency histogram ({@code netfence_webhook_latency_seconds}: body received to answer
     * written), cumulative count per upper bound in seconds, from its metrics endpoint: read before and after a run,
     * the difference says what the webhook itself took, apart from the sockets and this JVM.
     */
    static java.util.TreeMap<Double, Long> webhookHistogram(HttpClient http) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("https://localhost:" + PORT + "/q/metrics"))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        java.util.TreeMap<Double, Long> buckets = new java.util.TreeMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("(?m)^netfence_webhook_latency_seconds_bucket\\{.*?le=\"([^\"]+)\".*?\\} ([0-9.eE+]+)$")
                .matcher(r.body());
        while (m.find()) {
            double le = m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
            buckets.merge(le, (long) Double.parseDouble(m.group(2)), Long::sum);
        }
        return buckets;
    }

    /** The upper bound (ms) of the histogram bucket holding quantile {@code q} of the requests between two readings. */
    static String webhookQuantile(java.util.TreeMap<Double, Long> before, java.util.TreeMap<Double, Long> after, double q) {
        long total = after.lastEntry().getValue() - before.getOrDefault(after.lastKey(), 0L);
        for (var e : after.entrySet()) {
            if (e.getValue() - before.getOrDefault(e.getKey(), 0L) >= q * total) {
                return e.getKey().isInfinite() ? "> 10 s" : String.format("<= %.2f ms", e.getKey() * 1e3);
            }
        }
        return "?";
    }

    static void run(HttpClient http, String[] bodies, int rate, int seconds, boolean report) throws Exception {
        java.util.TreeMap<Double, Long> histogramBefore = report ? webhookHistogram(http) : null;
        DRIVER_PAUSES_MICROS.clear();
        int total = rate * seconds;
        long[] latency = new long[total];
        AtomicInteger denied = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<String> firstFailure = new java.util.concurrent.atomic.AtomicReference<>();
        List<CompletableFuture<?>> inFlight = new ArrayList<>(total);
        URI uri = URI.create("https://localhost:" + PORT + "/validate");
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime() + 50_000_000L;
        for (int i = 0; i < total; i++) {
            long due = start + i * interval;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            int n = i;
            String body = bodies[i % bodies.length].replace("\"UID\"", "\"req-" + i + "\"");
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
            inFlight.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((resp, err) -> {
                latency[n] = System.nanoTime() - due;
                if (err != null || resp.statusCode() != 200 || !resp.body().contains("\"req-" + n + "\"")) {
                    failed.incrementAndGet();
                    firstFailure.compareAndSet(null, err != null ? err.toString() : resp.statusCode() + " " + resp.body());
                } else if (resp.body().contains("\"allowed\":false")) {
                    denied.incrementAndGet();
                }
            }));
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).exceptionally(e -> null).get(60, TimeUnit.SECONDS);
        if (!report) {
            return;
        }
        long[] sorted = latency.clone();
        Arrays.sort(sorted);
        System.out.printf("rate %4d req/s, %5d requests over %d s: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms; "
                        + "denied %d, failed %d%n", rate, total, seconds, ms(sorted, 0.50), ms(sorted, 0.90), ms(sorted, 0.99),
                sorted[total - 1] / 1e6, denied.get(), failed.get());
        if (firstFailure.get() != null) {
            System.out.println("first failure: " + firstFailure.get());
        }
        java.util.TreeMap<Double, Long> histogramAfter = webhookHistogram(http);
        if (!histogramAfter.isEmpty()) {
            System.out.printf("  the webhook's own latency (its histogram, body received to answer written): p50 %s, p99 %s%n",
                    webhookQuantile(histogramBefore, histogramAfter, 0.50), webhookQuantile(histogramBefore, histogramAfter, 0.99));
        }
        List<Long> pauses = new ArrayList<>(DRIVER_PAUSES_MICROS);
        System.out.printf("  load generator + mock API server JVM (CPU %s): %d GC pauses, total %.1f ms, max %.1f ms%n",
                DRIVER_CPUS.isEmpty() ? "any" : DRIVER_CPUS, pauses.size(),
                pauses.stream().mapToLong(Long::longValue).sum() / 1e3,
                pauses.stream().mapToLong(Long::longValue).max().orElse(0) / 1e3);
    }

    /**
     * Until the JIT has compiled the request path and the cost has settled: batches of 1,000 requests one at a time,
     * each printed with the webhook's CPU per request and the part of it its JIT compiler threads used (their CPU
     * from /proc/PID/task/TID/stat, threads named "C1/C2 CompilerThre..."). It stops when the compilers used less
     * than 5% of each of the last three batches' CPU and, {@code untilStable}, those batches cost within 10% of each
     * other (at least 5 batches, at most 40); if it stops at 40, the line says the webhook had not settled. The
     * benchmark runs it twice: while pod updates arrive (so that their path is compiled too; their CPU varies from
     * batch to batch, so only the JIT is waited for), then without until the cost is stable. The former rule (stop
     * when a batch is not 10% cheaper than the one before, at least 3) stopped at 4.75, 3.02, 3.35 ms on the near
     * idle machine with the compilers still at work: the session-5 profile of the 1,000 req/s run still gave 0.14 ms
     * per request (15%) to the JIT. 2,000 requests at 200/s, before that, were not enough either: at 150,000 pods
     * C2 was still compiling the analysis (PolicyEngine.side ~1 s, restrictedTo, RequestLimits.scan) and the
     * concurrent GC cycle of the listed model was running during the serial run. A webhook in a cluster runs warm;
     * the first minute after its start is what this loop prints, the figures after it are the steady state.
     */
    static void warmUp(HttpClient http, String[] bodies, long webhookPid, boolean untilStable) throws Exception {
        List<String> costs = new ArrayList<>();
        List<Double> perBatch = new ArrayList<>();
        List<Double> jitShares = new ArrayList<>();
        int lost = 0;
        boolean settled = false;
        Map<String, Long> compilers = new java.util.HashMap<>();
        jitNanosSince(webhookPid, compilers);
        while (perBatch.size() < 40) {
            long cpu = Usage.cpuNanos(webhookPid);
            try {
                serial(http, bodies, 1000, false);
            } catch (java.io.IOException e) {
                // on a saturated machine a new connection can miss the 5 s connect timeout: the batch does not count
                if (++lost > 3) {
                    throw e;
                }
                costs.add("(batch lost: " + e.getMessage() + ")");
                jitNanosSince(webhookPid, compilers);   // the lost batch's compilations do not count for the next
                continue;
            }
            double perRequest = (Usage.cpuNanos(webhookPid) - cpu) / 1e6 / 1000;
            double jitPerRequest = jitNanosSince(webhookPid, compilers) / 1e6 / 1000;
            costs.add(String.format("%.2f (JIT %.2f)", perRequest, jitPerRequest));
            perBatch.add(perRequest);
            jitShares.add(jitPerRequest / perRequest);
            int n = perBatch.size();
            if (n >= 5) {
                List<Double> last = perBatch.subList(n - 3, n);
                double min = last.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
                double max = last.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
                boolean compiled = jitShares.subList(n - 3, n).stream().allMatch(share -> share < 0.05);
                if (compiled && (!untilStable || max <= min * 1.1)) {
                    settled = true;
                    break;
                }
            }
        }
        System.out.printf("warm-up%s: %d batches of 1,000 requests one at a time, webhook CPU per request (of it JIT compiler "
                        + "threads) [%s] ms; %s; load average %s%n", untilStable ? "" : " with pod updates", perBatch.size(),
                String.join(", ", costs), !settled ? "NOT settled after 40 batches"
                        : untilStable ? "settled (last 3 within 10% and JIT < 5% each)" : "compiled (JIT < 5% in each of the last 3)",
                loadAverage());
    }

    /**
     * CPU the webhook's JIT compiler threads used since the last call with the same {@code seen} (utime + stime of
     * each /proc/PID/task/TID, 10 ms ticks). Per thread, since the JVM stops idle compiler threads and starts new
     * ones (UseDynamicNumberOfCompilerThreads): a sum over the live threads could go down.
     */
    static long jitNanosSince(long pid, Map<String, Long> seen) {
        long sum = 0;
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        long cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
                        Long before = seen.put(task.getFileName().toString(), cpu);
                        sum += cpu - (before == null ? 0 : before);
                    }
                } catch (java.io.IOException | RuntimeException e) {
                    // a compiler thread that ended between the listing and the read
                }
            }
        } catch (java.io.IOException e) {
            return -1;
        }
        return sum;
    }

    /** One request at a time: the service time without queueing, to tell the server's cost from a busy machine's. */
    static void serial(HttpClient http, String[] bodies, int n) throws Exception {
        serial(http, bodies, n, true);
    }

    static void serial(HttpClient http, String[] bodies, int n, boolean report) throws Exception {
        URI uri = URI.create("https://localhost:" + PORT + "/validate");
        long[] latency = new long[n];
        int resent = 0;
        for (int i = 0; i < n; i++) {
            String body = bodies[i % bodies.length].replace("\"UID\"", "\"serial-" + i + "\"");
            HttpRequest request = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            long t0 = System.nanoTime();
            HttpResponse<String> r;
            try {
                r = http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException goaway) {
                // JDK 17's HttpClient fails a request sent on a connection the server has just closed with GOAWAY
                // ("GOAWAY received") instead of sending it on a new connection; it is sent once more
                resent++;
                t0 = System.nanoTime();
                r = http.send(request, HttpResponse.BodyHandlers.ofString());
            }
            latency[i] = System.nanoTime() - t0;
            if (r.statusCode() != 200) {
                throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
            }
        }
        if (!report) {
            return;
        }
        Arrays.sort(latency);
        System.out.printf("serial  %5d requests one at a time: p50 %.2f ms, p99 %.2f ms%s%n", n, ms(latency, 0.50),
                ms(latency, 0.99), resent == 0 ? "" : " (" + resent + " sent again after the connection was closed)");
    }

    static double ms(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    static void waitUntilReady(HttpClient http) throws Exception {
        URI ready = URI.create("https://localhost:" + PORT + "/q/health/ready");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYetListening) {
                // the JVM is still starting
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
        throw new IllegalStateException("webhook not ready after 300 s; see webhook/target/bench-webhook.log");
    }

    static SSLContext trust(Path cert) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            ks.setCertificateEntry("webhook", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
