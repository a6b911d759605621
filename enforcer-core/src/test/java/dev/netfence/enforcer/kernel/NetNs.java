package dev.netfence.enforcer.kernel;

import dev.netfence.enforcer.netns.NetworkNamespace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Network namespaces for kernel tests: created and removed with {@code ip netns}, entered by a
 * fresh thread with {@code setns(2)} (a Java thread is a kernel task, so only that thread moves).
 * Test namespaces are named {@code nf-...} and are never the machine's own.
 */
public final class NetNs {
    private NetNs() {
    }

    public static boolean root() {
        return NetworkNamespace.root();
    }

    /** Why kernel tests cannot run here, or null when they can. */
    public static String unavailableReason() {
        if (!root()) {
            return "needs root (network namespaces and nftables); run the tests as root";
        }
        if (!Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip"))
                && !Files.isExecutable(Path.of("/usr/bin/ip"))) {
            return "needs iproute2 (ip)";
        }
        if (!dev.netfence.enforcer.nft.Nftables.available()) {
            return "needs libnftables.so.1 (apt-get install libnftables1)";
        }
        return null;
    }

    public static void add(String name) {
        if (!name.startsWith("nf-")) {
            throw new IllegalArgumentException("test namespaces are named nf-...: " + name);
        }
        sh("ip", "netns", "add", name);
        sh("ip", "-n", name, "link", "set", "lo", "up");
    }

    public static void delete(String name) {
        if (Files.exists(Path.of("/run/netns", name))) {
            run(List.of("ip", "netns", "del", name));
        }
    }

    /** Removes leftovers of earlier runs whose names start with {@code prefix}. */
    public static void deleteAll(String prefix) {
        try (var s = Files.list(Path.of("/run/netns"))) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).forEach(NetNs::delete);
        } catch (IOException e) {
            // no /run/netns yet: nothing to clean
        }
    }

    /** Runs {@code task} on a new thread inside namespace {@code name} and returns its result. */
    public static <T> T call(String name, Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                enter(name);
                result.complete(task.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "netns-" + name);
        t.setDaemon(true);
        t.start();
        try {
            return result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts a daemon thread inside namespace {@code name} running {@code body} (servers). */
    public static Thread start(String name, Runnable body) {
        Thread t = new Thread(() -> {
            enter(name);
            body.run();
        }, "netns-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Moves the calling thread into the namespace (the enforcer's own setns binding). */
    public static void enter(String name) {
        NetworkNamespace.enter(name);
    }

    public static void sh(String... command) {
        String out = run(List.of(command));
        if (out != null) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
    }

    /** Runs a command; null on success, else its output. */
    static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() == 0 ? null : out.strip();
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
