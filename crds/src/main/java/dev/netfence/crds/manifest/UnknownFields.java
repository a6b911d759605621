package dev.netfence.crds.manifest;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the fields of a manifest that its kind does not have, as the API server's strict field
 * validation does ({@code kubectl apply --validate=strict}, the default since Kubernetes 1.27:
 * "strict decoding error: unknown field "spec.ingres""). fabric8's model classes keep unknown
 * fields in {@code additionalProperties} instead of refusing them, so a typo such as {@code ingres}
 * or {@code metadata.namspace} would otherwise be dropped silently: a policy meant to allow
 * traffic would deny it, or land in another namespace.
 *
 * <p>The valid names are those Jackson binds for the object's type (fabric8's own classes for the
 * built-in kinds, {@code dev.netfence.crds} for Netfence's), walked along the document. Maps
 * (labels, annotations, {@code matchLabels}) take any key; types read by their own deserializer
 * ({@code IntOrString}, {@code Quantity}) are values, not objects.
 */
final class UnknownFields {

    /** One field that the type does not have: its path, its name and the nearest valid name, if one is close. */
    record UnknownField(String path, String name, String suggestion, List<String> validNames, ObjectNode parent) {

        /** {@code unknown field "ingres"; did you mean "ingress"?}, or the valid names when none is close. */
        String message() {
            StringBuilder sb = new StringBuilder("unknown field \"").append(name).append('"');
            if (suggestion != null) {
                sb.append("; did you mean \"").append(suggestion).append("\"?");
            } else if (!validNames.isEmpty() && validNames.size() <= 15) {
                sb.append("; valid fields here: ").append(String.join(", ", validNames));
            }
            return sb.toString();
        }
    }

    private static final Map<JavaType, Map<String, JavaType>> PROPERTIES = new ConcurrentHashMap<>();

    private final ObjectMapper mapper;
    private final List<UnknownField> found = new ArrayList<>();

    private UnknownFields(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The unknown fields of {@code node} read as {@code type}, in document order. */
    static List<UnknownField> find(ObjectMapper mapper, JsonNode node, Class<?> type) {
        UnknownFields walk = new UnknownFields(mapper);
        walk.visit(node, mapper.constructType(type), "");
        return walk.found;
    }

    /** Removes the unknown fields from the tree (lenient mode: they were reported as warnings, then ignored). */
    static void remove(List<UnknownField> unknown) {
        for (UnknownField u : unknown) {
            u.parent().remove(u.name());
        }
    }

    private void visit(JsonNode node, JavaType type, String path) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return;
        }
        if (type.isArrayType() || type.isCollectionLikeType()) {
            if (node.isArray()) {
                for (int i = 0; i < node.size(); i++) {
                    visit(node.get(i), type.getContentType(), path + "[" + i + "]");
                }
            }
            return;
        }
        if (type.isMapLikeType()) {
            if (node.isObject()) {
                Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
                while (fields.hasNext()) {
                    Map.Entry<String, JsonNode> e = fields.next();
                    visit(e.getValue(), type.getContentType(), join(path, e.getKey()));
                }
            }
            return;
        }
        if (!node.isObject() || !isModelBean(type.getRawClass())) {
            return;   // a scalar, or a type that reads itself (wrong types are the binder's job)
        }
        Map<String, JavaType> properties = properties(type);
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            String child = join(path, e.getKey());
            JavaType childType = properties.get(e.getKey());
            if (childType == null) {
                List<String> valid = new ArrayList<>(properties.keySet());
                found.add(new UnknownField(child, e.getKey(), nearest(e.getKey(), valid), valid, (ObjectNode) node));
            } else {
                visit(e.getValue(), childType, child);
            }
        }
    }

    /** fabric8's and Netfence's resource classes; anything else (String, Object, JsonNode) is not checked. */
    private static boolean isModelBean(Class<?> c) {
        if (c.isPrimitive() || c.isEnum() || c.getPackageName().startsWith("java.")) {
            return false;
        }
        JsonDeserialize custom = c.getAnnotation(JsonDeserialize.class);
        if (custom != null && custom.using() != JsonDeserializer.None.class) {
            return false;   // IntOrString, Quantity, ...: scalars in YAML
        }
        String pkg = c.getPackageName();
        return pkg.startsWith("io.fabric8.kubernetes.api.model") || pkg.startsWith("dev.netfence.crds");
    }

    private Map<String, JavaType> properties(JavaType type) {
        return PROPERTIES.computeIfAbsent(type, t -> {
            BeanDescription description = mapper.getDeserializationConfig().introspect(t);
            Map<String, JavaType> out = new LinkedHashMap<>();
            for (BeanPropertyDefinition p : description.findProperties()) {
                if (p.couldDeserialize() && !"additionalProperties".equals(p.getName())) {
                    out.put(p.getName(), p.getPrimaryType());
                }
            }
            return out;
        });
    }

    /**
     * The valid name a typo most likely meant: equal ignoring case ({@code allowDns}), or within an
     * edit distance of 2 (1 for names of up to 4 characters), the closest first.
     */
    static String nearest(String name, List<String> valid) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String v : valid) {
            if (v.equalsIgnoreCase(name)) {
                return v;
            }
            int d = distance(name.toLowerCase(Locale.ROOT), v.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = v;
            }
        }
        int allowed = name.length() <= 4 ? 1 : 2;
        return bestDistance <= allowed ? best : null;
    }

    /** Edit distance counting a swap of two neighbours as one edit ({@code prot} for {@code port}): optimal string alignment. */
    private static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}
