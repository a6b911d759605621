package dev.netfence.lab;

import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.ContainerPort;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * How fast the lab is: bring-up, full-matrix probes (all reachable; and with one pod's TCP port
 * dropped, where timeouts dominate) and tear-down, for N nodes with M pods each. Needs root.
 *
 * <pre>java -cp lab/target/classes:policy/target/classes:JNA_JAR dev.netfence.lab.LabBenchmark [nodes] [podsPerNode] [rounds]</pre>
 */
public final class LabBenchmark {

    public static void main(String[] args) throws Exception {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int podsPerNode = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Lab.prerequisitesMissing().ifPresent(reason -> {
            System.err.println(reason);
            System.exit(2);
        });
        ClusterSnapshot snapshot = cluster(nodes, podsPerNode);
        int pods = snapshot.podsWithIps().size();
        boolean haveNft = Lab.findExecutable("nft").isPresent();
        List<long[]> samples = new ArrayList<>();
        for (int r = 0; r < rounds + 1; r++) { // the first round warms the JVM up and is not counted
            long t0 = System.nanoTime();
            Lab lab = Lab.up(snapshot);
            long up = System.nanoTime() - t0;
            long tcp;
            long udp;
            long dropped = -1;
            try {
                tcp = timed(() -> check(lab.measure(80, Protocol.TCP), pods * pods));
                udp = timed(() -> check(lab.measure(81, Protocol.UDP), pods * pods));
                if (haveNft) {
                    IpAddress victim = snapshot.podsWithIps().get(0).ips().get(0);
                    String node = snapshot.podsWithIps().get(0).nodeName();
                    lab.installRules(n -> {
                        if (n.name().equals(node)) {
                            nft("table inet lab_bench {\n chain forward {\n  type filter hook forward priority 0;\n"
                                    + "  ip daddr " + victim + " tcp dport 80 drop\n }\n}\n");
                        }
                    });
                    dropped = timed(() -> check(lab.measure(80, Protocol.TCP), pods * pods - (pods - 1)));
                }
            } finally {
                long t1 = System.nanoTime();
                lab.close();
                samples.add(new long[] {up, 0, 0, 0, System.nanoTime() - t1});
            }
            long[] s = samples.get(samples.size() - 1);
            s[1] = tcp;
            s[2] = udp;
            s[3] = dropped;
        }
        samples.remove(0);
        System.out.printf("lab of %d nodes / %d pods, %d pairs, median of %d rounds (min in brackets)%n",
                nodes, pods, pods * pods, rounds);
        String[] names = {"up (namespaces, links, routes, servers)", "probe TCP/80, all reachable",
            "probe UDP/81, all reachable", "probe TCP/80, one pod's port dropped", "close (everything removed)"};
        for (int i = 0; i < names.length; i++) {
            int col = i;
            long[] values = samples.stream().mapToLong(s -> s[col]).sorted().toArray();
            if (values[0] < 0) {
                System.out.printf("  %-42s skipped (no nft)%n", names[i]);
                continue;
            }
            System.out.printf("  %-42s %7.1f ms  [%.1f]%n", names[i], values[values.length / 2] / 1e6, values[0] / 1e6);
        }
    }

    private static long timed(Supplier<Boolean> work) {
        long t0 = System.nanoTime();
        if (!work.get()) {
            throw new IllegalStateException("unexpected matrix");
        }
        return System.nanoTime() - t0;
    }

    private static boolean check(ReachabilityMatrix m, int expectedReached) {
        int reached = 0;
        for (boolean[] row : m.allowed()) {
            for (boolean cell : row) {
                reached += cell ? 1 : 0;
            }
        }
        if (reached != expectedReached) {
            System.err.println("expected " + expectedReached + " reached pairs, measured " + reached + ":\n" + m);
        }
        return reached == expectedReached;
    }

    private static void nft(String script) throws Exception {
        Process p = new ProcessBuilder("nft", "-f", "-").redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(script.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("nft failed: " + out);
        }
    }

    static ClusterSnapshot cluster(int nodes, int podsPerNode) {
        ClusterSnapshot.Builder b = ClusterSnapshot.builder();
        String[] namespaces = {"x", "y", "z"};
        for (String ns : namespaces) {
            b.namespace(Namespace.of(ns));
        }
        List<ContainerPort> ports = List.of(new ContainerPort("http", 80, Protocol.TCP),
                new ContainerPort("dns", 81, Protocol.UDP));
        int k = 0;
        for (int n = 1; n <= nodes; n++) {
            b.node(new Node("node-" + n, List.of(IpAddress.parse("172.31." + (n / 250) + "." + (n % 250 + 1)))));
            for (int p = 0; p < podsPerNode; p++, k++) {
                IpAddress ip = IpAddress.parse("10." + (100 + n / 250) + "." + (n % 250) + "." + (10 + p));
                b.pod(new Pod(namespaces[k % 3], String.format("pod-%04d", k), Map.of("app", "p" + k), List.of(ip),
                        "node-" + n, false, ports));
            }
        }
        return b.build();
    }
}
