package dev.netfence.crds.manifest;

import dev.netfence.policy.model.ObjectRef;
import java.nio.file.Path;

/**
 * One thing wrong with the input: where ({@code file:line}), which object (null when the document
 * could not be read as an object), which field (null for the whole object) and what is wrong.
 */
public record ManifestProblem(Path file, int line, ObjectRef object, String fieldPath, String message) {

    /** {@code samples/web.yaml:14: NetworkPolicy x/web: spec.ingress[0].from[0]: must specify a peer ...}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(file);
        if (line > 0) {
            sb.append(':').append(line);
        }
        sb.append(": ");
        if (object != null) {
            sb.append(object).append(": ");
        }
        if (fieldPath != null && !fieldPath.isEmpty()) {
            sb.append(fieldPath).append(": ");
        }
        return sb.append(message).toString();
    }
}
