package dev.netfence.crds.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/** One YAML document (or JSON value) of a file: its tree, its 1-based position in the file, and its field lines. */
record SourceDocument(Path file, int index, JsonNode root, FieldLines lines) {
}
