package dev.netfence.enforcer.flow;

import dev.netfence.enforcer.netns.NetworkNamespace;
import dev.netfence.enforcer.nft.FlowLogCounter;
import dev.netfence.enforcer.nft.NflogSocket;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The thread that reads the flow log's NFLOG group: it enters the node's network namespace
 * ({@code netfence.enforcer.network-namespace}, or stays in its own on a node), binds the group
 * ({@link NflogSocket}, copying the first {@link #COPY_RANGE} bytes of each packet), and hands every
 * datagram to {@link FlowLog}. Every {@link #LOST_READ_MILLIS} it also reads the kernel's
 * over-the-rate-limit counter. {@link #start} returns once the group is bound, or throws why not.
 */
public final class FlowLogReader implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FlowLogReader.class);
    /** IPv6 header (40) + a few extension headers + the ports: what a record needs, never the data. */
    public static final int COPY_RANGE = 128;
    static final int POLL_MILLIS = 250;
    static final long LOST_READ_MILLIS = 1_000;

    private final FlowLog log;
    private final Thread thread;
    private volatile boolean closed;
    private final CompletableFuture<Void> bound = new CompletableFuture<>();

    private FlowLogReader(FlowLog log, Optional<String> namespace) {
        this.log = log;
        this.thread = new Thread(() -> run(namespace), "netfence-flowlog-" + log.node());
        thread.setDaemon(true);
    }

    public static FlowLogReader start(FlowLog log, Optional<String> namespace) {
        FlowLogReader reader = new FlowLogReader(log, namespace);
        reader.thread.start();
        try {
            reader.bound.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            reader.close();
            throw new IllegalStateException("the flow log reader did not bind NFLOG group " + log.settings().group() + " in 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return reader;
    }

    private void run(Optional<String> namespace) {
        NflogSocket socket;
        try {
            namespace.ifPresent(NetworkNamespace::enter);
            socket = new NflogSocket(log.settings().group(), COPY_RANGE, POLL_MILLIS);
        } catch (RuntimeException e) {
            bound.completeExceptionally(e);
            return;
        }
        bound.complete(null);
        byte[] buf = new byte[NflogSocket.BUFFER];
        long nextLostRead = 0;
        try (socket) {
            while (!closed) {
                int n = socket.receive(buf);
                if (n == NflogSocket.OVERRUN) {
                    log.overrun();
                } else if (n > 0) {
                    log.received(NflogDecoder.decode(buf, n));
                }
                long now = System.nanoTime() / 1_000_000;
                if (now >= nextLostRead) {
                    log.kernelLost(FlowLogCounter.lost());
                    nextLostRead = now + LOST_READ_MILLIS;
                }
            }
        } catch (RuntimeException e) {
            if (!closed) {
                LOG.errorf("node %s: the flow log stopped reading NFLOG group %d: %s", log.node(), log.settings().group(),
                        e.getMessage());
            }
        }
    }

    /** Reads the kernel's lost counter now (tests; the loop reads it every second). */
    public FlowLog flowLog() {
        return log;
    }

    @Override
    public void close() {
        closed = true;
        try {
            thread.join(2 * POLL_MILLIS + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
