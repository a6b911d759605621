package dev.netfence.enforcer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * CPU time per thread of this process from {@code /proc/self/task/<tid>/stat} (user + system, in
 * clock ticks of 10 ms), by thread name with digits folded ({@code GC Thread#0} and {@code #1} are one
 * line), including the JVM's own threads (GC, JIT compilers) that the management beans do not show.
 */
final class ThreadCpu {
    private static final long TICK_MS = 10;

    private ThreadCpu() {
    }

    /** CPU milliseconds so far per thread id and name ({@code tid:name}). */
    static Map<String, Long> snapshot() throws IOException {
        Map<String, Long> out = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(t.resolve("stat"));
                } catch (IOException gone) {
                    continue; // the thread ended
                }
                int open = stat.indexOf('(');
                int close = stat.lastIndexOf(')');
                String name = stat.substring(open + 1, close);
                String[] f = stat.substring(close + 2).split(" ");
                // fields after the name: state(0) ... utime(11) stime(12)
                out.put(t.getFileName() + ":" + name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_MS);
            }
        }
        return out;
    }

    /** This process's user and system CPU milliseconds so far. */
    static long[] userSystem() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[]{Long.parseLong(f[11]) * TICK_MS, Long.parseLong(f[12]) * TICK_MS};
    }

    /** The {@code n} thread groups that used the most CPU between two snapshots, as one line. */
    static String top(Map<String, Long> before, Map<String, Long> after, int n) {
        Map<String, Long> byName = new HashMap<>();
        after.forEach((key, ms) -> {
            long d = ms - before.getOrDefault(key, 0L);
            if (d > 0) {
                byName.merge(key.substring(key.indexOf(':') + 1).replaceAll("[0-9]+", "#"), d, Long::sum);
            }
        });
        long total = byName.values().stream().mapToLong(Long::longValue).sum();
        return "CPU by thread (" + total + " ms): " + byName.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())).limit(n)
                .map(e -> e.getKey().strip() + " " + e.getValue() + " ms").collect(Collectors.joining(", "));
    }
}
