package dev.netfence.crds.manifest;

import java.nio.file.Path;

/** Something the loader skipped on purpose (an object of a kind policy does not depend on); worth telling, not an error. */
public record ManifestNote(Path file, int line, String message) {
    @Override
    public String toString() {
        return file + (line > 0 ? ":" + line : "") + ": " + message;
    }
}
