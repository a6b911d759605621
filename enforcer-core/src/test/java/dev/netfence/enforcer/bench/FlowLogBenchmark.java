package dev.netfence.enforcer.bench;

import dev.netfence.enforcer.flow.FlowDecider;
import dev.netfence.enforcer.flow.FlowLog;
import dev.netfence.enforcer.flow.FlowLogSettings;
import dev.netfence.enforcer.flow.NflogDecoder;
import dev.netfence.policy.compile.LocalPod;
import dev.netfence.policy.compile.NodeRuleSet;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The enforcer's CPU per logged packet, user space only: datagrams the kernel sent (the captured
 * NFLOG messages of src/test/resources/nflog, 32 to a datagram as the socket's queue threshold lets
 * the kernel batch them) decoded and turned into records (ring and counters; without the JSON log
 * line, whose cost is the log's),
 * against decoding alone in the same run. The rate limit bounds how many arrive per second (default
 * 300), so CPU per 1,000 records times the rate is the logging's CPU share.
 *
 * <p>Run (from the repository root): {@code enforcer-core/bench.sh FlowLogBenchmark [seconds]} (default 10 per phase).
 *
 * <p>{@code enforcer-core/bench.sh FlowLogBenchmark connections [seconds] [rounds] [threads] [flood/s]} (as root;
 * defaults 5, 3, 2, 20000) is the end-to-end figure instead: new TCP connections per second through a node
 * at 1,000 policies with logging of denials off and on while denied datagrams flood it ({@link FlowLogConnections}).
 */
public final class FlowLogBenchmark {
    public static void main(String[] args) throws Exception {
        // the enforcer's own log manager, as in the application (else the JDK finds it late and says so on stderr)
        System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        if (args.length > 0 && args[0].equals("connections")) {
            FlowLogConnections.run(arg(args, 1, 5), arg(args, 2, 3), arg(args, 3, 2), arg(args, 4, 20_000));
            return;
        }
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        byte[] one = hex("v4-tcp");
        byte[] datagram = new byte[one.length * 32];
        for (int i = 0; i < 32; i++) {
            System.arraycopy(one, 0, datagram, i * one.length, one.length);
        }
        System.out.printf("load average before: %s%n", loadAverage());
        double decode = run("decode only", seconds, datagram, null);
        double record = run("decode + record", seconds, datagram, log(false));
        System.out.printf("ratio record/decode %.2f; at the default budget of 300 records/s: %.4f%% of a core%n",
                record / decode, record * 300 / 1e6 / 10);
        System.out.printf("load average after: %s%n", loadAverage());
    }

    private static int arg(String[] args, int i, int absent) {
        return args.length > i ? Integer.parseInt(args[i]) : absent;
    }

    private static FlowLog log(boolean jsonLines) {
        FlowLog log = new FlowLog("bench", FlowLogSettings.DEFAULTS).jsonLines(jsonLines);
        log.installing(new NodeRuleSet("bench", List.of(), List.of(new LocalPod("x", "a", List.of("10.0.1.1"), List.of("p"), List.of())),
                List.of(), List.of()), Map.of("nf D in_0123456789abcdef",
                new FlowDecider(FlowDecider.Verdict.DENIED, "Ingress", List.of("NetworkPolicy x/deny"), null)));
        return log;
    }

    /** Returns CPU microseconds per 1,000 packets. */
    private static double run(String name, int seconds, byte[] datagram, FlowLog log) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long packets = 0;
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long cpu0 = mx.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        while (System.nanoTime() < end) {
            NflogDecoder.Decoded d = NflogDecoder.decode(datagram, datagram.length);
            if (log != null) {
                log.received(d);
            }
            packets += d.packets().size();
        }
        double cpuUs = (mx.getCurrentThreadCpuTime() - cpu0) / 1e3;
        double wall = (System.nanoTime() - wall0) / 1e9;
        double per1000 = cpuUs / packets * 1000;
        System.out.printf("%-28s %,12d packets in %.1f s: %,10.0f /s wall, %8.1f us CPU per 1,000%n", name, packets, wall,
                packets / wall, per1000);
        return per1000;
    }

    private static byte[] hex(String name) throws Exception {
        try (InputStream in = FlowLogBenchmark.class.getResourceAsStream("/nflog/" + name + ".hex")) {
            return HexFormat.of().parseHex(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
        }
    }

    private static String loadAverage() throws Exception {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }
}
