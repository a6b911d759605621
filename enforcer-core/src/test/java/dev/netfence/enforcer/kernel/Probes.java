package dev.netfence.enforcer.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.CountDownLatch;

/**
 * Tiny servers and real TCP/UDP probes run inside pod namespaces. A TCP server answers one byte
 * per connection; a UDP server echoes. A probe succeeds only if the answer comes back, so both
 * directions of the flow crossed the node.
 */
public final class Probes {
    public static final int TIMEOUT_MS = 400;

    private Probes() {
    }

    /** Servers started by {@link #serve}; closing them frees their namespace. */
    public static final class Servers implements AutoCloseable {
        private final java.util.List<java.io.Closeable> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void close() {
            for (java.io.Closeable c : sockets) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
    }

    /** Starts TCP and UDP servers on {@code port} in the namespace; returns once they listen. */
    public static void serve(Servers servers, String namespace, int port) {
        CountDownLatch ready = new CountDownLatch(2);
        NetNs.start(namespace, () -> {
            try (ServerSocket server = new ServerSocket()) {
                servers.sockets.add(server);
                server.setReuseAddress(true);
                server.bind(new InetSocketAddress(InetAddress.getByName("::"), port), 1024);
                ready.countDown();
                while (true) {
                    try (Socket s = server.accept()) {
                        s.getOutputStream().write('k');
                    } catch (IOException e) {
                        if (server.isClosed()) {
                            return;
                        }
                        // a client that reset the connection: serve the next one
                    }
                }
            } catch (IOException e) {
                ready.countDown();
            }
        });
        NetNs.start(namespace, () -> {
            try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("::"), port))) {
                servers.sockets.add(socket);
                ready.countDown();
                byte[] buf = new byte[64];
                while (true) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    socket.receive(p);
                    socket.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
                }
            } catch (IOException e) {
                ready.countDown();   // closed, or failed to bind: the probes will report it
            }
        });
        try {
            ready.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Connects from inside {@code namespace}; true when the server's byte came back. */
    public static boolean tcp(String namespace, String address, int port) {
        return NetNs.call(namespace, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getByName(address), port), TIMEOUT_MS);
                s.setSoTimeout(TIMEOUT_MS);
                InputStream in = s.getInputStream();
                return in.read() == 'k';
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** Sends a datagram from inside {@code namespace}; true when the echo came back. */
    public static boolean udp(String namespace, String address, int port) {
        return NetNs.call(namespace, () -> {
            try (DatagramSocket s = new DatagramSocket()) {
                s.setSoTimeout(TIMEOUT_MS);
                byte[] msg = {'p'};
                s.send(new DatagramPacket(msg, 1, InetAddress.getByName(address), port));
                DatagramPacket reply = new DatagramPacket(new byte[64], 64);
                s.receive(reply);
                return reply.getLength() == 1 && reply.getData()[0] == 'p';
            } catch (IOException e) {
                return false;
            }
        });
    }
}
