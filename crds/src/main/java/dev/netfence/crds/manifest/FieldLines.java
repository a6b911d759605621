package dev.netfence.crds.manifest;

import java.util.Map;

/**
 * The line of each field of one object in its source file, so that a problem found in
 * {@code spec.ingress[0].from[1].podSelector} can be reported at {@code file:line}. Paths use the
 * notation of Kubernetes field paths: {@code .name} for a key, {@code [i]} for a list element.
 * Lines are those of the key (or of the list item), 1-based.
 */
public final class FieldLines {

    private final Map<String, Integer> linesByPath;   // absolute paths within the document
    private final String base;                        // "" or "items[3]" for an item of a List

    FieldLines(Map<String, Integer> linesByPath, String base) {
        this.linesByPath = linesByPath;
        this.base = base;
    }

    /** The view of a nested object, e.g. the item {@code items[2]} of a List. */
    FieldLines nested(String path) {
        return new FieldLines(linesByPath, join(base, path));
    }

    /** The line where the object starts. */
    public int objectLine() {
        return linesByPath.getOrDefault(base, 1);
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
            Integer line = linesByPath.get(join(base, path));
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
