package dev.netfence.enforcer.cni;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The enforcer's end of the CNI plugin: a unix socket on the host (Java 16+ unix domain socket
 * channels) that answers one {@link CniRequest} per connection with the exit status and stdout of
 * the plugin. Whoever can connect can hold or release pods' addresses, so the socket is the
 * caller's (root's) with mode 0600 in a directory with mode 0700; the container runtime runs the
 * plugin as root.
 *
 * <p>Each connection is served on its own thread (an ADD waits for the kernel; a DEL must not wait
 * behind it), at most {@value #MAX_CONCURRENT} at once; more are refused with "try again later".
 */
public final class CniSocketServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CniSocketServer.class);
    static final int MAX_CONCURRENT = 64;

    private final Path path;
    private final CniRequestHandler handler;
    private final ServerSocketChannel server;
    private final ExecutorService workers;
    private final Thread acceptor;
    private final AtomicInteger served = new AtomicInteger();

    private CniSocketServer(Path path, CniRequestHandler handler) throws IOException {
        this.path = path;
        this.handler = handler;
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        // a socket file left by a previous enforcer (kill -9) would make bind fail
        if (Files.exists(path) && !Files.isDirectory(path)) {
            Files.delete(path);
        }
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        AtomicInteger n = new AtomicInteger();
        workers = new ThreadPoolExecutor(0, MAX_CONCURRENT, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "netfence-cni-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        acceptor = new Thread(this::accept, "netfence-cni-accept");
        acceptor.setDaemon(true);
    }

    /** Binds {@code path} (replacing a stale socket file) and starts serving. */
    public static CniSocketServer start(Path path, CniRequestHandler handler) {
        try {
            CniSocketServer s = new CniSocketServer(path, handler);
            s.acceptor.start();
            LOG.infof("CNI plugin requests served on %s", path);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for the CNI plugin on " + path + ": " + e.getMessage(), e);
        }
    }

    public Path path() {
        return path;
    }

    /** Requests answered so far. */
    public int served() {
        return served.get();
    }

    private void accept() {
        while (server.isOpen()) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.warnf("CNI socket %s: %s", path, e.getMessage());
                continue;
            }
            try {
                workers.execute(() -> serve(c));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                reply(c, CniResponse.error("1.0.0", CniResponse.TRY_AGAIN_LATER,
                        "the netfence enforcer is serving " + MAX_CONCURRENT + " CNI calls already", null));
            }
        }
    }

    private void serve(SocketChannel c) {
        CniResponse response;
        try {
            InputStream in = Channels.newInputStream(c);
            CniRequest request = CniRequest.read(in);
            response = handler.handle(request);
        } catch (IOException e) {
            response = CniResponse.error("1.0.0", CniResponse.IO_FAILURE, "the netfence plugin's request was cut or malformed",
                    e.getMessage());
        } catch (RuntimeException e) {
            LOG.errorf(e, "CNI request failed");
            response = CniResponse.error("1.0.0", CniResponse.IO_FAILURE, "the netfence enforcer failed on this request",
                    e.getMessage());
        }
        reply(c, response);
    }

    private void reply(SocketChannel c, CniResponse r) {
        try (c) {
            OutputStream out = Channels.newOutputStream(c);
            out.write((r.exitCode() + "\n" + r.stdout()).getBytes(StandardCharsets.UTF_8));
            out.flush();
            served.incrementAndGet();
        } catch (IOException e) {
            LOG.debugf("CNI client went away before the answer: %s", e.getMessage());
        }
    }

    /** Stops accepting and removes the socket file; calls being served finish. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        workers.shutdown();
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.debugf("cannot remove %s: %s", path, e.getMessage());
        }
    }
}
