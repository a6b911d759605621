package dev.netfence.enforcer.kernel;

import dev.netfence.enforcer.SampleClusters;
import dev.netfence.enforcer.datapath.NamespaceThread;
import dev.netfence.enforcer.datapath.NftablesDatapath;
import dev.netfence.enforcer.loop.EnforcerLoop;
import dev.netfence.enforcer.loop.EnforcerObserver;
import dev.netfence.enforcer.loop.EnforcerSettings;
import dev.netfence.enforcer.loop.StatusSink;
import dev.netfence.enforcer.revoke.ConnectionRevocation;
import dev.netfence.enforcer.revoke.ConnectionRevoker;
import dev.netfence.enforcer.source.RuleSetSource;
import dev.netfence.policy.compile.ResolvedRuleSet;
import dev.netfence.policy.compile.RuleSetCompiler;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.PolicyPort;
import dev.netfence.policy.model.PolicyRule;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One routed lab node (namespaces {@code nf-rv<pid>-*}) with a client pod and two echo servers, both
 * reachable from the client on TCP 8080 by a policy each ({@code allow-s1}, {@code allow-s2}), and
 * the real enforcer loop applying the node's rule set in the node's namespace. {@link #removeAllowS1()}
 * publishes the change that leaves s1 isolated with nothing allowed. Shared by
 * {@code ConnectionRevocationIT} and {@code RevocationBenchmark}.
 */
public final class RevocationLab implements AutoCloseable {
    public static final String CLIENT = "10.77.0.11";
    public static final String S1 = "10.77.0.21";
    public static final String S2 = "10.77.0.22";
    public static final int PORT = 8080;

    private final RoutedNode node;
    private final NamespaceThread thread;
    private final Source source = new Source();
    private final EnforcerLoop loop;
    private final BlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();
    private final List<ServerSocket> servers = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** When the last revocation finished (System.nanoTime), 0 before the first. */
    private volatile long revokedAt;
    /** When the last apply that changed the table finished (System.nanoTime). */
    private volatile long appliedAt;
    private volatile ConnectionRevoker.Result lastRevocation = ConnectionRevoker.Result.NONE;

    public RevocationLab(ConnectionRevocation revocation) {
        node = new RoutedNode("rv" + ProcessHandle.current().pid(), "10.77.255.1");
        try {
            node.addPod("client", CLIENT);
            node.addPod("s1", S1);
            node.addPod("s2", S2);
            echo(node.pod("s1"));
            echo(node.pod("s2"));
            thread = new NamespaceThread(node.nodeNamespace());
            source.current = rules(true);
            EnforcerObserver observer = new EnforcerObserver() {
                @Override
                public void applied(dev.netfence.enforcer.nft.ApplyResult result) {
                    appliedAt = System.nanoTime();
                }

                @Override
                public void revoked(ConnectionRevoker.Result result) {
                    lastRevocation = result;
                    revokedAt = System.nanoTime();
                }
            };
            loop = new EnforcerLoop(EnforcerSettings.defaults("n1").withConnectionRevocation(revocation), source,
                    new NftablesDatapath(thread), StatusSink.NONE, observer).start();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public EnforcerLoop loop() {
        return loop;
    }

    public String namespace(String pod) {
        return node.pod(pod);
    }

    public String nodeNamespace() {
        return node.nodeNamespace();
    }

    public long revokedAt() {
        return revokedAt;
    }

    public long appliedAt() {
        return appliedAt;
    }

    public ConnectionRevoker.Result lastRevocation() {
        return lastRevocation;
    }

    /** The server side of the next connection a server accepted. */
    public Socket accepted() throws InterruptedException {
        return accepted.poll(5, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Publishes the rule set without {@code allow-s1} (s1 stays isolated, allows nothing), as an informer event would. */
    public void removeAllowS1() {
        source.current = rules(false);
        source.listener.run();
    }

    /** Publishes the rule set with both allows again. */
    public void restoreAllowS1() {
        source.current = rules(true);
        source.listener.run();
    }

    /** A connection from the client pod to {@code server}:8080 (the socket lives in the client's namespace). */
    public Socket connect(String server) {
        return NetNs.call(node.pod("client"), () -> {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(InetAddress.getByName(server), PORT), 2000);
            s.setTcpNoDelay(true);
            return s;
        });
    }

    /** Sends one byte and waits for its echo; false when none came within {@code timeoutMs} (or the connection broke). */
    public static boolean exchange(Socket s, int timeoutMs) {
        try {
            s.setSoTimeout(timeoutMs);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write('e');
            out.flush();
            return in.read() == 'e';
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private void echo(String namespace) {
        java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
        NetNs.start(namespace, () -> {
            try (ServerSocket server = new ServerSocket()) {
                servers.add(server);
                server.setReuseAddress(true);
                server.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), PORT), 64);
                ready.countDown();
                while (true) {
                    Socket s = server.accept();
                    s.setTcpNoDelay(true);
                    accepted.add(s);
                    Thread t = new Thread(() -> pump(s), "echo-" + namespace);
                    t.setDaemon(true);
                    t.start();
                }
            } catch (IOException e) {
                ready.countDown(); // closed
            }
        });
        try {
            ready.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void pump(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                out.write(b);
                out.flush();
            }
        } catch (IOException ignored) {
            // the test closed it, or the lab is going away
        }
    }

    /** The node's rule set: s1 and s2 isolated for ingress, each allowed from the client on TCP 8080 by its own policy. */
    static ResolvedRuleSet rules(boolean allowS1) {
        ClusterSnapshot.Builder b = ClusterSnapshot.builder()
                .namespace(new Namespace("shop", Map.of()))
                .node(new Node("n1", List.of(IpAddress.parse("10.77.255.1"))))
                .pod(SampleClusters.pod("shop", "client", "n1", Map.of("app", "client"), List.of(), CLIENT))
                .pod(SampleClusters.pod("shop", "s1", "n1", Map.of("app", "s1"), List.of(), S1))
                .pod(SampleClusters.pod("shop", "s2", "n1", Map.of("app", "s2"), List.of(), S2))
                .policy(allow("s2"));
        b.policy(allowS1 ? allow("s1")
                : new NetworkPolicy("shop", "s1-deny", LabelSelector.of("app", "s1"), List.of("Ingress"), List.of(), null,
                Map.of()));
        return RuleSetCompiler.compile(b.build()).forNode("n1");
    }

    private static NetworkPolicy allow(String server) {
        return new NetworkPolicy("shop", "allow-" + server, LabelSelector.of("app", server), List.of("Ingress"),
                List.of(new PolicyRule(List.of(Peer.pods(LabelSelector.of("app", "client"))),
                        List.of(PolicyPort.of(Protocol.TCP, PORT)))), null, Map.of());
    }

    @Override
    public void close() {
        if (loop != null) {
            loop.close();
        }
        for (ServerSocket s : servers) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        Socket s;
        while ((s = accepted.poll()) != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        if (thread != null) {
            thread.close();
        }
        node.close();
    }

    private static final class Source implements RuleSetSource {
        volatile ResolvedRuleSet current;
        volatile Runnable listener = () -> { };

        @Override
        public Optional<ResolvedRuleSet> current() {
            return Optional.of(current);
        }

        @Override
        public String describe() {
            return "the revocation lab";
        }

        @Override
        public boolean onChange(Runnable l) {
            listener = l;
            return true;
        }
    }
}
