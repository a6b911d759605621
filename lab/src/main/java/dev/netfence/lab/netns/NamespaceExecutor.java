package dev.netfence.lab.netns;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs tasks on platform threads that live inside one network namespace. Each thread enters the
 * namespace with setns(2) before its first task; a task never runs on a thread that failed to
 * enter it (it fails with the setns error instead). Sockets opened by a task belong to the
 * namespace for their whole life, so they may then be driven from any thread; child processes
 * started by a task inherit the namespace too.
 */
public final class NamespaceExecutor implements AutoCloseable {

    /** The namespace the current thread has entered, when it is a namespace thread. */
    private static final ThreadLocal<String> ENTERED = new ThreadLocal<>();
    private static final ThreadLocal<RuntimeException> ENTER_FAILURE = new ThreadLocal<>();

    private final String namespace;
    private final ExecutorService threads;

    public NamespaceExecutor(String namespace, int threadCount) {
        this.namespace = namespace;
        AtomicInteger counter = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(threadCount, work -> {
            Thread t = new Thread(() -> {
                try {
                    NetworkNamespaces.enter(namespace);
                    ENTERED.set(namespace);
                } catch (RuntimeException | Error e) {
                    ENTER_FAILURE.set(e instanceof RuntimeException re ? re : new IllegalStateException(e));
                }
                work.run();
            }, "netns-" + namespace + "-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public String namespace() {
        return namespace;
    }

    public <T> CompletableFuture<T> submit(Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        threads.execute(() -> {
            try {
                if (!namespace.equals(ENTERED.get())) {
                    RuntimeException cause = ENTER_FAILURE.get();
                    throw new IllegalStateException("thread " + Thread.currentThread().getName()
                            + " is not inside network namespace " + namespace, cause);
                }
                result.complete(task.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** Runs {@code task} in the namespace and waits for it; its exception is rethrown as is when unchecked. */
    public <T> T call(Callable<T> task) throws Exception {
        try {
            return submit(task).get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw (Error) cause;
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
