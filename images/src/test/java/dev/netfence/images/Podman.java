package dev.netfence.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netfence.lab.Lab;
import dev.netfence.lab.netns.NetworkNamespaces;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;

/**
 * The podman command as these build machines need it. Debian 12's podman defaults to crun and to the
 * ulimits of the calling shell, which this machine's kernel refuses; runc with cgroupfs and explicit
 * ulimits work. A cluster's container runtime needs none of this (README: "A note for these machines").
 */
final class Podman {
    static final List<String> GLOBAL = List.of("--runtime", "runc", "--cgroup-manager=cgroupfs");
    static final List<String> RUN_LIMITS = List.of("--ulimit", "nofile=10000:10000", "--ulimit", "nproc=1000:1000");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Podman() {
    }

    /** Why containers cannot be built and run here, or empty when they can. */
    static Optional<String> unavailableReason() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return Optional.of("containers need Linux");
        }
        if (!NetworkNamespaces.isRoot()) {
            return Optional.of("building and running the images needs root (debootstrap, the containers store, "
                    + "network namespaces): run the tests as root");
        }
        for (String tool : List.of("podman", "runc", "umoci", "skopeo", "debootstrap")) {
            if (Lab.findExecutable(tool).isEmpty()) {
                return Optional.of("needs " + tool + ": apt-get install podman runc umoci skopeo debootstrap (.ci/run does)");
            }
        }
        return Optional.empty();
    }

    /** Runs {@code podman GLOBAL args...} and returns its standard output; fails with its error output. */
    static String podman(String... args) {
        List<String> command = new ArrayList<>();
        command.add("podman");
        command.addAll(GLOBAL);
        command.addAll(List.of(args));
        return Command.run(command, Duration.ofMinutes(2));
    }

    static String podman(List<String> args) {
        return podman(args.toArray(String[]::new));
    }

    static boolean imageExists(String ref) {
        try {
            podman("image", "exists", ref);
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /** The image's config as `podman image inspect` reports it. */
    static JsonNode inspect(String ref) {
        try {
            return JSON.readTree(podman("image", "inspect", ref)).get(0);
        } catch (IOException e) {
            throw new IllegalStateException("podman image inspect " + ref + ": " + e.getMessage(), e);
        }
    }

    static JsonNode inspectContainer(String name) {
        try {
            return JSON.readTree(podman("container", "inspect", name)).get(0);
        } catch (IOException e) {
            throw new IllegalStateException("podman container inspect " + name + ": " + e.getMessage(), e);
        }
    }

    /** The container's log (standard output and error), for assertion messages. */
    static String logs(String name) {
        try {
            return podman("logs", name);
        } catch (IllegalStateException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Fails, with the container's log, when it is not running (for Awaitility's failFast). */
    static void assertRunning(String name) {
        if (!inspectContainer(name).at("/State/Running").asBoolean()) {
            throw new AssertionError("container " + name + " is not running (exit code "
                    + inspectContainer(name).at("/State/ExitCode").asText() + "); its log:\n" + logs(name));
        }
    }

    /**
     * What the kernel says of the container's main process (the JVM, pid 1 in its pid namespace):
     * its uid, effective capabilities, no_new_privs and seccomp mode, from /proc/1/status.
     */
    static Map<String, String> mainProcessStatus(String name) {
        Map<String, String> status = new TreeMap<>();
        for (String line : podman("exec", name, "cat", "/proc/1/status").split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                status.put(line.substring(0, colon), line.substring(colon + 1).strip());
            }
        }
        return status;
    }

    /** Removes the container whatever its state; never fails. */
    static void remove(String name) {
        try {
            podman("rm", "--force", "--time", "0", name);
        } catch (IllegalStateException e) {
            // not there
        }
    }
}
