package dev.netfence.crds.manifest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * Paths not to read under a directory given with {@code -f}: the globs of a {@code .netfenceignore}
 * at its root (one per line, {@code #} comments), plus any given on the command line
 * ({@code lint --exclude}). Globs are relative to the directory; one without {@code /} matches a
 * file or directory name at any depth ({@code scratch/}, {@code *.draft.yaml}). Every command that
 * reads a directory honours it, so {@code simulate -f demo/} and {@code lint -f demo/} read the same files.
 */
public final class IgnoreFile {

    public static final String NAME = ".netfenceignore";

    private final List<PathMatcher> matchers;

    private IgnoreFile(List<PathMatcher> matchers) {
        this.matchers = List.copyOf(matchers);
    }

    /** The globs of {@code root/.netfenceignore} (none when it has none) and {@code extra}. */
    public static IgnoreFile of(Path root, List<String> extra) throws IOException {
        List<String> globs = new ArrayList<>(extra);
        Path file = root.resolve(NAME);
        if (Files.isRegularFile(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String glob = line.strip();
                if (!glob.isEmpty() && !glob.startsWith("#")) {
                    globs.add(glob);
                }
            }
        }
        List<PathMatcher> matchers = new ArrayList<>();
        for (String glob : globs) {
            String g = glob.endsWith("/") ? glob.substring(0, glob.length() - 1) : glob;
            matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + g));
            if (!g.contains("/")) {
                matchers.add(FileSystems.getDefault().getPathMatcher("glob:**/" + g));
            }
        }
        return new IgnoreFile(matchers);
    }

    /** True when the path (relative to the root) or, for a file, the directory it is in, is ignored. */
    public boolean ignores(Path relative) {
        for (Path p = relative; p != null; p = p.getParent()) {
            Path candidate = p;
            if (matchers.stream().anyMatch(m -> m.matches(candidate))) {
                return true;
            }
        }
        return false;
    }
}
