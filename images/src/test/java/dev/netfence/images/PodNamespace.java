package dev.netfence.images;

import dev.netfence.lab.Lab;
import dev.netfence.lab.netns.NamespaceExecutor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A network namespace for one container, as a pod gets one: named {@code nf-img-<random>}, only a
 * loopback (no route to anything), removed by {@link #close()}. Leftovers of a killed run are removed
 * like the lab's ({@code netfence lab down --all} removes every {@code nf-} namespace).
 */
final class PodNamespace implements AutoCloseable {
    final String name;
    final NamespaceExecutor executor;

    PodNamespace() {
        this.name = "nf-img-" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 30), 36);
        String ip = Lab.findExecutable("ip").orElseThrow().toString();
        Command.run(List.of(ip, "netns", "add", name), Duration.ofSeconds(20));
        try {
            Command.run(List.of(ip, "-n", name, "link", "set", "lo", "up"), Duration.ofSeconds(20));
            this.executor = new NamespaceExecutor(name, 2);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** podman's --network value for this namespace. */
    String network() {
        return "ns:/run/netns/" + name;
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.close();
        }
        Command.run(List.of(Lab.findExecutable("ip").orElseThrow().toString(), "netns", "del", name), Duration.ofSeconds(20));
    }
}
