package dev.netfence.enforcer.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The kernel's CPU time by what it was spent on, sampled system-wide with {@code perf record -a -e cpu-clock}
 * (Debian's {@code linux-perf}) while a benchmark drives packets: how many microseconds of CPU went to
 * nf_tables' rule evaluation (every {@code nft_*} function: the chain walk, expressions, set lookups), to
 * connection tracking, and to the netfilter hook dispatch. Divided by the packets forwarded in the same
 * window this is a per-packet cost measured as CPU time, not as throughput: unlike a rate it barely moves
 * when other work shares the cores, which is what isolates the rules' own cost on a busy 2-core machine.
 * Samples are attributed to the function the CPU was in (no call graphs): an {@code nft_} lookup's hash
 * function that the kernel did not inline counts under its own name ({@code jhash} is inlined here).
 */
final class KernelProfile {
    /** Samples per second and CPU. */
    static final int FREQUENCY = 2_000;

    /** Categories by symbol prefix, first match wins. */
    static final Map<String, List<String>> CATEGORIES = categories();

    private static Map<String, List<String>> categories() {
        Map<String, List<String>> c = new LinkedHashMap<>();
        c.put("nf_tables rules", List.of("nft_", "__nft_", "nf_tables_"));
        c.put("conntrack", List.of("nf_conntrack", "__nf_conntrack", "____nf_conntrack", "nf_ct_", "__nf_ct_", "nf_confirm",
                "ipv4_conntrack", "ipv6_conntrack", "ipv4_confirm", "ipv6_confirm", "hash_conntrack", "init_conntrack",
                "resolve_normal_ct", "nf_defrag", "ipv4_conntrack_defrag", "nf_nat"));
        c.put("hook dispatch", List.of("nf_hook_slow", "nf_hook_"));
        return c;
    }

    private KernelProfile() {
    }

    /** Why a profile cannot be taken here, or null. */
    static String unavailableReason() {
        try {
            Process p = new ProcessBuilder("perf", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0 ? null : "perf does not run";
        } catch (IOException | InterruptedException e) {
            return "perf is not installed (apt-get install linux-perf)";
        }
    }

    /** A running {@code perf record}; {@link #finish()} waits for it and reads its samples. */
    static final class Recording {
        private final Process process;
        private final Path file;

        private Recording(Process process, Path file) {
            this.process = process;
            this.file = file;
        }

        /**
         * Blocks for the sampling window: perf enables its events right after it starts its workload (the
         * {@code sleep}), so the window is that child's life, not the perf process's (whose start-up and file
         * writing can take a second on a busy machine).
         */
        void sampling() throws Exception {
            long deadline = System.nanoTime() + 30_000_000_000L;
            java.util.Optional<ProcessHandle> sleep = java.util.Optional.empty();
            while (sleep.isEmpty() && process.isAlive() && System.nanoTime() < deadline) {
                sleep = process.toHandle().children().findFirst();
                if (sleep.isEmpty()) {
                    Thread.sleep(1);
                }
            }
            if (sleep.isEmpty()) {
                throw new IOException("perf record did not start its workload");
            }
            sleep.get().onExit().get();
        }

        /** CPU microseconds per category over the recording (all CPUs), plus "all" for every sample. */
        Map<String, Double> finish() throws IOException, InterruptedException {
            if (process.waitFor() != 0) {
                throw new IOException("perf record failed");
            }
            Process report = new ProcessBuilder("perf", "report", "-i", file.toString(), "--stdio", "--no-children", "-n",
                    "--sort", "sym", "-g", "none", "--percent-limit", "0").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String text = new String(report.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            report.waitFor(60, TimeUnit.SECONDS);
            Files.deleteIfExists(file);
            Files.deleteIfExists(Path.of(file + ".old"));
            return micros(text);
        }
    }

    /** Starts sampling every CPU for {@code seconds}. */
    static Recording record(int seconds) throws IOException {
        Path file = Files.createTempFile("nf-perf-", ".data");
        Process p = new ProcessBuilder("perf", "record", "-a", "-e", "cpu-clock", "-F", String.valueOf(FREQUENCY), "-o",
                file.toString(), "--", "sleep", String.valueOf(seconds)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return new Recording(p, file);
    }

    /** Sums {@code perf report -n --sort sym} lines ({@code 1.65%  131  [k] nft_do_chain}) by category. */
    static Map<String, Double> micros(String report) {
        Map<String, Double> us = new LinkedHashMap<>();
        for (String category : CATEGORIES.keySet()) {
            us.put(category, 0.0);
        }
        us.put("kernel in all", 0.0);
        us.put("user space", 0.0);
        us.put("idle", 0.0);
        double all = 0;
        for (String line : report.split("\n")) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String[] f = t.split("\\s+");
            if (f.length < 4 || !f[0].endsWith("%")) {
                continue;
            }
            long samples;
            try {
                samples = Long.parseLong(f[1]);
            } catch (NumberFormatException e) {
                continue;
            }
            double micros = samples * 1e6 / FREQUENCY;
            all += micros;
            if (!f[2].equals("[k]")) {
                us.merge("user space", micros, Double::sum);
                continue;
            }
            String symbol = f[3];
            if (symbol.contains("halt") || symbol.contains("idle") || symbol.contains("mwait")) {
                us.merge("idle", micros, Double::sum);
                continue;
            }
            us.merge("kernel in all", micros, Double::sum);
            us.put("  " + symbol, micros);   // each kernel function, for the top lists
            for (Map.Entry<String, List<String>> c : CATEGORIES.entrySet()) {
                if (c.getValue().stream().anyMatch(symbol::startsWith)) {
                    us.merge(c.getKey(), micros, Double::sum);
                    break;
                }
            }
        }
        us.put("all", all);
        return us;
    }

    /** The {@code n} nf_tables functions with the most CPU, as {@code name us} (per packet). */
    static String topRuleFunctions(Map<String, Double> micros, long packets, int n) {
        return top(micros, packets, n, true);
    }

    /** The {@code n} kernel functions with the most CPU ({@code rulesOnly}: nf_tables' only), per packet. */
    static String top(Map<String, Double> micros, long packets, int n, boolean rulesOnly) {
        return micros.entrySet().stream().filter(e -> e.getKey().startsWith("  "))
                .filter(e -> !rulesOnly || e.getKey().startsWith("  nft_") || e.getKey().startsWith("  __nft_"))
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(n)
                .map(e -> String.format("%s %.3f", e.getKey().strip(), e.getValue() / packets))
                .collect(java.util.stream.Collectors.joining(", "));
    }
}
