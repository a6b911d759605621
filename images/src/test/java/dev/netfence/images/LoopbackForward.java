package dev.netfence.images;

import dev.netfence.lab.netns.NamespaceExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP forwarder between the loopbacks of two network namespaces, inside this JVM, like
 * {@code kubectl port-forward}: it listens on 127.0.0.1:{@code listenPort} of {@code listenIn}'s
 * namespace and connects each accepted connection to 127.0.0.1:{@code targetPort} of
 * {@code connectIn}'s namespace (null: the namespace of the thread that opens it, the machine's).
 * A socket stays in the namespace of the thread that created it, so no packet leaves either
 * loopback: a container in a namespace the test created (no route anywhere) reaches the mock API
 * server on the machine's loopback, and the test reaches the container's port.
 */
final class LoopbackForward implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    private LoopbackForward(ServerSocket server, NamespaceExecutor connectIn, int targetPort) {
        this.server = server;
        this.acceptor = new Thread(() -> accept(connectIn, targetPort), "forward-" + server.getLocalPort() + "-" + targetPort);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static LoopbackForward open(NamespaceExecutor listenIn, int listenPort, NamespaceExecutor connectIn, int targetPort)
            throws Exception {
        ServerSocket server = call(listenIn, () -> {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), listenPort), 64);
            return s;
        });
        return new LoopbackForward(server, connectIn, targetPort);
    }

    int port() {
        return server.getLocalPort();
    }

    private static <T> T call(NamespaceExecutor in, java.util.concurrent.Callable<T> task) throws Exception {
        return in == null ? task.call() : in.call(task);
    }

    private void accept(NamespaceExecutor connectIn, int targetPort) {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            open.add(client);
            try {
                Socket target = call(connectIn, () -> {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5000);
                    return s;
                });
                open.add(target);
                pump(client, target);
                pump(target, client);
            } catch (Exception e) {
                closeQuietly(client);
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed: close both
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "pump-" + from.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing
        }
        open.forEach(LoopbackForward::closeQuietly);
    }
}
