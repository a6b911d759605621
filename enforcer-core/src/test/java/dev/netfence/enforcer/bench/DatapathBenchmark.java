package dev.netfence.enforcer.bench;

import dev.netfence.enforcer.kernel.NetNs;
import dev.netfence.enforcer.kernel.RoutedNode;
import dev.netfence.enforcer.nft.Nftables;
import dev.netfence.enforcer.nft.RuleSetApplier;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * New TCP connections per second from a client pod to a server pod through a lab node (two pod
 * namespaces routed through a node namespace), with (a) no table on the node, (b) Netfence's
 * table for 1,000 ingress policies (one per local pod, each allowing one peer pod on TCP 8080;
 * the server is one of those pods) and (c) the same 1,000 policies as a naive linear chain, one
 * rule per policy peer, the server's rule last (worst case for a linear scan, as for the last
 * iptables rule). Every connection is new (the client resets it on close), so every SYN is
 * judged by the rules. Configurations are measured in rounds, interleaved, and the median kept.
 * Run as root: {@code enforcer/bench.sh DatapathBenchmark [seconds] [rounds] [threads] [policies]}.
 */
public final class DatapathBenchmark {
    private static int POLICIES = 1_000;
    private static final int PORT = 8080;
    private static final String CLIENT = "10.78.0.2";
    private static final String SERVER = "10.78.0.1";

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
                String.format("linear chain, %,d policies", POLICIES)};
            double[][] results = new double[3][rounds];
            connectionsPerSecond(client, seconds, threads);   // warm-up (JIT, neighbour caches), not counted
            for (int r = 0; r < rounds; r++) {
                for (int c = 0; c < 3; c++) {
                    int config = c;
                    NetNs.call(node.nodeNamespace(), () -> {
                        Nftables nft = new Nftables();
                        nft.run("flush ruleset\n");   // the lab node's own namespace: nothing else lives there
                        if (config == 1) {
                            new RuleSetApplier(nft).apply(NftablesScript.ruleSet());
                        } else if (config == 2) {
                            nft.run(linear);
                        }
                        return null;
                    });
                    results[c][r] = connectionsPerSecond(client, seconds, threads);
                }
            }
            for (int c = 0; c < 3; c++) {
                System.out.printf("%-34s median %,8.0f conn/s  (rounds: %s)%n", names[c], ApplyBenchmark.median(results[c]),
                        java.util.Arrays.toString(java.util.Arrays.stream(results[c]).mapToLong(Math::round).toArray()));
            }
            System.out.printf("Netfence table script: %,d bytes; linear chain: %,d rules%n", netfence.length(), POLICIES + 2);
            stop.set(true);
            for (ServerSocket l : listeners) {
                l.close();
            }
        }
    }

    private static List<ServerSocket> serve(String namespace, AtomicBoolean stop) {
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

    private static double connectionsPerSecond(String client, int seconds, int threads) throws InterruptedException {
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            workers.add(NetNs.start(client, () -> {
                InetSocketAddress target = new InetSocketAddress(SERVER, PORT);
                while (System.nanoTime() < end) {
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
        for (Thread t : workers) {
            t.join();
        }
        if (failed.get() > done.get() / 100) {
            throw new IllegalStateException(failed.get() + " connections failed: the rules do not allow the benchmark flow");
        }
        return done.get() / (double) seconds;
    }

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
                                List.of(new PortRange(Protocol.TCP, PORT, PORT)), List.of()))));
                pods.add(new LocalPod("bench", "pod-" + i, List.of(last ? SERVER : podIp(i)), List.of(id), List.of()));
            }
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
                        .append(last ? CLIENT : peerIp(i)).append(" tcp dport ").append(PORT).append(" accept\n");
            }
            sb.append("\t\tip daddr @isolated drop\n\t}\n}\n");
            return sb.toString();
        }
    }
}
