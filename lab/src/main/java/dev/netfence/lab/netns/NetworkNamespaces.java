package dev.netfence.lab.netns;

import com.sun.jna.LastErrorException;
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

    /** Enters {@code name} on the calling thread; throws if the namespace does not exist or setns fails. */
    public static void enter(String name) {
        Path path = path(name);
        int fd;
        try {
            fd = LibC.INSTANCE.open(path.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new IllegalStateException("cannot open network namespace " + path + ": errno " + e.getErrorCode()
                    + " (does it exist? `ip netns list`)", e);
        }
        try {
            LibC.INSTANCE.setns(fd, LibC.CLONE_NEWNET);
        } catch (LastErrorException e) {
            throw new IllegalStateException("setns(" + path + ", CLONE_NEWNET) failed: errno " + e.getErrorCode()
                    + " (needs CAP_SYS_ADMIN: run as root)", e);
        } finally {
            LibC.INSTANCE.close(fd);
        }
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
        return LibC.INSTANCE.geteuid() == 0;
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
