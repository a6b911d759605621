package dev.netfence.enforcer.bench;

import dev.netfence.enforcer.flow.FlowLog;
import dev.netfence.enforcer.flow.FlowLogReader;
import dev.netfence.enforcer.flow.FlowLogSettings;
import dev.netfence.enforcer.kernel.NetNs;
import dev.netfence.enforcer.kernel.RoutedNode;
import dev.netfence.enforcer.nft.FlowLogCounter;
import dev.netfence.enforcer.nft.FlowLogRules;
import dev.netfence.enforcer.nft.Nftables;
import dev.netfence.enforcer.nft.NftablesRenderer;
import dev.netfence.enforcer.nft.RenderedTable;
import dev.netfence.enforcer.nft.RuleSetApplier;
import dev.netfence.policy.compile.ResolvedRuleSet;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The flow-log benchmark: new TCP connections per second through a lab node with Netfence's
 * table for 1,000 ingress policies ({@link DatapathBenchmark.NftablesScript}, the server one of the
 * protected pods, the client its allowed peer), while a third pod floods the server with UDP datagrams
 * that no policy allows (each one a new flow: the server never answers, so every datagram reaches the
 * profile chain's final drop). Logging of denials off (the table as rendered, no NFLOG reader) and on
 * ({@link FlowLogRules} with the production defaults, 300 records/s and a burst of 300 for the node,
 * and a {@link FlowLogReader} bound in the node's namespace feeding a {@link FlowLog}), interleaved in
 * rounds; medians. Printed per configuration: accepted connections/s, the flood's rate, and with
 * logging on the records/s, the packets counted over the rate limit (the kernel's {@code flowlog_lost})
 * and the reader thread's CPU. Goals (issue 15): connections/s with logging within 5% of without; the
 * reader's CPU bounded by the rate limit (records/s at most rate, CPU per second flat in the flood rate).
 */
final class FlowLogConnections {
    static final String FLOODER = "10.78.0.3";

    private FlowLogConnections() {
    }

    static void run(int seconds, int rounds, int threads, int floodPerSecond) throws Exception {
        String reason = NetNs.unavailableReason();
        if (reason != null) {
            System.out.println("skipped: " + reason);
            return;
        }
        FlowLogSettings settings = FlowLogSettings.DEFAULTS;
        try (RoutedNode node = new RoutedNode("bench-fl", "10.78.255.1")) {
            String server = node.addPod("server", DatapathBenchmark.SERVER);
            String client = node.addPod("client", DatapathBenchmark.CLIENT);
            String flooder = node.addPod("flooder", FLOODER);
            AtomicBoolean stop = new AtomicBoolean();
            List<ServerSocket> listeners = DatapathBenchmark.serve(server, stop);
            ResolvedRuleSet ruleSet = DatapathBenchmark.NftablesScript.ruleSet();
            RenderedTable off = NftablesRenderer.render(ruleSet);
            FlowLogRules.Result on = FlowLogRules.add(off, ruleSet.ruleSet(), settings);
            System.out.printf("load average before: %s%n", loadAverage());
            System.out.printf("%,d policies; flood of denied UDP datagrams at %,d/s from %s; flow log %s: %d records/s, burst %d%n",
                    ruleSet.ruleSet().policies().size(), floodPerSecond, FLOODER, "denied", settings.ratePerSecond(),
                    settings.burst());
            Flood flood = new Flood(flooder, floodPerSecond);
            double[][] conns = new double[2][rounds];
            double[] floodRate = new double[rounds * 2];
            double[] records = new double[rounds];
            double[] lost = new double[rounds];
            double[] readerCpu = new double[rounds];
            double[] floodCpu = new double[rounds * 2];
            try {
                load(node, off);
                DatapathBenchmark.connectionsPerSecond(client, seconds, threads);   // warm-up (JIT, neighbour caches)
                for (int r = 0; r < rounds; r++) {
                    for (int c = 0; c < 2; c++) {
                        boolean logging = c == 1;
                        FlowLog log = null;
                        FlowLogReader reader = null;
                        if (logging) {
                            log = new FlowLog("bench", settings).jsonLines(false);
                            log.installing(ruleSet.ruleSet(), on.deciders());
                            reader = FlowLogReader.start(log, Optional.of(node.nodeNamespace()));
                        }
                        load(node, logging ? on.table() : off);
                        long lost0 = logging ? NetNs.call(node.nodeNamespace(), FlowLogCounter::lost) : 0;
                        Thread.sleep(1_500);   // the burst is spent and the flood runs at its rate before measuring
                        long records0 = logging ? log.records() : 0;
                        lost0 = logging ? NetNs.call(node.nodeNamespace(), FlowLogCounter::lost) : 0;
                        long sent0 = flood.sent.get();
                        Map<String, Long> cpu0 = ThreadCpu.snapshot();
                        long t0 = System.nanoTime();
                        conns[c][r] = DatapathBenchmark.connectionsPerSecond(client, seconds, threads);
                        double wall = (System.nanoTime() - t0) / 1e9;
                        Map<String, Long> cpu1 = ThreadCpu.snapshot();
                        floodRate[r * 2 + c] = (flood.sent.get() - sent0) / wall;
                        floodCpu[r * 2 + c] = cpu(cpu0, cpu1, "flood") / wall / 10;
                        if (logging) {
                            records[r] = (log.records() - records0) / wall;
                            lost[r] = (NetNs.call(node.nodeNamespace(), FlowLogCounter::lost) - lost0) / wall;
                            readerCpu[r] = cpu(cpu0, cpu1, "netfence-flowlo") / wall / 10;   // ms/s -> % of a core
                            reader.close();
                            FlowLog.Lost l = log.lost();
                            if (l.socketOverruns() + l.malformed() + l.unknownPrefix() > 0) {
                                System.out.printf("  round %d: besides the rate limit: %s%n", r + 1, l);
                            }
                        }
                    }
                }
            } finally {
                flood.close();
                stop.set(true);
                for (ServerSocket l : listeners) {
                    l.close();
                }
            }
            System.out.printf("load average after: %s%n", loadAverage());
            double offMedian = ApplyBenchmark.median(conns[0]);
            double onMedian = ApplyBenchmark.median(conns[1]);
            System.out.printf("%-26s median %,8.0f conn/s  (rounds: %s)%n", "logging of denials off", offMedian, rounds(conns[0]));
            System.out.printf("%-26s median %,8.0f conn/s  (rounds: %s)%n", "logging of denials on", onMedian, rounds(conns[1]));
            System.out.printf("  on / off %.3f (goal >= 0.95); per-round ratios %s%n", onMedian / offMedian,
                    Arrays.toString(java.util.stream.IntStream.range(0, rounds)
                            .mapToObj(i -> String.format("%.3f", conns[1][i] / conns[0][i])).toArray()));
            System.out.printf("flood sent: median %,.0f datagrams/s (rounds: %s; %,d sends failed); flooder thread %.1f%% of a"
                            + " core%n", ApplyBenchmark.median(floodRate), rounds(floodRate), flood.failed.get(),
                    ApplyBenchmark.median(floodCpu));
            System.out.printf("logging on: records %,.0f/s (rounds: %s; the limit %d/s), counted over the limit %,.0f/s"
                            + " (rounds: %s), reader thread %.2f%% of a core (rounds: %s)%n",
                    ApplyBenchmark.median(records), rounds(records), settings.ratePerSecond(), ApplyBenchmark.median(lost),
                    rounds(lost), ApplyBenchmark.median(readerCpu), Arrays.toString(Arrays.stream(readerCpu)
                            .mapToObj(v -> String.format("%.2f", v)).toArray()));
        }
    }

    private static void load(RoutedNode node, RenderedTable table) {
        NetNs.call(node.nodeNamespace(), () -> {
            Nftables nft = new Nftables();
            nft.run("flush ruleset\n");   // the benchmark node's own namespace: nothing else lives there
            RuleSetApplier applier = new RuleSetApplier(nft);
            applier.apply(table);
            applier.close();
            return null;
        });
    }

    /** CPU ms between two snapshots of the threads whose name starts with {@code prefix}. */
    private static long cpu(Map<String, Long> before, Map<String, Long> after, String prefix) {
        long ms = 0;
        for (Map.Entry<String, Long> e : after.entrySet()) {
            if (e.getKey().substring(e.getKey().indexOf(':') + 1).startsWith(prefix)) {
                ms += e.getValue() - before.getOrDefault(e.getKey(), 0L);
            }
        }
        return ms;
    }

    private static String rounds(double[] values) {
        return Arrays.toString(Arrays.stream(values).mapToLong(Math::round).toArray());
    }

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).strip();
    }

    /**
     * Denied datagrams at a steady rate from the flooder pod to the server's port 8080 (its policy allows only the
     * client), in batches every half millisecond from 64 sockets. A dropped packet's conntrack entry is never
     * confirmed, so every datagram is {@code ct state new} again and reaches the profile chain's final drop.
     */
    private static final class Flood implements AutoCloseable {
        final AtomicLong sent = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        Flood(String namespace, int perSecond) {
            thread = NetNs.start(namespace, () -> {
                Thread.currentThread().setName("flood-sender");   // the name /proc shows, for its CPU line
                List<DatagramChannel> channels = new ArrayList<>();
                try {
                    for (int i = 0; i < 64; i++) {
                        DatagramChannel ch = DatagramChannel.open();
                        ch.connect(new InetSocketAddress(DatapathBenchmark.SERVER, DatapathBenchmark.PORT));
                        channels.add(ch);
                    }
                    ByteBuffer payload = ByteBuffer.allocateDirect(32);
                    long start = System.nanoTime();
                    long n = 0;
                    while (!stop.get()) {
                        long due = (System.nanoTime() - start) * perSecond / 1_000_000_000L;
                        while (n < due && !stop.get()) {
                            payload.clear();
                            try {
                                channels.get((int) (n % channels.size())).write(payload);
                            } catch (IOException e) {
                                // a full queue: counted as not sent
                                failed.incrementAndGet();
                                n++;
                                continue;
                            }
                            n++;
                            sent.incrementAndGet();
                        }
                        java.util.concurrent.locks.LockSupport.parkNanos(500_000);
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                } finally {
                    channels.forEach(ch -> {
                        try {
                            ch.close();
                        } catch (IOException e) {
                            // closing
                        }
                    });
                }
            });
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join();
        }
    }
}
