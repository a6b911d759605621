package dev.netfence.crds.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.netfence.crds.adapter.ModelAdapter;
import dev.netfence.policy.model.ObjectRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reads Kubernetes manifests the way {@code kubectl apply -f} takes them: files and directories
 * (recursively, {@code *.yaml}, {@code *.yml}, {@code *.json}, in path order, without the paths a
 * {@code .netfenceignore} at the directory's root lists: {@link IgnoreFile}), multi-document
 * YAML, and {@code kind: List} (or {@code PodList}, ...) items. Objects of the kinds policy depends
 * on become {@link ManifestObject}s; other kinds are skipped with a {@link ManifestNote}. Any
 * problem (unreadable YAML, wrong types, invalid policies, one object defined twice) is collected,
 * and all of them are thrown together as a {@link ManifestException} once every file was read.
 */
public final class ManifestLoader {

    private static final String UNNAMED = "<unnamed>";

    private final List<ManifestObject> objects = new ArrayList<>();
    private final List<ManifestNote> notes = new ArrayList<>();
    private final List<ManifestProblem> problems = new ArrayList<>();
    private final List<ManifestProblem> warnings = new ArrayList<>();
    private final Map<String, ManifestObject> byKey = new HashMap<>();
    private final LoadOptions options;

    private ManifestLoader(LoadOptions options) {
        this.options = options;
    }

    public static Manifests load(Path... paths) {
        return load(List.of(paths));
    }

    public static Manifests load(List<Path> paths) {
        return load(LoadOptions.STRICT, paths);
    }

    public static Manifests load(LoadOptions options, List<Path> paths) {
        ManifestLoader loader = new ManifestLoader(options);
        for (Path path : paths) {
            loader.loadPath(path);
        }
        if (!loader.problems.isEmpty()) {
            throw new ManifestException(loader.problems, loader.warnings);
        }
        return new Manifests(loader.objects, loader.notes, loader.warnings);
    }

    private void loadPath(Path path) {
        if (Files.isDirectory(path)) {
            List<Path> files = manifestFilesUnder(path);
            if (files.isEmpty()) {
                notes.add(new ManifestNote(path, 0, "no *.yaml, *.yml or *.json files in this directory"));
            }
            files.forEach(this::loadFile);
        } else if (Files.isRegularFile(path)) {
            loadFile(path);   // a file named explicitly is read whatever its extension, like kubectl does
        } else {
            problems.add(new ManifestProblem(path, 0, null, null, "no such file or directory"));
        }
    }

    private List<Path> manifestFilesUnder(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            IgnoreFile ignore = IgnoreFile.of(dir, List.of());
            List<Path> all = walk.filter(Files::isRegularFile).filter(ManifestLoader::isManifestFile).sorted().toList();
            List<Path> read = all.stream().filter(p -> !ignore.ignores(dir.relativize(p))).toList();
            if (read.size() < all.size()) {
                int n = all.size() - read.size();
                notes.add(new ManifestNote(dir.resolve(IgnoreFile.NAME), 0, "skipped " + n + (n == 1 ? " file" : " files")
                        + " it lists"));
            }
            return read;
        } catch (IOException | java.io.UncheckedIOException e) {
            problems.add(new ManifestProblem(dir, 0, null, null, "cannot list the directory: " + e.getMessage()));
            return List.of();
        }
    }

    private static boolean isManifestFile(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
    }

    /** Each document is translated as soon as it is parsed: only one document's tree is held at a time. */
    private void loadFile(Path file) {
        try {
            SourceDocuments.read(file, options, d -> loadObject(file, d.root(), d.lines(), "document " + d.index()));
        } catch (ManifestException e) {
            problems.addAll(e.problems());
        }
    }

    private void loadObject(Path file, JsonNode node, FieldLines lines, String where) {
        if (options.skipNonKubernetes() && !(node.isObject() && node.path("kind").isTextual()
                && node.path("apiVersion").isTextual())) {
            notes.add(new ManifestNote(file, lines.objectLine(), "skipped " + where
                    + ": not a Kubernetes object (no apiVersion and kind)", ManifestNote.Reason.NOT_KUBERNETES));
            return;
        }
        if (!node.isObject()) {
            problems.add(new ManifestProblem(file, lines.objectLine(), null, null,
                    where + " is not a Kubernetes object: expected a mapping with apiVersion, kind and metadata"));
            return;
        }
        String kind = node.path("kind").asText("");
        if (kind.isEmpty()) {
            problems.add(new ManifestProblem(file, lines.objectLine(), null, "kind",
                    where + " has no kind: every object needs apiVersion and kind (e.g. kind: NetworkPolicy)"));
            return;
        }
        if (kind.endsWith("List") && node.has("items")) {
            loadListItems(file, node, lines, kind);
            return;
        }
        ObjectRef ref = refOf(node, kind);
        Optional<SupportedKind> supported = SupportedKind.of(kind);
        if (supported.isEmpty()) {
            notes.add(new ManifestNote(file, lines.objectLine(), "ignored " + ref
                    + ": netfence reads only " + SupportedKind.names(), ManifestNote.Reason.IGNORED_KIND));
            return;
        }
        SupportedKind k = supported.get();
        ObjectTranslator translator = new ObjectTranslator(file, node, lines, options.lenient());
        String apiVersion = node.path("apiVersion").asText("");
        if (!k.apiVersion.equals(apiVersion)) {
            translator.problem(ref, "apiVersion", (apiVersion.isEmpty() ? "missing" : "unsupported apiVersion \""
                    + apiVersion + "\"") + ": a " + kind + " must have apiVersion: " + k.apiVersion);
        } else if (!hasName(node)) {
            translator.problem(ref, "metadata.name", "required: every " + kind + " needs a name");
        } else {
            ManifestObject object = translator.translate(k, ref);
            if (object != null && translator.problems().isEmpty()) {
                add(object);
            }
        }
        problems.addAll(translator.problems());
        warnings.addAll(translator.warnings());
    }

    private void loadListItems(Path file, JsonNode list, FieldLines lines, String kind) {
        JsonNode items = list.get("items");
        if (items.isNull()) {
            return;   // an empty list as some tools write it: "items:" with no value
        }
        if (!items.isArray()) {
            problems.add(new ManifestProblem(file, lines.lineOf("items"), null, "items",
                    "the items of a " + kind + " must be a list of objects"));
            return;
        }
        for (int i = 0; i < items.size(); i++) {
            if (!items.get(i).isNull()) {
                loadObject(file, items.get(i), lines.nested("items[" + i + "]"), kind + " item " + i);
            }
        }
    }

    private void add(ManifestObject object) {
        String key = object.ref().kind() + "/" + object.ref().namespace() + "/" + object.ref().name();
        ManifestObject first = byKey.putIfAbsent(key, object);
        if (first != null) {
            problems.add(new ManifestProblem(object.file(), object.line(), object.ref(), null,
                    "defined twice (first at " + first.location() + "); keep one of them"));
            return;
        }
        objects.add(object);
    }

    /** The object's reference for messages; an object without a name is called {@code <unnamed>}. */
    private static ObjectRef refOf(JsonNode node, String kind) {
        JsonNode meta = node.path("metadata");
        String name = hasName(node) ? meta.path("name").asText() : UNNAMED;
        String namespace = meta.path("namespace").isTextual() && !meta.path("namespace").asText().isEmpty()
                ? meta.path("namespace").asText() : null;
        boolean clusterScoped = SupportedKind.of(kind).map(k -> !k.namespaced).orElse(false);
        if (clusterScoped) {
            namespace = null;
        } else if (namespace == null && SupportedKind.of(kind).isPresent()) {
            namespace = ModelAdapter.DEFAULT_NAMESPACE;
        }
        return new ObjectRef(kind, namespace, name);
    }

    private static boolean hasName(JsonNode node) {
        JsonNode name = node.path("metadata").path("name");
        return name.isTextual() && !name.asText().isEmpty();
    }
}
