package dev.netfence.crds.manifest;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.netfence.crds.adapter.InvalidFieldException;
import dev.netfence.crds.adapter.ModelAdapter;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.ObjectRef;
import dev.netfence.policy.model.PolicyRule;
import dev.netfence.policy.validate.PolicyValidator;
import dev.netfence.policy.validate.ValidationError;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Turns one object of a manifest into a {@link ManifestObject}: checks kind and apiVersion, binds
 * it to its fabric8 type (types checked strictly, as the API server decodes: no {@code "80"} for a
 * number, no {@code 1} for a label value), translates it with {@link ModelAdapter} and validates
 * policies with {@link PolicyValidator}. Every problem names the file, line, object and field.
 */
final class ObjectTranslator {

    private static final JsonMapper MAPPER = strictMapper();

    private final Path file;
    private final JsonNode node;
    private final FieldLines lines;
    private final boolean lenient;
    private final List<ManifestProblem> problems = new ArrayList<>();
    private final List<ManifestProblem> warnings = new ArrayList<>();

    ObjectTranslator(Path file, JsonNode node, FieldLines lines, boolean lenient) {
        this.file = file;
        this.node = node;
        this.lines = lines;
        this.lenient = lenient;
    }

    private static JsonMapper strictMapper() {
        JsonMapper mapper = JsonMapper.builder()
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                // unknown fields are found by UnknownFields, with the path and a suggestion, before binding
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
        for (CoercionInputShape shape : List.of(CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean)) {
            mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
        return mapper;
    }

    /** The object of a supported kind (null when the kind is not one policy reads); problems are collected. */
    ManifestObject translate(SupportedKind kind, ObjectRef ref) {
        List<UnknownFields.UnknownField> unknown = UnknownFields.find(MAPPER, node, kind.resourceType);
        for (UnknownFields.UnknownField u : unknown) {
            ManifestProblem p = new ManifestProblem(file, lines.lineOf(u.path()), ref, u.path(), u.message());
            (lenient ? warnings : problems).add(p);
        }
        if (!problems.isEmpty()) {
            return null;
        }
        UnknownFields.remove(unknown);
        HasMetadata resource;
        try {
            resource = MAPPER.treeToValue(node, kind.resourceType);
        } catch (JsonMappingException e) {
            String path = pathOf(e);
            problem(ref, path, wrongType(e, path));
            return null;
        } catch (Exception e) {
            // no exception text: it names Java classes; the unknown-field and type checks above catch what users write
            problem(ref, null, "cannot read the object as a " + ref.kind());
            return null;
        }
        Object model;
        try {
            model = kind.toModel.apply(resource);
        } catch (InvalidFieldException e) {
            problem(ref, e.fieldPath(), e.getMessage());
            return null;
        } catch (IllegalArgumentException e) {
            // CriticalFlowConverter's messages read "CriticalFlow NAME: FIELD.PATH: what is wrong"
            String message = e.getMessage() == null ? "invalid value" : e.getMessage();
            String prefix = ref.kind() + " " + ref.name() + ": ";
            message = message.startsWith(prefix) ? message.substring(prefix.length()) : message;
            int colon = message.indexOf(": ");
            boolean pathFirst = colon > 0 && message.substring(0, colon).matches("[A-Za-z][\\w.\\[\\]]*");
            problem(ref, pathFirst ? message.substring(0, colon) : null, pathFirst ? message.substring(colon + 2) : message);
            return null;
        }
        if (model instanceof NetworkPolicy np) {
            model = restoreEmptyRuleLists(np);
            validate(PolicyValidator.validate((NetworkPolicy) model));
        } else if (model instanceof DefaultDeny dd) {
            validate(PolicyValidator.validate(dd));
        } else if (model instanceof dev.netfence.policy.model.ClusterNetworkPolicy cnp) {
            validate(dev.netfence.policy.validate.ClusterPolicyValidator.validate(cnp));
        }
        return new ManifestObject(file, lines.objectLine(), ref, resource, model, lines);
    }

    List<ManifestProblem> problems() {
        return problems;
    }

    /** Unknown fields in lenient mode. */
    List<ManifestProblem> warnings() {
        return warnings;
    }

    void problem(ObjectRef ref, String fieldPath, String message) {
        problems.add(new ManifestProblem(file, lines.lineOf(fieldPath), ref, fieldPath, message));
    }

    private void validate(Collection<ValidationError> errors) {
        for (ValidationError e : errors) {
            problem(e.object(), e.fieldPath(), e.message());
        }
    }

    /** The adapter cannot see {@code ingress: []} in a fabric8 object; the source can. */
    private NetworkPolicy restoreEmptyRuleLists(NetworkPolicy np) {
        JsonNode spec = node.path("spec");
        List<PolicyRule> ingress = np.ingress() == null && spec.path("ingress").isArray() ? List.of() : np.ingress();
        List<PolicyRule> egress = np.egress() == null && spec.path("egress").isArray() ? List.of() : np.egress();
        return new NetworkPolicy(np.namespace(), np.name(), np.podSelector(), np.policyTypes(), ingress, egress,
                np.annotations());
    }

    private static String pathOf(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    /** "expected an integer, got the string \"eighty\"", from the target type and the value in the source. */
    private String wrongType(JsonMappingException e, String path) {
        Class<?> target = e instanceof MismatchedInputException mi ? mi.getTargetType() : null;
        JsonNode value = at(path);
        String got = value == null ? null : describe(value);
        String expected = target == null ? null : expected(target);
        if (expected == null || got == null) {
            return expected != null ? "wrong type: expected " + expected : "wrong type";
        }
        return "wrong type: expected " + expected + ", got " + got;
    }

    private JsonNode at(String path) {
        JsonNode current = node;
        for (String part : path.split("\\.|(?=\\[)")) {
            if (part.isEmpty()) {
                continue;
            }
            if (part.startsWith("[")) {
                current = current.path(Integer.parseInt(part.substring(1, part.length() - 1)));
            } else {
                current = current.path(part);
            }
        }
        return current.isMissingNode() ? null : current;
    }

    private static String expected(Class<?> t) {
        if (t == Integer.class || t == int.class || t == Long.class || t == long.class) {
            return "an integer";
        }
        if (t == String.class) {
            return "a string (quote it: \"...\")";
        }
        if (t == Boolean.class || t == boolean.class) {
            return "true or false";
        }
        if (t == IntOrString.class) {
            return "a port number or a port name";
        }
        if (Collection.class.isAssignableFrom(t)) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(t)) {
            return "a mapping";
        }
        if (t.isEnum()) {
            List<String> names = new ArrayList<>();
            for (Object c : t.getEnumConstants()) {
                names.add(c.toString());
            }
            return "one of " + String.join(", ", names);
        }
        return "a mapping";
    }

    private static String describe(JsonNode v) {
        if (v.isTextual()) {
            return "the string \"" + v.asText() + "\"";
        }
        if (v.isNumber() || v.isBoolean()) {
            return v.asText();
        }
        if (v.isArray()) {
            return "a list";
        }
        if (v.isObject()) {
            return "a mapping";
        }
        return v.isNull() ? "null" : v.getNodeType().toString().toLowerCase();
    }
}
