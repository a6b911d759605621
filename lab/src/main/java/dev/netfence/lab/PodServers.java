package dev.netfence.lab;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The servers of every pod, driven by one selector thread. Each socket was opened inside its pod's
 * namespace (a socket belongs to the namespace it was created in), so one thread can serve them
 * all. TCP: accept, then echo what arrives until the peer closes (a completed handshake is the
 * probes' answer; the demo's revocation step keeps a connection open and exchanges data on it). UDP:
 * echo every datagram back to its sender.
 */
final class PodServers implements AutoCloseable {

    private final Selector selector;
    private final Thread loop;
    private final ConcurrentLinkedQueue<SelectableChannel> pending = new ConcurrentLinkedQueue<>();
    private final List<SelectableChannel> channels = new ArrayList<>();
    private volatile boolean closed;

    PodServers() {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new LabException("cannot open a selector for the pod servers: " + e.getMessage(), e);
        }
        loop = new Thread(this::serve, "lab-pod-servers");
        loop.setDaemon(true);
        loop.start();
    }

    /** Serves a bound, non-blocking {@link ServerSocketChannel} or {@link DatagramChannel}. */
    void add(SelectableChannel channel) {
        synchronized (channels) {
            channels.add(channel);
        }
        pending.add(channel);
        selector.wakeup();
    }

    private void serve() {
        ByteBuffer buffer = ByteBuffer.allocate(2048);
        try {
            while (!closed) {
                selector.select();
                SelectableChannel next;
                while ((next = pending.poll()) != null) {
                    next.register(selector, next instanceof ServerSocketChannel ? SelectionKey.OP_ACCEPT : SelectionKey.OP_READ);
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    try {
                        if (key.channel() instanceof ServerSocketChannel server) {
                            SocketChannel accepted;
                            while ((accepted = server.accept()) != null) {
                                accepted.configureBlocking(false);
                                accepted.register(selector, SelectionKey.OP_READ);
                            }
                        } else if (key.channel() instanceof SocketChannel connection) {
                            echo(connection, buffer);
                        } else if (key.channel() instanceof DatagramChannel udp) {
                            SocketAddress from;
                            while ((from = udp.receive(buffer.clear())) != null) {
                                udp.send(buffer.flip(), from);
                            }
                        }
                    } catch (IOException e) {
                        // one failed answer (e.g. the prober's socket already closed) must not stop the servers
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | ClosedSelectorException e) {
            if (!closed) {
                throw new LabException("the pod servers stopped: " + e.getMessage(), e);
            }
        }
    }

    /** Writes back what arrived (a few bytes at a time in the lab); closes on the peer's end of stream or an error. */
    private static void echo(SocketChannel connection, ByteBuffer buffer) throws IOException {
        try {
            int n = connection.read(buffer.clear());
            if (n < 0) {
                connection.close();
                return;
            }
            buffer.flip();
            while (buffer.hasRemaining()) {
                if (connection.write(buffer) == 0) {
                    break; // the peer does not read: drop the rest rather than block every pod's server
                }
            }
        } catch (IOException e) {
            connection.close();
            throw e;
        }
    }

    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            loop.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (channels) {
            for (SelectableChannel c : channels) {
                try {
                    c.close();
                } catch (IOException e) {
                    // closing is best effort: the namespace goes away right after
                }
            }
            channels.clear();
        }
        try {
            selector.close();
        } catch (IOException e) {
            // see above
        }
    }
}
