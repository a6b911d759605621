package dev.netfence.lab;

import dev.netfence.lab.netns.NamespaceExecutor;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Probes every ordered pair of pods at once. Each source pod's sockets are opened on a thread
 * inside that pod's namespace (so packets leave from the pod), then one selector on the calling
 * thread waits for all of them: a TCP handshake that completes, or a UDP echo that comes back,
 * marks the pair reached; a refusal or a timeout marks it not reached.
 */
final class MatrixProber {

    /**
     * Bounds the probes in flight, whatever the size of the lab. TCP handshakes are answered by the
     * kernel; UDP echoes by one server thread, so fewer UDP probes fly at once to keep every echo
     * well inside its timeout on a small machine.
     */
    private static final int MAX_TCP_IN_FLIGHT = 4096;
    private static final int MAX_UDP_IN_FLIGHT = 2048;

    private final List<LabPod> pods;
    private final Function<LabPod, NamespaceExecutor> executorOf;
    private final ProbeTimings timings;

    MatrixProber(List<LabPod> pods, Function<LabPod, NamespaceExecutor> executorOf, ProbeTimings timings) {
        this.pods = pods;
        this.executorOf = executorOf;
        this.timings = timings;
    }

    /**
     * Which address of the destination a pair uses. {@code null} family: IPv4 when both pods have
     * one, else IPv6 when both have one (what {@code netfence simulate} evaluates); a given family:
     * the destination's address of that family, else its first address (the engine's
     * {@code Endpoint.of}). A pair without an address family in common cannot talk: not reached.
     */
    static IpAddress target(LabPod source, LabPod destination, Boolean v6) {
        IpAddress to;
        if (v6 == null) {
            boolean v4 = hasFamily(source, false) && hasFamily(destination, false);
            boolean six = hasFamily(source, true) && hasFamily(destination, true);
            if (!v4 && !six) {
                return null;
            }
            to = addressOf(destination, !v4);
        } else {
            to = addressOf(destination, v6);
        }
        return hasFamily(source, to.v6()) ? to : null;
    }

    private static boolean hasFamily(LabPod pod, boolean v6) {
        return pod.pod().ips().stream().anyMatch(a -> a.v6() == v6);
    }

    ReachabilityMatrix probe(int port, Protocol protocol, Boolean v6) {
        if (protocol == Protocol.SCTP) {
            throw new IllegalArgumentException("SCTP cannot be probed");
        }
        int n = pods.size();
        boolean[][] reached = new boolean[n][n];
        int inFlight = protocol == Protocol.TCP ? MAX_TCP_IN_FLIGHT : MAX_UDP_IN_FLIGHT;
        int rowsPerWave = Math.max(1, inFlight / Math.max(1, n));
        for (int first = 0; first < n; first += rowsPerWave) {
            List<CompletableFuture<List<Attempt>>> opening = new ArrayList<>();
            for (int i = first; i < Math.min(n, first + rowsPerWave); i++) {
                int from = i;
                LabPod source = pods.get(i);
                IpAddress[] targets = new IpAddress[n];
                for (int j = 0; j < n; j++) {
                    targets[j] = target(source, pods.get(j), v6);
                }
                opening.add(executorOf.apply(source).submit(() -> start(from, targets, port, protocol)));
            }
            List<Attempt> attempts = new ArrayList<>();
            try {
                for (CompletableFuture<List<Attempt>> f : opening) {
                    attempts.addAll(f.join());
                }
                await(attempts, reached);
            } finally {
                attempts.forEach(Attempt::close);
            }
        }
        List<String> keys = pods.stream().map(LabPod::key).toList();
        return new ReachabilityMatrix(protocol, port, keys, reached);
    }

    /** The address of a pod of this family, else its first (as the engine's {@code Endpoint.of}). */
    static IpAddress addressOf(LabPod pod, boolean v6) {
        return pod.pod().ips().stream().filter(a -> a.v6() == v6).findFirst().orElse(pod.pod().ips().get(0));
    }

    /** Runs inside the source pod's namespace: opens one socket per destination and sends the first packet. */
    private List<Attempt> start(int from, IpAddress[] targets, int port, Protocol protocol) throws IOException {
        List<Attempt> out = new ArrayList<>();
        for (int to = 0; to < targets.length; to++) {
            IpAddress target = targets[to];
            if (target == null) {
                continue; // no address family in common: nothing can be sent
            }
            InetSocketAddress destination = new InetSocketAddress(inet(target), port);
            ProtocolFamily family = target.v6() ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
            Attempt a = new Attempt(from, to);
            try {
                if (protocol == Protocol.TCP) {
                    SocketChannel tcp = SocketChannel.open(family);
                    a.channel = tcp;
                    tcp.configureBlocking(false);
                    a.started = System.nanoTime();
                    a.connected = tcp.connect(destination);
                } else {
                    DatagramChannel udp = DatagramChannel.open(family);
                    a.channel = udp;
                    udp.configureBlocking(false);
                    udp.connect(destination);
                    a.token = ThreadLocalRandom.current().nextLong();
                    a.started = System.nanoTime();
                    a.send();
                }
            } catch (IOException e) {
                a.failed = true; // e.g. refused at once: not reached
            }
            out.add(a);
        }
        return out;
    }

    private static InetAddress inet(IpAddress ip) throws UnknownHostException {
        return InetAddress.getByName(ip.toString()); // a literal: never goes to the resolver
    }

    private void await(List<Attempt> attempts, boolean[][] reached) {
        long tcpTimeout = timings.tcpConnect().toNanos();
        long udpTimeout = timings.udpTimeout().toNanos();
        long resend = timings.udpResend().toNanos();
        ByteBuffer echo = ByteBuffer.allocate(64);
        try (Selector selector = Selector.open()) {
            List<Attempt> live = new ArrayList<>();
            long watching = System.nanoTime();
            for (Attempt a : attempts) {
                // opening a large wave takes a while: every probe gets its full timeout from now on
                a.started = Math.max(a.started, watching);
                if (a.connected) {
                    reached[a.from][a.to] = true;
                } else if (!a.failed) {
                    a.channel.register(selector, a.channel instanceof SocketChannel ? SelectionKey.OP_CONNECT
                            : SelectionKey.OP_READ, a);
                    live.add(a);
                }
            }
            while (!live.isEmpty()) {
                selector.select(1 + resend / 4_000_000);
                for (SelectionKey key : selector.selectedKeys()) {
                    Attempt a = (Attempt) key.attachment();
                    a.done = true;
                    try {
                        if (a.channel instanceof SocketChannel tcp) {
                            boolean connected = tcp.finishConnect();
                            reached[a.from][a.to] = connected;
                            a.done = connected;
                        } else {
                            DatagramChannel udp = (DatagramChannel) a.channel;
                            int read = udp.read(echo.clear());
                            boolean matches = read == Long.BYTES && echo.flip().getLong() == a.token;
                            reached[a.from][a.to] = matches;
                            a.done = matches;
                        }
                    } catch (IOException e) {
                        reached[a.from][a.to] = false; // refused / port unreachable
                    }
                }
                selector.selectedKeys().clear();
                long now = System.nanoTime();
                List<Attempt> still = new ArrayList<>();
                for (Attempt a : live) {
                    boolean udp = a.channel instanceof DatagramChannel;
                    if (a.done) {
                        a.close();
                    } else if (now - a.started >= (udp ? udpTimeout : tcpTimeout)) {
                        // one select reports at most ~1024 ready channels: look at this one before giving up
                        reached[a.from][a.to] = a.answeredMeanwhile(echo);
                        a.close();
                    } else {
                        if (udp && now - a.lastSent >= resend) {
                            try {
                                a.send();
                            } catch (IOException e) {
                                a.close();
                                continue;
                            }
                        }
                        still.add(a);
                    }
                }
                live = still;
            }
        } catch (IOException e) {
            throw new LabException("probing failed: " + e.getMessage(), e);
        }
    }

    private static final class Attempt {
        final int from;
        final int to;
        SelectableChannel channel;
        long started;
        long lastSent;
        long token;
        boolean connected;
        boolean failed;
        boolean done;

        Attempt(int from, int to) {
            this.from = from;
            this.to = to;
        }

        void send() throws IOException {
            lastSent = System.nanoTime();
            ((DatagramChannel) channel).write(ByteBuffer.allocate(Long.BYTES).putLong(token).flip());
        }

        /** Whether the handshake completed or the echo arrived without the selector having said so yet. */
        boolean answeredMeanwhile(ByteBuffer echo) {
            try {
                if (channel instanceof SocketChannel tcp) {
                    return tcp.finishConnect();
                }
                int read = ((DatagramChannel) channel).read(echo.clear());
                return read == Long.BYTES && echo.flip().getLong() == token;
            } catch (IOException e) {
                return false;
            }
        }

        void close() {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    // best effort; the pair's result is already recorded
                }
            }
        }
    }
}
