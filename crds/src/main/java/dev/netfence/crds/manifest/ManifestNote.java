package dev.netfence.crds.manifest;

import java.nio.file.Path;

/**
 * Something the loader skipped on purpose, worth telling, not an error: an object of a kind policy
 * does not depend on ({@link Reason#IGNORED_KIND}), a document that is no Kubernetes object when
 * those are skipped ({@link Reason#NOT_KUBERNETES}), an empty directory.
 */
public record ManifestNote(Path file, int line, String message, Reason reason) {

    public enum Reason { IGNORED_KIND, NOT_KUBERNETES, OTHER }

    public ManifestNote(Path file, int line, String message) {
        this(file, line, message, Reason.OTHER);
    }

    @Override
    public String toString() {
        return file + (line > 0 ? ":" + line : "") + ": " + message;
    }
}
