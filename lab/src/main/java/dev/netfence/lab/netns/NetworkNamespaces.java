package dev.netfence.lab.netns;

import dev.netfence.enforcer.netns.NetworkNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Moves the calling thread into a named network namespace ({@code /var/run/netns/NAME}, as created
 * by {@code ip netns add}). setns(2) with CLONE_NEWNET changes only the calling thread: the JVM's
 * other threads stay where they were, which is why every namespace gets dedicated threads.
 */
public final class NetworkNamespaces {

    public static final Path NETNS_DIR = Path.of("/var/run/netns");

    private NetworkNamespaces() {
    }

    public static Path path(String name) {
        return NETNS_DIR.resolve(name);
    }

    /**
     * Enters {@code name} on the calling thread; throws if the namespace does not exist or setns
     * fails. The setns(2) call itself is the enforcer's, which programs node namespaces the same way.
     */
    public static void enter(String name) {
        NetworkNamespace.enter(path(name).toString());
    }

    /** The inode identifying the network namespace the calling thread is in. */
    public static long currentInode() {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString(); // net:[4026531840]
            return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The inode of a named network namespace. */
    public static long inode(String name) {
        try {
            return ((Number) Files.getAttribute(path(name), "unix:ino")).longValue();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat network namespace " + path(name), e);
        }
    }

    /** Whether this process runs with effective uid 0 (creating namespaces and setns need it). */
    public static boolean isRoot() {
        return NetworkNamespace.root();
    }

    /** The names of the network namespaces that exist ({@code ip netns list}), sorted. */
    public static java.util.List<String> list() {
        if (!Files.isDirectory(NETNS_DIR)) {
            return java.util.List.of();
        }
        try (var entries = Files.list(NETNS_DIR)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
