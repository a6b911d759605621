package dev.netfence.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The checks the API server makes on a custom resource against its CRD's structural schema, for the
 * subset of OpenAPI the Netfence CRDs use: types, unknown fields (strict field validation), required,
 * {@code pattern}, {@code minLength}/{@code maxLength} (in characters), {@code minimum}/{@code maximum},
 * {@code minItems}/{@code maxItems} and the CEL rules of {@code x-kubernetes-validations} (evaluated
 * with {@link CelExpressions}). A test stand-in for the API server's validation, which the mock API
 * server does not do.
 */
final class CrdSchema {

    private final JsonNode schema;
    private final Map<String, Pattern> patterns = new HashMap<>();

    private CrdSchema(JsonNode schema) {
        this.schema = schema;
    }

    static CrdSchema load(Path crd) throws IOException {
        JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(crd.toFile());
        return new CrdSchema(doc.at("/spec/versions/0/schema/openAPIV3Schema"));
    }

    JsonNode root() {
        return schema;
    }

    /** What the API server would refuse in {@code object}, one line per violation with its field path; empty: admitted. */
    List<String> violations(JsonNode object) {
        List<String> out = new ArrayList<>();
        check(schema, object, "", true, out);
        return out;
    }

    private void check(JsonNode s, JsonNode v, String path, boolean root, List<String> out) {
        String type = s.path("type").asText();
        if (v == null || v.isNull()) {
            if (!s.path("nullable").asBoolean(false)) {
                out.add(path + ": null is not allowed");
            }
            return;
        }
        switch (type) {
            case "object" -> checkObject(s, v, path, root, out);
            case "array" -> checkArray(s, v, path, out);
            case "string" -> checkString(s, v, path, out);
            case "integer" -> checkNumber(s, v, path, v.isIntegralNumber(), out);
            case "number" -> checkNumber(s, v, path, v.isNumber(), out);
            case "boolean" -> {
                if (!v.isBoolean()) {
                    out.add(path + ": must be a boolean");
                }
            }
            default -> {
            }
        }
        for (JsonNode rule : s.path("x-kubernetes-validations")) {
            String expression = rule.path("rule").asText();
            try {
                Object result = CelExpressions.eval(expression, Map.of("self", root ? rootSelf(v) : v));
                if (!Boolean.TRUE.equals(result)) {
                    out.add((path.isEmpty() ? "<root>" : path) + ": " + rule.path("message").asText(expression));
                }
            } catch (CelExpressions.CelError e) {
                out.add((path.isEmpty() ? "<root>" : path) + ": " + e.getMessage());
            }
        }
    }

    /** At the root, CEL rules see only metadata.name and metadata.generateName of the metadata. */
    private static JsonNode rootSelf(JsonNode object) {
        ObjectNode copy = object.deepCopy();
        ObjectNode meta = copy.putObject("metadata");
        JsonNode original = object.path("metadata");
        for (String key : List.of("name", "generateName")) {
            if (original.has(key)) {
                meta.set(key, original.get(key));
            }
        }
        return copy;
    }

    private void checkObject(JsonNode s, JsonNode v, String path, boolean root, List<String> out) {
        if (!v.isObject()) {
            out.add(path + ": must be an object");
            return;
        }
        JsonNode props = s.path("properties");
        boolean preserve = s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false) || s.has("additionalProperties");
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String at = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
            if (props.has(e.getKey())) {
                check(props.get(e.getKey()), e.getValue(), at, false, out);
            } else if (s.has("additionalProperties")) {
                check(s.get("additionalProperties"), e.getValue(), at, false, out);
            } else if (!(root && Set.of("apiVersion", "kind", "metadata").contains(e.getKey())) && !preserve) {
                out.add(at + ": unknown field");
            }
        }
        for (JsonNode required : s.path("required")) {
            if (!v.has(required.asText())) {
                out.add((path.isEmpty() ? "" : path + ".") + required.asText() + ": required");
            }
        }
    }

    private void checkArray(JsonNode s, JsonNode v, String path, List<String> out) {
        if (!v.isArray()) {
            out.add(path + ": must be an array");
            return;
        }
        if (s.has("maxItems") && v.size() > s.get("maxItems").asLong()) {
            out.add(path + ": must have at most " + s.get("maxItems").asLong() + " items (has " + v.size() + ")");
        }
        if (s.has("minItems") && v.size() < s.get("minItems").asLong()) {
            out.add(path + ": must have at least " + s.get("minItems").asLong() + " items");
        }
        for (int i = 0; i < v.size(); i++) {
            check(s.path("items"), v.get(i), path + "[" + i + "]", false, out);
        }
    }

    private void checkString(JsonNode s, JsonNode v, String path, List<String> out) {
        if (!v.isTextual()) {
            out.add(path + ": must be a string");
            return;
        }
        String text = v.asText();
        int chars = text.codePointCount(0, text.length());
        if (s.has("maxLength") && chars > s.get("maxLength").asLong()) {
            out.add(path + ": may not be longer than " + s.get("maxLength").asLong());
        }
        if (s.has("minLength") && chars < s.get("minLength").asLong()) {
            out.add(path + ": must be at least " + s.get("minLength").asLong() + " long");
        }
        if (s.has("pattern") && !goRegexp(s.get("pattern").asText()).matcher(text).find()) {
            out.add(path + ": does not match " + abbreviate(s.get("pattern").asText()));
        }
    }

    private void checkNumber(JsonNode s, JsonNode v, String path, boolean ok, List<String> out) {
        if (!ok) {
            out.add(path + ": must be a number of the schema's type");
            return;
        }
        if (s.has("minimum") && v.asDouble() < s.get("minimum").asDouble()) {
            out.add(path + ": must be at least " + s.get("minimum").asLong());
        }
        if (s.has("maximum") && v.asDouble() > s.get("maximum").asDouble()) {
            out.add(path + ": must be at most " + s.get("maximum").asLong());
        }
    }

    /**
     * The pattern as Go's regexp reads it: unanchored (find), and {@code $} only at the very end of
     * the text (Go without the m flag; Java's {@code $} would also match before a final newline).
     */
    Pattern goRegexp(String pattern) {
        return patterns.computeIfAbsent(pattern, p -> Pattern.compile(p.endsWith("$") && !p.endsWith("\\$")
                ? p.substring(0, p.length() - 1) + "\\z" : p));
    }

    private static String abbreviate(String pattern) {
        return pattern.length() <= 60 ? pattern : pattern.substring(0, 57) + "...";
    }

    /** The JSON property names of a schema's object, in order (for the bounded-everything check). */
    static Map<String, JsonNode> properties(JsonNode s) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        s.path("properties").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}
