package dev.netfence.enforcer.bench;

import dev.netfence.enforcer.kernel.NetNs;
import dev.netfence.enforcer.kernel.RevocationLab;
import dev.netfence.enforcer.revoke.ConnectionRevocation;
import java.net.Socket;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How fast a removed allow cuts a live TCP connection, with the production defaults
 * (connection-revocation revoke, coalescing 50 ms), in {@link RevocationLab}: per round a client
 * keeps exchanging one byte with s1 and with s2 every 2 ms, then the rule set without s1's allow is
 * published as an informer event would deliver it. Measured per round:
 * <ul>
 *   <li>published -> applied: the new table in the kernel (the baseline: what any change costs);</li>
 *   <li>applied -> revoked: the conntrack dump and delete after the apply (what revocation adds);</li>
 *   <li>published -> last echo from s1: when the connection stopped, seen by the client (packets);</li>
 * </ul>
 * and that s2's exchange never stopped. Run as root: {@code enforcer-core/bench.sh RevocationBenchmark [rounds]}.
 */
public final class RevocationBenchmark {

    public static void main(String[] args) throws Exception {
        String reason = NetNs.unavailableReason();
        if (reason != null) {
            System.out.println("skipped: " + reason);
            return;
        }
        quietLogs();
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        System.out.println("load average at start: " + loadAverage());
        double[] applied = new double[rounds];
        double[] revoked = new double[rounds];
        double[] lastEcho = new double[rounds];
        int s2Failures = 0;
        try (RevocationLab lab = new RevocationLab(ConnectionRevocation.DEFAULT)) {
            waitUntil(() -> lab.loop().state().ruleSetHash() != null, 20_000);
            for (int i = 0; i < rounds; i++) {
                String open = lab.loop().state().ruleSetHash();
                Socket s1 = lab.connect(RevocationLab.S1);
                Socket s2 = lab.connect(RevocationLab.S2);
                AtomicLong lastS1 = new AtomicLong();
                AtomicLong s2Lost = new AtomicLong();
                Thread p1 = pinger(s1, lastS1, null);
                Thread p2 = pinger(s2, new AtomicLong(), s2Lost);
                Thread.sleep(100);
                long revokedBefore = lab.loop().connectionsRevoked();
                long t0 = System.nanoTime();
                lab.removeAllowS1();
                waitUntil(() -> lab.loop().connectionsRevoked() > revokedBefore, 20_000);
                // the s1 pinger's last echo: it stops getting any within its 1 s read timeout
                p1.join(5_000);
                Thread.sleep(300); // s2 keeps exchanging meanwhile
                p2.interrupt();
                s2.close();
                p2.join(5_000);
                s1.close();
                applied[i] = ms(lab.appliedAt() - t0);
                revoked[i] = ms(lab.revokedAt() - lab.appliedAt());
                lastEcho[i] = ms(lastS1.get() - t0);
                s2Failures += s2Lost.get();
                lab.restoreAllowS1();
                waitUntil(() -> open.equals(lab.loop().state().ruleSetHash()), 20_000);
            }
        }
        System.out.printf(Locale.ROOT, "connection revocation over %d rounds (one lab node, enforcer with production"
                + " defaults: revoke, coalescing 50 ms):%n", rounds);
        print("published -> new rules applied (baseline)", applied);
        print("applied -> conntrack entry deleted (added by revocation)", revoked);
        print("published -> last echo on the revoked connection", lastEcho);
        System.out.printf(Locale.ROOT, "  revocation / apply (p50): %.2fx; exchanges lost on the allowed connection: %d%n",
                percentile(revoked, 50) / percentile(applied, 50), s2Failures);
        System.out.println("load average at end: " + loadAverage());
    }

    /** Exchanges a byte every 2 ms until one gets no echo within 1 s (or it is interrupted); records the last echo. */
    private static Thread pinger(Socket s, AtomicLong last, AtomicLong lost) {
        Thread t = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                if (RevocationLab.exchange(s, 1000)) {
                    last.set(System.nanoTime());
                } else {
                    if (lost != null && !Thread.currentThread().isInterrupted() && !s.isClosed()) {
                        lost.incrementAndGet();
                    }
                    return;
                }
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "pinger");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void print(String label, double[] values) {
        System.out.printf(Locale.ROOT, "  %-58s p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms%n", label, percentile(values, 50),
                percentile(values, 99), Arrays.stream(values).max().orElse(0));
    }

    private static double percentile(double[] values, int p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("timed out");
            }
            Thread.sleep(1);
        }
    }

    /** The components' INFO lines (one per apply, per API request) would bury the figures. */
    private static void quietLogs() {
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.setLevel(java.util.logging.Level.WARNING);
        for (java.util.logging.Handler h : root.getHandlers()) {
            h.setLevel(java.util.logging.Level.WARNING);
        }
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).strip();
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
