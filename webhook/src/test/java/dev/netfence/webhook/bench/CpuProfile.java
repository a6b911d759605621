package dev.netfence.webhook.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The webhook's CPU profile over chosen benchmark runs ({@code -Dbench.profile=serial,1000}; names: {@code serial},
 * {@code 200}, {@code 200+updates}, {@code 1000}, {@code 1000+updates}), with async-profiler (the {@code
 * tools.profiler:async-profiler} jar on the test classpath carries {@code libasyncProfiler.so}). The library is
 * loaded into the running webhook with {@code jcmd PID JVMTI.agent_load} at the start of the run and stopped at
 * its end, so warm-up and start-up are not in it. It samples CPU time ({@code event=cpu}: perf events, kernel
 * frames included, every thread of the process: request threads, GC, JIT), unlike JFR's execution sampler,
 * which sees only threads running Java code. Each run writes {@code webhook/target/bench-profile-<run>.collapsed}
 * (one line per stack, for flame graph tools) and prints the samples by {@link #CATEGORIES}.
 */
final class CpuProfile {

    /** Samples of these threads are charged to them whatever they run (frames of the thread's entry point). */
    static final List<Map.Entry<String, List<String>>> THREADS = List.of(
            Map.entry("GC", List.of("G1", "GangWorker", "VM_G1", "ConcurrentGCThread")),
            Map.entry("JIT compiler", List.of("CompileBroker", "C2Compiler", "C1Compiler")));

    /**
     * Any other sample is charged to the category of the frame nearest its leaf that has one of these prefixes
     * (a HashMap lookup made by the decision counts as the decision; the AES of a TLS record as TLS, although the
     * record is written from the HTTP/2 codec, which is written from Quarkus REST), or to the kernel when its leaf
     * is a kernel frame (system calls: socket reads and writes, epoll, futex).
     */
    static final List<Map.Entry<String, List<String>>> CATEGORIES = List.of(
            Map.entry("TLS (JSSE)", List.of("sun/security/ssl", "sun/security/ec", "sun/security/util", "sun/security/provider",
                    "com/sun/crypto", "javax/crypto", "io/netty/handler/ssl")),
            Map.entry("decision (AdmissionJudge, policy/)", List.of("dev/netfence/webhook/AdmissionJudge", "dev/netfence/policy")),
            Map.entry("limits scan (RequestLimits)", List.of("dev/netfence/webhook/RequestLimits")),
            Map.entry("fabric8 model -> engine model", List.of("dev/netfence/crds")),
            Map.entry("Jackson", List.of("com/fasterxml/jackson")),
            Map.entry("metrics (Micrometer)", List.of("io/micrometer")),
            Map.entry("logging", List.of("org/jboss/logmanager", "org/jboss/logging")),
            Map.entry("cluster model / view publisher", List.of("dev/netfence/cluster", "dev/netfence/webhook/ClusterViewPublisher")),
            Map.entry("other webhook code", List.of("dev/netfence")),
            Map.entry("fabric8 client", List.of("io/fabric8")),
            Map.entry("HTTP/2 codec (Netty)", List.of("io/netty/handler/codec/http2")),
            Map.entry("Quarkus REST + Vert.x web", List.of("org/jboss/resteasy", "io/quarkus", "io/vertx/ext/web")),
            Map.entry("Vert.x HTTP server", List.of("io/vertx")),
            Map.entry("Netty event loop and buffers", List.of("io/netty")),
            Map.entry("worker pool, Mutiny", List.of("org/jboss/threads", "io/smallrye")));

    static final String KERNEL = "kernel (system calls)";
    static final String OTHER = "JVM and JDK otherwise (interpreter, safepoints, ...)";

    private final Set<String> runs;
    private final long pid;
    private final Path dir;
    private Path library;

    private CpuProfile(Set<String> runs, long pid, Path dir) {
        this.runs = runs;
        this.pid = pid;
        this.dir = dir;
    }

    /** {@code spec}: comma-separated run names; empty: no profile. */
    static CpuProfile of(String spec, long pid, Path targetDir) {
        Set<String> runs = spec.isBlank() ? Set.of() : Set.of(spec.trim().split("\\s*,\\s*"));
        return new CpuProfile(runs, pid, targetDir);
    }

    void start(String run) throws Exception {
        if (runs.contains(run)) {
            jcmd("start,event=cpu,interval=1ms");
        }
    }

    /** {@code requests}: how many the run sent, for the CPU per request of each category. */
    void stop(String run, int requests) throws Exception {
        if (!runs.contains(run)) {
            return;
        }
        Path file = dir.resolve("bench-profile-" + run + ".collapsed");
        Files.deleteIfExists(file);
        jcmd("stop,collapsed,file=" + file);
        System.out.println("  CPU profile of the webhook over the run (" + file.getFileName() + "): " + summary(file, requests));
    }

    private void jcmd(String options) throws Exception {
        if (library == null) {
            library = dir.resolve("bench-async-profiler/libasyncProfiler.so");
            Files.createDirectories(library.getParent());
            try (InputStream in = CpuProfile.class.getClassLoader().getResourceAsStream("linux-x64/libasyncProfiler.so")) {
                if (in == null) {
                    throw new IllegalStateException("-Dbench.profile needs tools.profiler:async-profiler on the classpath");
                }
                Files.copy(in, library, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        // quoted: jcmd's argument parser would take "start,event=cpu" for an option named "start,event"
        Process p = new ProcessBuilder("jcmd", Long.toString(pid), "JVMTI.agent_load", library.toString(), '"' + options + '"')
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || !out.contains("return code: 0")) {
            throw new IllegalStateException("async-profiler " + options + ": " + out.trim());
        }
    }

    /** Samples by category, largest first, as % of all samples of the process and as ms of CPU per request. */
    static String summary(Path collapsed, int requests) throws IOException {
        Map<String, Long> byCategory = new LinkedHashMap<>();
        long total = 0;
        for (String line : Files.readAllLines(collapsed)) {
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            long n = Long.parseLong(line.substring(space + 1).trim());
            total += n;
            byCategory.merge(category(line.substring(0, space)), n, Long::sum);
        }
        if (total == 0) {
            return "no samples";
        }
        List<Map.Entry<String, Long>> sorted = new ArrayList<>(byCategory.entrySet());
        sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        StringBuilder s = new StringBuilder(String.format("%d samples of 1 ms CPU, %.2f ms per request;", total,
                (double) total / requests));
        for (var e : sorted) {
            s.append(String.format(" %s %.1f%% (%.3f ms),", e.getKey(), 100.0 * e.getValue() / total,
                    (double) e.getValue() / requests));
        }
        return s.substring(0, s.length() - 1);
    }

    static String category(String stack) {
        String[] frames = stack.split(";");
        for (var t : THREADS) {
            for (String f : frames) {
                for (String prefix : t.getValue()) {
                    if (f.startsWith(prefix)) {
                        return t.getKey();
                    }
                }
            }
        }
        if (frames[frames.length - 1].endsWith("_[k]")) {
            return KERNEL;
        }
        for (int i = frames.length - 1; i >= 0; i--) {
            for (var c : CATEGORIES) {
                for (String prefix : c.getValue()) {
                    if (frames[i].startsWith(prefix)) {
                        return c.getKey();
                    }
                }
            }
        }
        return OTHER;
    }
}
