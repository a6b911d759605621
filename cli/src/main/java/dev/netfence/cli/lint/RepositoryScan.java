package dev.netfence.cli.lint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.netfence.crds.manifest.IgnoreFile;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which files of a GitOps repository {@code lint} reads. A repository holds more than manifests:
 * CI workflows ({@code .github/}), Helm charts (templates are Go templates, not YAML, until
 * rendered; {@code values.yaml} is no Kubernetes object), Kustomize overlays (patches, not whole
 * objects, until built). So a directory is walked in path order skipping
 * <ul>
 *   <li>hidden files and directories ({@code .git}, {@code .github}, ...);</li>
 *   <li>paths matched by {@code --exclude GLOB} or a line of a {@code .netfenceignore} at the root
 *       (globs relative to the root; a glob without {@code /} matches a file or directory name at any depth);</li>
 *   <li>Helm charts (a directory with {@code Chart.yaml}) and any file holding a template action {@code {{ }}};</li>
 *   <li>Kustomize directories (with a {@code kustomization.yaml}): the outermost ones, those no other
 *       kustomization refers to, are built with {@code kubectl kustomize} when kubectl is installed
 *       ({@link KustomizeBuild}); the others are read through the one that refers to them.</li>
 * </ul>
 * Files named explicitly are read whatever they are, as {@code kubectl apply -f} does.
 */
final class RepositoryScan {

    static final List<String> KUSTOMIZATION_FILES = List.of("kustomization.yaml", "kustomization.yml", "Kustomization");

    /** Why a path was not read, as counted in the summary. */
    enum Skip {
        HIDDEN("hidden"), EXCLUDED("excluded by --exclude or .netfenceignore"), HELM("Helm templates or charts"),
        KUSTOMIZE_UNRENDERED("Kustomize directories not rendered (no kubectl)");

        final String label;

        Skip(String label) {
            this.label = label;
        }
    }

    /** A Kustomize directory to build; its objects are reported at its kustomization file. */
    record Kustomization(Path directory, Path file) {
    }

    private final List<String> excludes;
    private final boolean kubectlAvailable;
    private final List<Path> files = new ArrayList<>();
    private final List<Kustomization> kustomizations = new ArrayList<>();
    private final Map<Skip, List<Path>> skipped = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    RepositoryScan(List<String> excludes, boolean kubectlAvailable) {
        this.excludes = List.copyOf(excludes);
        this.kubectlAvailable = kubectlAvailable;
    }

    List<Path> files() {
        return files;
    }

    List<Kustomization> kustomizations() {
        return kustomizations;
    }

    Map<Skip, List<Path>> skipped() {
        return skipped;
    }

    List<String> notes() {
        return notes;
    }

    /** "skipped 3 paths: 1 hidden, 2 Helm templates or charts", or null when nothing was skipped. */
    String summary() {
        int total = skipped.values().stream().mapToInt(List::size).sum();
        if (total == 0) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        skipped.forEach((why, paths) -> parts.add(paths.size() + " " + why.label));
        return "skipped " + total + (total == 1 ? " path: " : " paths: ") + String.join(", ", parts);
    }

    void add(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            walk(path);
        } else {
            files.add(path);   // named explicitly: read whatever it is
        }
    }

    private void walk(Path root) throws IOException {
        IgnoreFile matchers = IgnoreFile.of(root, excludes);
        Set<Path> referenced = referencedKustomizations(root);
        int firstFile = files.size();
        int firstKustomization = kustomizations.size();
        walkTree(root, matchers, referenced);
        // in path order, as the loader reads a directory (and as "defined twice (first at ...)" counts)
        files.subList(firstFile, files.size()).sort(null);
        kustomizations.subList(firstKustomization, kustomizations.size()).sort(java.util.Comparator.comparing(Kustomization::directory));
    }

    private void walkTree(Path root, IgnoreFile matchers, Set<Path> referenced) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (dir.equals(root)) {
                    return kustomizationDir(dir, referenced) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }
                Path relative = root.relativize(dir);
                if (dir.getFileName().toString().startsWith(".")) {
                    skip(Skip.HIDDEN, dir);
                    return FileVisitResult.SKIP_SUBTREE;
                }
                if (matchers.ignores(relative)) {
                    skip(Skip.EXCLUDED, dir);
                    return FileVisitResult.SKIP_SUBTREE;
                }
                if (Files.isRegularFile(dir.resolve("Chart.yaml"))) {
                    skip(Skip.HELM, dir);
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return kustomizationDir(dir, referenced) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String name = file.getFileName().toString();
                if (!isManifestName(name) || name.equals(".netfenceignore")) {
                    return FileVisitResult.CONTINUE;
                }
                if (name.startsWith(".")) {
                    skip(Skip.HIDDEN, file);
                } else if (matchers.ignores(root.relativize(file))) {
                    skip(Skip.EXCLUDED, file);
                } else if (isTemplate(file)) {
                    skip(Skip.HELM, file);
                } else {
                    files.add(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** True when {@code dir} is a Kustomize directory (then its subtree is not walked file by file). */
    private boolean kustomizationDir(Path dir, Set<Path> referenced) {
        Path file = kustomizationFile(dir);
        if (file == null) {
            return false;
        }
        if (referenced.contains(dir.toAbsolutePath().normalize())) {
            return true;   // built as part of the kustomization that refers to it
        }
        if (kubectlAvailable) {
            kustomizations.add(new Kustomization(dir, file));
        } else {
            skip(Skip.KUSTOMIZE_UNRENDERED, dir);
            notes.add(dir + ": a Kustomize directory, not rendered: kubectl is not installed (Debian: apt-get install "
                    + "kubernetes-client); its files are not linted");
        }
        return true;
    }

    static Path kustomizationFile(Path dir) {
        for (String name : KUSTOMIZATION_FILES) {
            if (Files.isRegularFile(dir.resolve(name))) {
                return dir.resolve(name);
            }
        }
        return null;
    }

    /** The directories that some kustomization under {@code root} lists in resources, bases or components. */
    private static Set<Path> referencedKustomizations(Path root) throws IOException {
        Set<Path> out = new HashSet<>();
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        List<Path> kustomizationFiles;
        try (var walk = Files.walk(root)) {
            kustomizationFiles = walk.filter(p -> KUSTOMIZATION_FILES.contains(p.getFileName().toString()))
                    .toList();
        }
        for (Path k : kustomizationFiles) {
            JsonNode tree;
            try {
                tree = yaml.readTree(k.toFile());
            } catch (IOException e) {
                continue;   // a broken kustomization is kubectl's to report when it builds it
            }
            if (tree == null) {
                continue;
            }
            for (String field : List.of("resources", "bases", "components")) {
                for (JsonNode entry : tree.path(field)) {
                    Path target = k.getParent().resolve(entry.asText()).toAbsolutePath().normalize();
                    if (Files.isDirectory(target)) {
                        out.add(target);
                    }
                }
            }
        }
        return out;
    }

    private static boolean isManifestName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
    }

    /** A Go template ({@code {{ .Values.x }}}): not YAML until Helm renders it. */
    private static boolean isTemplate(Path file) throws IOException {
        if (Files.size(file) > 8L * 1024 * 1024) {
            return false;   // the loader refuses it with the size limit
        }
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return text.contains("{{") && text.contains("}}");
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;   // not UTF-8: the loader says so
        }
    }

    private void skip(Skip why, Path path) {
        skipped.computeIfAbsent(why, k -> new ArrayList<>()).add(path);
    }
}
