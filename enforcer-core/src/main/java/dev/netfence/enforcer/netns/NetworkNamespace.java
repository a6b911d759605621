package dev.netfence.enforcer.netns;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.file.Path;

/**
 * Moves the calling thread into a network namespace with {@code setns(2)}. Only that thread
 * moves (a Java thread is one kernel task), which is how the enforcer can program a namespace
 * other than its own (the lab's nodes, tests) while nftables contexts are created per call.
 */
public final class NetworkNamespace {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;

    interface LibC extends Library {
        int open(String path, int flags) throws LastErrorException;

        int setns(int fd, int nstype) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        int geteuid();
    }

    private static volatile LibC libc;

    private NetworkNamespace() {
    }

    private static LibC libc() {
        if (libc == null) {
            libc = Native.load("c", LibC.class);
        }
        return libc;
    }

    /** The path of a namespace given by name ({@code ip netns} keeps them in /run/netns) or by path. */
    public static Path pathOf(String nameOrPath) {
        return nameOrPath.startsWith("/") ? Path.of(nameOrPath) : Path.of("/run/netns", nameOrPath);
    }

    /** Moves the calling thread into the namespace; fails with the reason when it cannot. */
    public static void enter(String nameOrPath) {
        Path path = pathOf(nameOrPath);
        int fd;
        try {
            fd = libc().open(path.toString(), O_RDONLY | O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new IllegalStateException("cannot open network namespace " + path + ": errno " + e.getErrorCode()
                    + " (does it exist? create it with `ip netns add`)", e);
        }
        try {
            libc().setns(fd, CLONE_NEWNET);
        } catch (LastErrorException e) {
            throw new IllegalStateException("cannot enter network namespace " + path + ": errno " + e.getErrorCode()
                    + " (entering a namespace needs CAP_SYS_ADMIN)", e);
        } finally {
            libc().close(fd);
        }
    }

    public static boolean root() {
        return libc().geteuid() == 0;
    }
}
