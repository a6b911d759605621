package dev.netfence.images;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prints how long an image took from `podman run` to its readiness probe answering 200, next to the
 * start time Quarkus logs, and the load average: the README's start times come from these lines
 * (`grep IMAGE-START images/target/surefire-reports/*-output.txt`). Not asserted: speed belongs in
 * measurements, not in pass/fail.
 */
final class StartTimes {
    private static final Pattern QUARKUS = Pattern.compile("started in ([0-9.]+)s");

    private StartTimes() {
    }

    static void report(String image, long startedNanos, String container) {
        double ready = (System.nanoTime() - startedNanos) / 1e9;
        Matcher m = QUARKUS.matcher(Podman.logs(container));
        String quarkus = "not logged yet: ready came first";
        while (m.find()) {
            quarkus = m.group(1) + " s";   // the last start (a restarted container logs one per start)
        }
        String load = "";
        try {
            load = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            load = "?";
        }
        System.out.println(String.format(Locale.ROOT, "IMAGE-START %s: ready %.1f s after podman run (Quarkus: started in %s); load %s",
                image, ready, quarkus, load));
    }
}
