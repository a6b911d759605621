package dev.netfence.crds.manifest;

import dev.netfence.policy.model.ObjectRef;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One object read from a manifest: where it starts ({@code file:line}), the fabric8 resource as
 * written, and its engine record ({@code model}: a {@code Namespace}, {@code Pod}, {@code Node},
 * {@code NetworkPolicy} or {@code DefaultDeny} of {@code dev.netfence.policy.model}, or a
 * {@code dev.netfence.policy.analysis.CriticalFlow}, which is not part of the snapshot).
 * {@link #fields()} gives the line of any field, for findings that point into the object.
 */
public record ManifestObject(Path file, int line, ObjectRef ref, HasMetadata resource, Object model, FieldLines fields) {

    public String kind() {
        return ref.kind();
    }

    public <T> Optional<T> model(Class<T> type) {
        return type.isInstance(model) ? Optional.of(type.cast(model)) : Optional.empty();
    }

    /** {@code file:line} of a field of this object (or of its nearest enclosing field present in the source). */
    public String location(String fieldPath) {
        return file + ":" + fields.lineOf(fieldPath);
    }

    /** {@code file:line} where the object starts. */
    public String location() {
        return file + ":" + line;
    }
}
