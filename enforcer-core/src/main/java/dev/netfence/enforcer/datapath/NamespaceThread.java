package dev.netfence.enforcer.datapath;

import dev.netfence.enforcer.netns.NetworkNamespace;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One thread that entered a network namespace with {@code setns(2)} and runs every kernel call
 * there ({@code netfence.enforcer.network-namespace}). The loop's own thread, and with it the API
 * connections, stays in the process's namespace: only nftables transactions happen inside.
 */
public final class NamespaceThread implements NftablesDatapath.InNamespace, AutoCloseable {
    private final ExecutorService thread;

    public NamespaceThread(String namespace) {
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "netfence-netns-" + namespace);
            t.setDaemon(true);
            return t;
        });
        call(() -> {
            NetworkNamespace.enter(namespace);
            return null;
        });
    }

    @Override
    public <T> T call(Callable<T> task) {
        try {
            return thread.submit(task).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
