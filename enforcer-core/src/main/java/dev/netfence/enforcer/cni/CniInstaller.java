package dev.netfence.enforcer.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Installs the plugin on the node, idempotently, the way the enforcer does at start when the
 * DaemonSet mounts the host's CNI directories ({@code netfence.enforcer.cni.install=true}):
 *
 * <ol>
 *   <li>the binary (built into enforcer-core's jar from {@code src/main/c}) is written to
 *       {@code <bin-dir>/netfence} through a temporary file and a rename, only when its bytes differ;</li>
 *   <li>the node's conflist, the first {@code *.conflist} of {@code <conf-dir>} in name order (the
 *       one the container runtime uses), gets {@code {"type": "netfence", "socket": ..., "exemptNamespaces":
 *       [...]}} appended to its {@code plugins}, or its existing netfence entry corrected; every other plugin
 *       and field stays as it was, written back through a temporary file and a rename.</li>
 * </ol>
 * Nothing is removed at shutdown: a restarting enforcer must leave pods' ADDs pointed at it (they
 * wait, fail-closed). A node whose configuration is a single-plugin {@code .conf} (no list to chain
 * in) is reported, not converted.
 */
public final class CniInstaller {
    private static final Logger LOG = Logger.getLogger(CniInstaller.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Where the build puts the binary inside the jar. */
    public static final String RESOURCE = "/dev/netfence/enforcer/cni/netfence-cni";

    private CniInstaller() {
    }

    /** What an install did, for the log and the tests. */
    public record Outcome(boolean binaryWritten, Optional<Path> conflist, boolean conflistChanged) {
    }

    public static Outcome install(Path binDir, Path confDir, Path socket, List<String> exemptNamespaces) {
        boolean wrote = installBinary(binDir);
        Optional<Path> list = conflist(confDir);
        if (list.isEmpty()) {
            LOG.warnf("no *.conflist in %s: the netfence plugin is not chained (a single-plugin .conf cannot be;"
                    + " add {\"type\": \"netfence\"} to your CNI's conflist by hand, see enforcer/README.md)", confDir);
            return new Outcome(wrote, list, false);
        }
        boolean changed = chain(list.get(), socket, exemptNamespaces);
        LOG.infof("CNI plugin netfence %s in %s, %s %s", wrote ? "installed" : "already current", binDir,
                changed ? "chained into" : "already chained in", list.get());
        return new Outcome(wrote, list, changed);
    }

    /** Writes the plugin binary from this jar to {@code binDir}/netfence (a rename; nothing when equal); true when written. */
    public static boolean installBinary(Path binDir) {
        byte[] binary;
        try (InputStream in = CniInstaller.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("this build has no CNI plugin binary (" + RESOURCE + "): build enforcer-core"
                        + " with gcc installed");
            }
            binary = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path target = binDir.resolve("netfence");
        try {
            if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), binary)) {
                return false;
            }
            Path tmp = binDir.resolve(".netfence.tmp");
            Files.write(tmp, binary);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            // a rename, so a runtime starting the plugin meanwhile runs the old or the new file, never half of one
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install the CNI plugin into " + binDir + ": " + e.getMessage(), e);
        }
    }

    static Optional<Path> conflist(Path confDir) {
        if (!Files.isDirectory(confDir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(confDir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".conflist")).sorted().findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + confDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Appends or corrects the netfence entry: its {@code "socket"}, and its {@code "exemptNamespaces"}
     * ({@code netfence.cluster.exempt-namespaces}), which the front end reads when the enforcer is
     * unreachable so that those pods still start. True when the file changed.
     */
    static boolean chain(Path conflist, Path socket, List<String> exemptNamespaces) {
        try {
            JsonNode root = JSON.readTree(conflist.toFile());
            if (root == null || !root.isObject() || !root.path("plugins").isArray()) {
                throw new IllegalStateException(conflist + " is not a CNI network configuration list (no \"plugins\" list):"
                        + " left as it is");
            }
            ArrayNode plugins = (ArrayNode) root.get("plugins");
            ObjectNode entry = null;
            for (JsonNode p : plugins) {
                if ("netfence".equals(p.path("type").asText())) {
                    entry = (ObjectNode) p;
                }
            }
            ArrayNode exempt = JSON.createArrayNode();
            exemptNamespaces.forEach(exempt::add);
            if (entry != null && socket.toString().equals(entry.path("socket").asText())
                    && exempt.equals(entry.get("exemptNamespaces"))) {
                return false;
            }
            if (entry == null) {
                entry = plugins.addObject();
                entry.put("type", "netfence");
            }
            entry.put("socket", socket.toString());
            entry.set("exemptNamespaces", exempt);
            Path tmp = conflist.resolveSibling("." + conflist.getFileName() + ".netfence.tmp");
            Files.writeString(tmp, ((ObjectNode) root).toPrettyString() + "\n");
            Files.move(tmp, conflist, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot chain the netfence plugin into " + conflist + ": " + e.getMessage(), e);
        }
    }

    /** The plugin types of a conflist, in order (tests, the lab). */
    public static List<String> types(Path conflist) throws IOException {
        List<String> out = new java.util.ArrayList<>();
        JSON.readTree(conflist.toFile()).path("plugins").forEach(p -> out.add(p.path("type").asText()));
        return out;
    }
}
