package dev.netfence.enforcer.cni;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The pods the CNI plugin announced on this node and that were not deleted since, by container id.
 *
 * <p>With a state directory every announcement is also a file {@code <dir>/<containerId>.json}
 * (written to a temporary name, then renamed), so an enforcer that restarts (crash, upgrade,
 * {@code kill -9}) still knows which addresses it must keep closed until the NodeRuleSet names them:
 * its first full replacement of the table is built from these. The DaemonSet puts the directory on
 * the host's {@code /run} (a tmpfs: after a reboot every pod is added again).
 */
public final class PodAnnouncements {
    private static final Logger LOG = Logger.getLogger(PodAnnouncements.class);
    /** CNI 1.0: "CNI_CONTAINERID ... must have at least one character and consist of alphanumerics, underscore, dot or hyphen". */
    private static final Pattern CONTAINER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.\\-]{0,254}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path stateDir;
    private final Map<String, PodAnnouncement> byContainer = new TreeMap<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private long version;

    private PodAnnouncements(Path stateDir) {
        this.stateDir = stateDir;
    }

    /** Announcements kept in memory only (lost when the enforcer restarts). */
    public static PodAnnouncements inMemory() {
        return new PodAnnouncements(null);
    }

    /** Announcements kept in {@code stateDir} too, and those found there loaded. */
    public static PodAnnouncements persistent(Path stateDir) {
        PodAnnouncements a = new PodAnnouncements(stateDir);
        a.load();
        return a;
    }

    public static boolean validContainerId(String id) {
        return id != null && CONTAINER_ID.matcher(id).matches();
    }

    /** Records (or replaces) an announcement; returns the version that includes it. */
    public long put(PodAnnouncement a) {
        long v;
        synchronized (this) {
            byContainer.put(a.containerId(), a);
            v = ++version;
        }
        store(a);
        fire();
        return v;
    }

    /** Forgets a container; true when it was known. */
    public boolean remove(String containerId) {
        boolean removed;
        synchronized (this) {
            removed = byContainer.remove(containerId) != null;
            if (removed) {
                version++;
            }
        }
        if (stateDir != null && validContainerId(containerId)) {
            try {
                Files.deleteIfExists(file(containerId));
            } catch (IOException e) {
                LOG.warnf("cannot delete %s: %s", file(containerId), e.getMessage());
            }
        }
        if (removed) {
            fire();
        }
        return removed;
    }

    public synchronized Optional<PodAnnouncement> get(String containerId) {
        return Optional.ofNullable(byContainer.get(containerId));
    }

    /** The announcements and the version they make up, read together. */
    public synchronized Snapshot snapshot() {
        return new Snapshot(version, List.copyOf(byContainer.values()));
    }

    public record Snapshot(long version, List<PodAnnouncement> pods) {
    }

    /** Called after every change, on the changing thread: it must only enqueue. */
    public void onChange(Runnable listener) {
        listeners.add(listener);
    }

    private void fire() {
        listeners.forEach(Runnable::run);
    }

    private Path file(String containerId) {
        return stateDir.resolve(containerId + ".json");
    }

    private void store(PodAnnouncement a) {
        if (stateDir == null) {
            return;
        }
        try {
            Files.createDirectories(stateDir);
            Path tmp = stateDir.resolve("." + a.containerId() + ".tmp");
            JSON.writeValue(tmp.toFile(), a);
            Files.move(tmp, file(a.containerId()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the pod in " + stateDir + ": " + e.getMessage(), e);
        }
    }

    private void load() {
        if (!Files.isDirectory(stateDir)) {
            return;
        }
        List<String> bad = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(stateDir, "*.json")) {
            for (Path f : files) {
                try {
                    PodAnnouncement a = JSON.readValue(f.toFile(), PodAnnouncement.class);
                    if (validContainerId(a.containerId()) && f.getFileName().toString().equals(a.containerId() + ".json")) {
                        byContainer.put(a.containerId(), a);
                        continue;
                    }
                } catch (IOException | RuntimeException e) {
                    // fall through: reported below
                }
                bad.add(f.getFileName().toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the announced pods in " + stateDir + ": " + e.getMessage(), e);
        }
        version = byContainer.size();
        LOG.infof("%d announced pods read from %s%s", byContainer.size(), stateDir,
                bad.isEmpty() ? "" : " (ignored files that are not announcements: " + bad + ")");
    }
}
