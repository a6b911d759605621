package dev.netfence.crds.manifest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Reads a YAML stream (documents separated by {@code ---}) or a JSON file into trees, recording
 * the line of every field as it goes: Jackson's tree model forgets locations, and lint findings and
 * error messages need {@code file:line}. Duplicate keys are refused, as the API server's strict
 * decoding does.
 */
final class SourceDocuments {

    private static final JsonFactory JSON = new JsonFactory();
    private static final Pattern MARK = Pattern.compile("line (\\d+), column (\\d+)");

    private SourceDocuments() {
    }

    static List<SourceDocument> read(Path file) {
        List<SourceDocument> documents = new ArrayList<>();
        read(file, LoadOptions.STRICT, documents::add);
        return documents;
    }

    /**
     * Reads the documents of a file one at a time, handing each to {@code each} before the next is
     * parsed, so that only one document's tree is in memory at once. A file over the size limit is
     * refused before it is read; a document nested deeper than the depth limit as soon as the parser
     * gets there.
     */
    static void read(Path file, LoadOptions options, Consumer<SourceDocument> each) {
        boolean json = file.getFileName().toString().toLowerCase().endsWith(".json");
        try {
            long size = Files.size(file);
            if (size > options.maxFileBytes()) {
                throw new ManifestException(new ManifestProblem(file, 0, null, null, "the file is " + bytes(size)
                        + ", over the limit of " + bytes(options.maxFileBytes()) + " for one manifest file (the API server "
                        + "takes at most 3 MiB per object): split it into several files"));
            }
        } catch (IOException e) {
            throw new ManifestException(new ManifestProblem(file, 0, null, null, "cannot read the file: " + e.getMessage()));
        }
        int index = 0;
        Map<String, String> sharedPaths = new HashMap<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             JsonParser parser = (json ? JSON : yaml(options)).createParser(reader)) {
            while (parser.nextToken() != null) {
                index++;
                Map<String, Integer> lines = new HashMap<>();
                JsonNode root = new TreeBuilder(parser, lines, file, index, options.maxDepth()).value("", 0);
                // an empty document (a trailing "---", or one holding only comments) is no object, as for kubectl
                boolean empty = root == null || root.isNull() || (root.isTextual() && root.asText().isEmpty());
                if (!empty) {
                    each.accept(new SourceDocument(file, index, root, new FieldLines(lines, "", sharedPaths)));
                }
            }
        } catch (ManifestException e) {
            throw e;
        } catch (JsonProcessingException e) {
            throw new ManifestException(syntaxError(file, json, e));
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new ManifestException(new ManifestProblem(file, 0, null, null, "cannot read the file: " + e.getMessage()));
        }
    }

    /**
     * SnakeYAML's own limits set above Netfence's, so that Netfence's check (with its message) comes
     * first: SnakeYAML's default code-point limit (3 MB) would otherwise refuse a document the size
     * limit allows, and its nesting limit (50) one the depth limit allows.
     */
    private static YAMLFactory yaml(LoadOptions options) {
        LoaderOptions loader = new LoaderOptions();
        loader.setCodePointLimit((int) Math.min(Integer.MAX_VALUE, options.maxFileBytes() + 1));
        loader.setNestingDepthLimit(options.maxDepth() + 16);
        return YAMLFactory.builder().loaderOptions(loader).build();
    }

    static String bytes(long n) {
        if (n >= 1024 * 1024) {
            return String.format(java.util.Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
        }
        if (n >= 1024) {
            return String.format(java.util.Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        return n + " bytes";
    }

    /**
     * SnakeYAML's message without its source excerpts: "while parsing a flow mapping: expected ','
     * or '}', but got <stream end>", at the line of the problem mark (the last one it quotes), or
     * at the line where an unclosed construct started when the problem is the end of the file.
     */
    static ManifestProblem syntaxError(Path file, boolean json, JsonProcessingException e) {
        String original = e.getOriginalMessage() == null ? "syntax error" : e.getOriginalMessage();
        int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
        int column = 0;
        // an unclosed bracket or quote is found at the end of the file: point at where it was opened instead
        boolean atEnd = original.contains("<stream end>") || original.contains("end of stream");
        Matcher mark = MARK.matcher(original);
        while (mark.find()) {
            line = Integer.parseInt(mark.group(1));
            column = Integer.parseInt(mark.group(2));
            if (atEnd) {
                break;
            }
        }
        String message = original.lines().filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)))
                .map(String::trim).collect(Collectors.joining(": "));
        return new ManifestProblem(file, line, null, null, "not valid " + (json ? "JSON" : "YAML") + ": " + message
                + (column > 0 ? " (column " + column + ")" : ""));
    }

    /** Builds one document's tree from the parser, positioned on its first token. */
    private record TreeBuilder(JsonParser parser, Map<String, Integer> lines, Path file, int document, int maxDepth) {

        JsonNode value(String path, int depth) throws IOException {
            JsonToken token = parser.currentToken();
            lines.putIfAbsent(path, line());
            if (depth > maxDepth && (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY)) {
                throw new ManifestException(new ManifestProblem(file, line(), null, null, "document " + document
                        + " nests deeper than the limit of " + maxDepth + " levels (Kubernetes objects need about 15)"));
            }
            if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
                // Jackson hands an alias over as the anchor's name, not its value: refuse rather than misread
                throw new ManifestException(new ManifestProblem(file, line(), null, path.isEmpty() ? null : path,
                        "YAML aliases (*" + parser.getText() + ") are not supported: write the value out"));
            }
            JsonNodeFactory f = JsonNodeFactory.instance;
            switch (token) {
                case START_OBJECT -> {
                    ObjectNode object = f.objectNode();
                    while (parser.nextToken() == JsonToken.FIELD_NAME) {
                        String key = parser.currentName();
                        String child = path.isEmpty() ? key : path + "." + key;
                        int keyLine = line();
                        if (object.has(key)) {
                            throw new ManifestException(new ManifestProblem(file, keyLine, null, child,
                                    "duplicate key \"" + key + "\" (document " + document + "); remove one of them"));
                        }
                        lines.put(child, keyLine);
                        parser.nextToken();
                        object.set(key, value(child, depth + 1));
                    }
                    return object;
                }
                case START_ARRAY -> {
                    ArrayNode array = f.arrayNode();
                    int i = 0;
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        array.add(value(path + "[" + i++ + "]", depth + 1));
                    }
                    return array;
                }
                case VALUE_STRING -> {
                    return f.textNode(parser.getText());
                }
                case VALUE_NUMBER_INT -> {
                    return switch (parser.getNumberType()) {
                        case INT -> f.numberNode(parser.getIntValue());
                        case LONG -> f.numberNode(parser.getLongValue());
                        default -> f.numberNode(parser.getBigIntegerValue());
                    };
                }
                case VALUE_NUMBER_FLOAT -> {
                    return f.numberNode(parser.getDecimalValue());
                }
                case VALUE_TRUE, VALUE_FALSE -> {
                    return f.booleanNode(token == JsonToken.VALUE_TRUE);
                }
                case VALUE_NULL -> {
                    return f.nullNode();
                }
                default -> {
                    return f.textNode(parser.getText());
                }
            }
        }

        private int line() {
            return parser.currentTokenLocation().getLineNr();
        }
    }
}
