package dev.netfence.crds.manifest;

import java.util.Arrays;
import java.util.Map;

/**
 * The line of each field of one object in its source file, so that a problem found in
 * {@code spec.ingress[0].from[1].podSelector} can be reported at {@code file:line}. Paths use the
 * notation of Kubernetes field paths: {@code .name} for a key, {@code [i]} for a list element.
 * Lines are those of the key (or of the list item), 1-based.
 */
public final class FieldLines {

    /**
     * Paths within the document (sorted, shared between the documents of a file: most objects of a
     * file have the same field paths) and their lines, in two arrays rather than a map of boxed
     * lines: every object read keeps these for its findings, so they are most of what a large input
     * retains (a map of 700,000 fields is ~80 MB, these arrays ~6 MB).
     */
    private final String[] paths;
    private final int[] lines;
    private final String base;                        // "" or "items[3]" for an item of a List

    FieldLines(Map<String, Integer> linesByPath, String base) {
        this(linesByPath, base, new java.util.HashMap<>());
    }

    /** {@code shared}: the paths already held by other documents, to hold each distinct path once. */
    FieldLines(Map<String, Integer> linesByPath, String base, Map<String, String> shared) {
        String[] keys = linesByPath.keySet().toArray(new String[0]);
        Arrays.sort(keys);
        int[] values = new int[keys.length];
        for (int i = 0; i < keys.length; i++) {
            values[i] = linesByPath.get(keys[i]);
            keys[i] = shared.computeIfAbsent(keys[i], k -> k);
        }
        this.paths = keys;
        this.lines = values;
        this.base = base;
    }

    private FieldLines(String[] paths, int[] lines, String base) {
        this.paths = paths;
        this.lines = lines;
        this.base = base;
    }

    /** The view of a nested object, e.g. the item {@code items[2]} of a List. */
    FieldLines nested(String path) {
        return new FieldLines(paths, lines, join(base, path));
    }

    private Integer line(String path) {
        int i = Arrays.binarySearch(paths, path);
        return i >= 0 ? lines[i] : null;
    }

    /** The line where the object starts. */
    public int objectLine() {
        Integer line = line(base);
        return line == null ? 1 : line;
    }

    /**
     * The line of {@code fieldPath}, or of its nearest enclosing field that exists in the source
     * (a defaulted or missing field is reported where its parent is). Accepts the engine's paths,
     * such as {@code spec.ingress[0].from[1]+ports[0]} (the part before {@code +}) and
     * {@code spec.podSelector.matchLabels[app]} (a map key in brackets).
     */
    public int lineOf(String fieldPath) {
        if (fieldPath == null || fieldPath.isEmpty()) {
            return objectLine();
        }
        String path = fieldPath;
        int plus = path.indexOf('+');
        if (plus >= 0) {
            path = path.substring(0, plus);
        }
        path = path.replaceAll("\\[([^\\]0-9][^\\]]*)\\]", ".$1");
        while (!path.isEmpty()) {
            Integer line = line(join(base, path));
            if (line != null) {
                return line;
            }
            path = parent(path);
        }
        return objectLine();
    }

    private static String parent(String path) {
        if (path.endsWith("]")) {
            return path.substring(0, path.lastIndexOf('['));
        }
        int dot = path.lastIndexOf('.');
        return dot < 0 ? "" : path.substring(0, dot);
    }

    static String join(String base, String path) {
        if (base.isEmpty()) {
            return path;
        }
        if (path.isEmpty()) {
            return base;
        }
        return path.startsWith("[") ? base + path : base + "." + path;
    }
}
