package dev.netfence.enforcer.bench;

import dev.netfence.enforcer.kernel.NetNs;
import dev.netfence.enforcer.kernel.RoutedNode;
import dev.netfence.enforcer.nft.Nftables;
import dev.netfence.enforcer.cni.PodAnnouncements;
import dev.netfence.enforcer.datapath.NamespaceThread;
import dev.netfence.enforcer.datapath.NftablesDatapath;
import dev.netfence.enforcer.loop.EnforcerLoop;
import dev.netfence.enforcer.loop.EnforcerObserver;
import dev.netfence.enforcer.loop.EnforcerSettings;
import dev.netfence.enforcer.loop.NewPodSettings;
import dev.netfence.enforcer.loop.StatusSink;
import dev.netfence.enforcer.nft.ApplyResult;
import dev.netfence.enforcer.source.RuleSetSource;
import dev.netfence.policy.net.Cidr;
import dev.netfence.policy.compile.AddressSet;
import dev.netfence.policy.compile.CompiledRule;
import dev.netfence.policy.compile.LocalPod;
import dev.netfence.policy.compile.NodeRuleSet;
import dev.netfence.policy.compile.PolicyRules;
import dev.netfence.policy.compile.PortRange;
import dev.netfence.policy.compile.ResolvedRuleSet;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.Protocol;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * New TCP connections per second from a client pod to a server pod through a lab node (two pod
 * namespaces routed through a node namespace), with (a) no table on the node, (b) Netfence's
 * table as the enforcer's loop applies it with production defaults (see {@link #install}) for 1,000 ingress policies (one per local pod, each allowing one peer pod on TCP 8080;
 * the server is one of those pods) and (c) the same 1,000 policies as a naive linear chain, one
 * rule per policy peer, the server's rule last (worst case for a linear scan, as for the last
 * iptables rule), and (d) connection tracking alone (a chain that only accepts established packets:
 * what a node with kube-proxy already pays, and what Netfence's rules need beneath them), which splits
 * the difference against (a) into conntrack's part and the rules' own. Every connection is new (the client resets it on close), so every SYN is
 * judged by the rules. Then UDP datagrams per second (every one a new flow: the server never replies),
 * which isolates the rules' own per-packet cost from TCP's connection work. Configurations are measured
 * in rounds, interleaved, and the median kept, with the median of each round's own ratios next to it (a round's
 * configurations share the machine's conditions of that minute); the Netfence table's full load time is printed too.
 * Run as root: {@code enforcer/bench.sh DatapathBenchmark [seconds] [rounds] [threads] [policies]}.
 */
public final class DatapathBenchmark {
    private static int POLICIES = 1_000;
    static final int PORT = 8080;
    static final String CLIENT = "10.78.0.2";
    static final String SERVER = "10.78.0.1";

    public static void main(String[] args) throws Exception {
        String reason = NetNs.unavailableReason();
        if (reason != null) {
            System.out.println("skipped: " + reason);
            return;
        }
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        POLICIES = args.length > 3 ? Integer.parseInt(args[3]) : POLICIES;
        try (RoutedNode node = new RoutedNode("bench-dp", "10.78.255.1")) {
            String server = node.addPod("server", SERVER);
            String client = node.addPod("client", CLIENT);
            AtomicBoolean stop = new AtomicBoolean();
            List<ServerSocket> listeners = serve(server, stop);
            String netfence = NftablesScript.netfence();
            String linear = NftablesScript.linear();
            String[] names = {"no table", String.format("Netfence table, %,d policies", POLICIES),
                String.format("linear chain, %,d policies", POLICIES), "conntrack only (no rules)"};
            int configs = names.length;
            double[][] results = new double[configs][rounds];
            double[][] datagrams = new double[configs][rounds];
            List<Double> loads = new ArrayList<>();
            UdpSink sink = new UdpSink(server);
            connectionsPerSecond(client, seconds, threads);   // warm-up (JIT, neighbour caches), not counted
            datagramsPerSecond(client, sink, seconds, threads);
            dev.netfence.policy.compile.ResolvedRuleSet ruleSet = NftablesScript.ruleSet();
            for (int r = 0; r < rounds; r++) {
                for (int c = 0; c < configs; c++) {
                    install(node, c, ruleSet, linear, loads);
                    settle();
                    results[c][r] = connectionsPerSecond(client, seconds, threads);
                    datagrams[c][r] = datagramsPerSecond(client, sink, seconds, threads);
                }
            }
            System.out.println("load average: " + java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).strip());
            for (int c = 0; c < configs; c++) {
                System.out.printf("%-34s median %,8.0f conn/s  (rounds: %s)%n", names[c], ApplyBenchmark.median(results[c]),
                        java.util.Arrays.toString(java.util.Arrays.stream(results[c]).mapToLong(Math::round).toArray()));
            }
            System.out.printf("  Netfence / no table %.2f, linear / no table %.2f, Netfence / linear %.2f%n",
                    ApplyBenchmark.median(results[1]) / ApplyBenchmark.median(results[0]),
                    ApplyBenchmark.median(results[2]) / ApplyBenchmark.median(results[0]),
                    ApplyBenchmark.median(results[1]) / ApplyBenchmark.median(results[2]));
            System.out.printf("  conntrack only / no table %.2f, Netfence / conntrack only %.2f (the rules' own share)%n",
                    ApplyBenchmark.median(results[3]) / ApplyBenchmark.median(results[0]),
                    ApplyBenchmark.median(results[1]) / ApplyBenchmark.median(results[3]));
            // a table whose rules cost nothing still pays conntrack and the connection's own work: conntrack only
            // is the fastest any stateful table can be, so conntrack only / linear bounds Netfence / linear here
            System.out.printf("  conntrack only / linear %.2f: the most any stateful table (rules costing nothing) can gain"
                            + " on the linear chain in conn/s%n",
                    ApplyBenchmark.median(results[3]) / ApplyBenchmark.median(results[2]));
            System.out.printf("  paired per round (a round's configurations run within a minute of each other): Netfence / no table %s,"
                    + " conntrack only / no table %s, Netfence / conntrack only %s, Netfence / linear %s%n",
                    paired(results[1], results[0]), paired(results[3], results[0]), paired(results[1], results[3]),
                    paired(results[1], results[2]));
            System.out.println("UDP datagrams received per second, every one a new (unreplied) flow judged by the rules:");
            for (int c = 0; c < configs; c++) {
                System.out.printf("%-34s median %,8.0f datagrams/s  (rounds: %s)%n", names[c], ApplyBenchmark.median(datagrams[c]),
                        java.util.Arrays.toString(java.util.Arrays.stream(datagrams[c]).mapToLong(Math::round).toArray()));
            }
            double base = ApplyBenchmark.median(datagrams[0]);
            System.out.printf("  Netfence / no table %.2f, linear / no table %.2f, Netfence / linear %.2f;"
                            + " added per datagram: Netfence %.2f us, linear %.2f us (1/rate differences)%n",
                    ApplyBenchmark.median(datagrams[1]) / base, ApplyBenchmark.median(datagrams[2]) / base,
                    ApplyBenchmark.median(datagrams[1]) / ApplyBenchmark.median(datagrams[2]),
                    1e6 / ApplyBenchmark.median(datagrams[1]) - 1e6 / base, 1e6 / ApplyBenchmark.median(datagrams[2]) - 1e6 / base);
            System.out.printf("  paired per round: Netfence / no table %s, conntrack only / no table %s, Netfence / linear %s%n",
                    paired(datagrams[1], datagrams[0]), paired(datagrams[3], datagrams[0]), paired(datagrams[1], datagrams[2]));
            double ct = ApplyBenchmark.median(datagrams[3]);
            System.out.printf("  conntrack only / no table %.2f, Netfence / conntrack only %.2f; added per datagram: conntrack %.2f us,"
                            + " Netfence's rules over conntrack %.2f us%n",
                    ct / base, ApplyBenchmark.median(datagrams[1]) / ct, 1e6 / ct - 1e6 / base,
                    1e6 / ApplyBenchmark.median(datagrams[1]) - 1e6 / ct);
            System.out.printf("full load of the Netfence table (the enforcer's first apply, one netlink batch): %s ms%n",
                    loads.stream().map(v -> String.format("%.0f", v)).toList());
            System.out.printf("Netfence table script: %,d bytes; linear chain: %,d rules%n", netfence.length(), POLICIES + 2);
            String noPerf = KernelProfile.unavailableReason();
            if (noPerf != null) {
                System.out.println("kernel CPU per packet: skipped, " + noPerf);
            } else {
                kernelCpuPerPacket(node, client, sink, seconds, threads, names, ruleSet, linear);
            }
            install(node, 0, ruleSet, linear, loads);   // stops the enforcer
            sink.close();
            stop.set(true);
            for (ServerSocket l : listeners) {
                l.close();
            }
        }
    }

    /**
     * Before a configuration is measured: the garbage of the configuration before (rendering and loading the
     * 10,000-policy table makes hundreds of MB in this JVM, where on a node the enforcer is a process of its own)
     * collected now rather than by a collector competing for the cores inside the window, and a second for the
     * namespace's hooks and the enforcer's first apply to settle. Every configuration gets the same.
     */
    private static void settle() throws InterruptedException {
        System.gc();
        Thread.sleep(1000);
    }

    /** Per round, a's figure over b's of the same round; the median and the range of those ratios. */
    private static String paired(double[] a, double[] b) {
        double[] ratios = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            ratios[i] = a[i] / b[i];
        }
        return String.format("%.2f (%.2f-%.2f)", ApplyBenchmark.median(ratios), ApplyBenchmark.min(ratios),
                ApplyBenchmark.max(ratios));
    }

    /** The node's pod CIDR in the benchmark: the client's and the server's addresses (the DaemonSet takes it from spec.podCIDRs). */
    static final String POD_CIDR = "10.78.0.0/24";

    /** What runs the Netfence configuration (the enforcer's loop), closed before the next configuration. */
    private static AutoCloseable running;

    /**
     * Puts configuration {@code config} (an index of the names) on the node: nothing, Netfence, linear, conntrack only.
     * Netfence's table is the one the enforcer ships: its loop ({@link EnforcerLoop} with production defaults:
     * fail-closed rules for waiting pods and for unknown addresses of the node's pod CIDR, connection
     * revocation's rule) applies it through {@link NftablesDatapath}, and keeps running (reading counters, as on
     * a node) while the configuration is measured. The flow log is off here (it is on by default; it changes
     * only what denied packets do, and {@code FlowLogConnections} measures it).
     */
    private static void install(RoutedNode node, int config, ResolvedRuleSet ruleSet, String linear, List<Double> loads)
            throws Exception {
        if (running != null) {
            running.close();
            running = null;
        }
        NetNs.call(node.nodeNamespace(), () -> {
            Nftables nft = new Nftables();
            nft.run("flush ruleset\n");   // the lab node's own namespace: nothing else lives there
            if (config == 2) {
                nft.run(linear);
            } else if (config == 3) {
                nft.run(CONNTRACK_ONLY);
            }
            return null;
        });
        if (config == 1) {
            running = startEnforcer(node.nodeNamespace(), ruleSet, loads);
        }
    }

    private static AutoCloseable startEnforcer(String namespace, ResolvedRuleSet ruleSet, List<Double> loads) throws Exception {
        java.util.concurrent.LinkedBlockingQueue<ApplyResult> applied = new java.util.concurrent.LinkedBlockingQueue<>();
        java.util.concurrent.CountDownLatch revoked = new java.util.concurrent.CountDownLatch(1);
        EnforcerObserver observer = new EnforcerObserver() {
            @Override
            public void applied(ApplyResult result) {
                applied.add(result);
            }

            @Override
            public void revoked(dev.netfence.enforcer.revoke.ConnectionRevoker.Result result) {
                revoked.countDown();
            }
        };
        RuleSetSource source = new RuleSetSource() {
            @Override
            public java.util.Optional<ResolvedRuleSet> current() {
                return java.util.Optional.of(ruleSet);
            }

            @Override
            public String describe() {
                return "the benchmark";
            }
        };
        NamespaceThread thread = new NamespaceThread(namespace);
        EnforcerLoop loop = new EnforcerLoop(EnforcerSettings.defaults("bench"), source, new NftablesDatapath(thread),
                StatusSink.NONE, observer, NewPodSettings.DEFAULTS.withPodCidrs(List.of(Cidr.parse(POD_CIDR))),
                PodAnnouncements.inMemory()).start();
        ApplyResult first = applied.poll(600, java.util.concurrent.TimeUnit.SECONDS);
        if (first == null) {
            loop.close();
            thread.close();
            throw new IllegalStateException("the enforcer did not apply the table: " + loop.state().lastError());
        }
        loads.add(first.duration().toNanos() / 1e6);
        // the first apply's revocation (conntrack dumps for every isolated pod) runs after it: not in the window
        revoked.await(120, java.util.concurrent.TimeUnit.SECONDS);
        return () -> {
            loop.close();
            thread.close();
        };
    }

    /**
     * The rules' own cost as kernel CPU time per packet ({@link KernelProfile}): for each configuration, UDP
     * datagrams (each judged by the rules) and then new TCP connections for {@code seconds} while perf samples
     * every CPU, and the microseconds spent in nf_tables, conntrack and hook dispatch divided by the datagrams
     * forwarded (by the connections made) in that window. CPU time per packet, unlike a rate, does not depend on
     * who else wants the cores, so these figures hold under load too.
     */
    private static void kernelCpuPerPacket(RoutedNode node, String client, UdpSink sink, int seconds, int threads,
            String[] names, ResolvedRuleSet ruleSet, String linear) throws Exception {
        System.out.printf("kernel CPU per packet (perf record -a -e cpu-clock -F %d; %s):%n", KernelProfile.FREQUENCY,
                java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).strip());
        int[] order = {0, 3, 1, 2};
        for (int c : order) {
            install(node, c, ruleSet, linear, new ArrayList<>());
            KernelProfile.Recording[] recording = new KernelProfile.Recording[1];
            long datagramsSeen = countDatagrams(client, sink, threads, () -> (recording[0] = KernelProfile.record(seconds)).sampling());
            Map<String, Double> udp = recording[0].finish();
            long made = connections(client, threads, () -> (recording[0] = KernelProfile.record(seconds)).sampling());
            Map<String, Double> tcp = recording[0].finish();
            System.out.printf("  %-34s per UDP datagram: %s%n  %-34s per TCP connection: %s%n", names[c],
                    perPacket(udp, datagramsSeen), "", perPacket(tcp, made));
            if (c == 1) {
                System.out.printf("  %-34s nf_tables functions per UDP datagram (us): %s%n", "",
                        KernelProfile.topRuleFunctions(udp, datagramsSeen, 10));
            }
            if (Boolean.getBoolean("netfence.bench.kernelTop")) {   // every kernel function, to find where a difference goes
                System.out.printf("  %-34s kernel functions per TCP connection (us): %s%n", "",
                        KernelProfile.top(tcp, made, 40, false));
            }
        }
        System.out.println("  (nf_tables rules: every nft_* function, i.e. the chain walk, expressions and set lookups;"
                + " all: every sample of both CPUs, user space and idle included)");
    }

    private static String perPacket(Map<String, Double> micros, long packets) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Double> e : micros.entrySet()) {
            if (!e.getKey().equals("all") && !e.getKey().startsWith("  ")) {
                sb.append(String.format("%s %.3f us, ", e.getKey(), e.getValue() / packets));
            }
        }
        return sb.append(String.format("(%,d packets, %.0f ms of kernel CPU sampled in all)", packets, micros.get("all") / 1000))
                .toString();
    }

    static List<ServerSocket> serve(String namespace, AtomicBoolean stop) {
        List<ServerSocket> listeners = new ArrayList<>();
        ServerSocket s = NetNs.call(namespace, () -> {
            ServerSocket ss = new ServerSocket();
            ss.setReuseAddress(true);
            ss.bind(new InetSocketAddress(InetAddress.getByName(SERVER), PORT), 4096);
            return ss;
        });
        listeners.add(s);
        for (int i = 0; i < 2; i++) {
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        s.accept().close();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "accept-" + i);
            t.setDaemon(true);
            t.start();
        }
        return listeners;
    }

    /**
     * UDP datagrams per second that reach the server from the client through the node. The server never
     * answers, so conntrack keeps each flow unreplied and every datagram is {@code ct state new}: each one
     * runs through the node's rules, with none of TCP's handshake, accept and close around it, which is
     * what isolates the rules' own cost. The client sends from {@code threads} sockets as fast as it can;
     * what the receiver counts is what the node forwarded.
     */
    private static double datagramsPerSecond(String client, UdpSink sink, int seconds, int threads) throws Exception {
        return countDatagrams(client, sink, threads, () -> Thread.sleep(seconds * 1000L)) / (double) seconds;
    }

    /** Datagrams forwarded while {@code window} runs. */
    private static long countDatagrams(String client, UdpSink sink, int threads, Window window) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> senders = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            senders.add(NetNs.start(client, () -> {
                try (java.nio.channels.DatagramChannel ch = java.nio.channels.DatagramChannel.open()) {
                    ch.connect(new InetSocketAddress(SERVER, PORT));
                    java.nio.ByteBuffer payload = java.nio.ByteBuffer.allocateDirect(64);
                    while (!stop.get()) {
                        payload.clear();
                        try {
                            ch.write(payload);
                        } catch (IOException e) {
                            // ECONNREFUSED from an earlier ICMP error, or a full queue: keep sending
                        }
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        Thread.sleep(500);   // let the senders reach their rate
        long before = sink.received.get();
        window.await();
        long got = sink.received.get() - before;
        stop.set(true);
        for (Thread t : senders) {
            t.join();
        }
        if (got == 0) {
            throw new IllegalStateException("no datagram arrived: the rules do not allow the benchmark flow");
        }
        return got;
    }

    /** Counts datagrams arriving at the server's UDP port. */
    private static final class UdpSink implements AutoCloseable {
        final AtomicLong received = new AtomicLong();
        private final java.net.DatagramSocket socket;

        UdpSink(String namespace) {
            socket = NetNs.call(namespace, () -> {
                java.net.DatagramSocket s = new java.net.DatagramSocket(new InetSocketAddress(InetAddress.getByName(SERVER), PORT));
                s.setReceiveBufferSize(4 << 20);
                return s;
            });
            Thread t = new Thread(() -> {
                java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[2048], 2048);
                while (!socket.isClosed()) {
                    try {
                        socket.receive(p);
                        received.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "udp-sink");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    static double connectionsPerSecond(String client, int seconds, int threads) throws Exception {
        return connections(client, threads, () -> Thread.sleep(seconds * 1000L)) / (double) seconds;
    }

    /** A measurement window: returns when it has ended. */
    interface Window {
        void await() throws Exception;
    }

    /**
     * New connections completed while {@code window} runs ({@code threads} clients, each connecting,
     * then resetting, in a loop that starts before the window and stops after it).
     */
    static long connections(String client, int threads, Window window) throws Exception {
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            workers.add(NetNs.start(client, () -> {
                InetSocketAddress target = new InetSocketAddress(SERVER, PORT);
                while (!stop.get()) {
                    try (Socket s = new Socket()) {
                        s.setSoLinger(true, 0);   // close with RST: no TIME_WAIT, every connection is new
                        s.connect(target, 1000);
                        done.incrementAndGet();
                    } catch (IOException e) {
                        failed.incrementAndGet();
                    }
                }
            }));
        }
        Thread.sleep(200);   // let the clients reach their rate
        long before = done.get();
        window.await();
        long made = done.get() - before;
        stop.set(true);
        for (Thread t : workers) {
            t.join();
        }
        if (failed.get() > done.get() / 100) {
            throw new IllegalStateException(failed.get() + " connections failed: the rules do not allow the benchmark flow");
        }
        return made;
    }

    /**
     * Connection tracking with no rule: one base chain that only accepts established packets, which is
     * enough for the kernel to track connections in the node's namespace (a {@code ct} expression makes
     * the namespace register conntrack's hooks). Every node with kube-proxy (iptables, ipvs or nftables
     * mode) or a masquerading CNI already tracks connections; Netfence's rules need it too (replies of
     * allowed connections pass as {@code ct state established}). Its rate against "no table" is the part
     * of the difference that conntrack costs, which no rule layout can remove.
     */
    static final String CONNTRACK_ONLY = """
            table inet ctonly {
            	chain forward {
            		type filter hook forward priority filter; policy accept;
            		ct state established,related accept
            	}
            }
            """;

    /** The two rule sets compared. */
    static final class NftablesScript {
        static String podIp(int i) {
            return "10.79." + (i / 250) + "." + (1 + i % 250);
        }

        static String peerIp(int i) {
            return "10.80." + (i / 250) + "." + (1 + i % 250);
        }

        /** Policy i protects pod i (the server for the last one) and allows peer i (the client for the last one). */
        static ResolvedRuleSet ruleSet() {
            List<AddressSet> sets = new ArrayList<>();
            List<PolicyRules> policies = new ArrayList<>();
            List<LocalPod> pods = new ArrayList<>();
            for (int i = 0; i < POLICIES; i++) {
                boolean last = i == POLICIES - 1;
                AddressSet peer = AddressSet.of("bench peer " + i, List.of(last ? CLIENT : peerIp(i)));
                sets.add(peer);
                String id = PolicyRules.idOf("NetworkPolicy", "bench", "np-" + i, Direction.INGRESS);
                policies.add(new PolicyRules(id, "NetworkPolicy", "bench", "np-" + i, Direction.INGRESS,
                        List.of(new CompiledRule("spec.ingress[0]", false, List.of(peer.name()), false,
                                List.of(new PortRange(Protocol.TCP, PORT, PORT), new PortRange(Protocol.UDP, PORT, PORT)),
                                List.of()))));
                pods.add(new LocalPod("bench", "pod-" + i, List.of(last ? SERVER : podIp(i)), List.of(id), List.of()));
            }
            // the client is a pod of the node too (not isolated): with the pod CIDR set, an address of it that no
            // known pod has is dropped by the fail-closed rule
            pods.add(new LocalPod("bench", "client", List.of(CLIENT), List.of(), List.of()));
            return new ResolvedRuleSet(new NodeRuleSet("bench", List.of("10.78.255.1"), pods, policies,
                    sets.stream().map(AddressSet::name).toList()), sets);
        }

        static String netfence() {
            return dev.netfence.enforcer.nft.NftablesRenderer.render(ruleSet()).fullScript();
        }

        /** iptables style: every policy peer is one rule, scanned in order; isolated pods dropped at the end. */
        static String linear() {
            StringBuilder sb = new StringBuilder("table inet linear {\n\tset isolated {\n\t\ttype ipv4_addr\n\t\telements = {\n");
            for (int i = 0; i < POLICIES; i++) {
                sb.append("\t\t\t").append(i == POLICIES - 1 ? SERVER : podIp(i)).append(i + 1 < POLICIES ? ",\n" : "\n");
            }
            sb.append("\t\t}\n\t}\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n");
            sb.append("\t\tct state established,related accept\n");
            for (int i = 0; i < POLICIES; i++) {
                boolean last = i == POLICIES - 1;
                sb.append("\t\tip daddr ").append(last ? SERVER : podIp(i)).append(" ip saddr ")
                        .append(last ? CLIENT : peerIp(i)).append(" meta l4proto { tcp, udp } th dport ").append(PORT).append(" accept\n");
            }
            sb.append("\t\tip daddr @isolated drop\n\t}\n}\n");
            return sb.toString();
        }
    }
}
