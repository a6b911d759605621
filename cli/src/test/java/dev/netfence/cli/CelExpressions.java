package dev.netfence.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Evaluates the CEL expressions of the install bundle (CRD {@code x-kubernetes-validations} rules and
 * ValidatingAdmissionPolicy validations) with cel-java, the reference CEL implementation for the JVM.
 * The variables are those the API server binds ({@code self}; {@code request}, {@code object},
 * {@code oldObject}, {@code variables}), given as JSON trees: the API server type-checks them against
 * the objects' schemas, here they are {@code dyn}, so a field name the objects do not have is caught
 * only when an expression reaches it. Only CEL's standard library is declared: an expression that
 * used a Kubernetes-only function would fail to compile here and say so.
 */
final class CelExpressions {

    private static final Cel CEL = CelFactory.standardCelBuilder()
            // has(), all(), exists(), exists_one(), map(), filter(): as in Kubernetes
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("self", SimpleType.DYN)
            .addVar("request", SimpleType.DYN)
            .addVar("object", SimpleType.DYN)
            .addVar("oldObject", SimpleType.DYN)
            .addVar("variables", SimpleType.DYN)
            .build();

    private CelExpressions() {
    }

    private static final Map<String, CelRuntime.Program> PROGRAMS = new ConcurrentHashMap<>();

    /** The value of {@code expression} with these variables (JSON trees or values from {@link #value}). */
    static Object eval(String expression, Map<String, ?> variables) {
        Map<String, Object> bound = new LinkedHashMap<>();
        variables.forEach((k, v) -> bound.put(k, v instanceof JsonNode n ? value(n) : v));
        try {
            return PROGRAMS.computeIfAbsent(expression, CelExpressions::program).eval(bound);
        } catch (CelEvaluationException e) {
            throw new CelError(expression, e);
        }
    }

    private static CelRuntime.Program program(String expression) {
        try {
            CelAbstractSyntaxTree ast = CEL.compile(expression).getAst();
            return CEL.createProgram(ast);
        } catch (CelValidationException | CelEvaluationException e) {
            throw new IllegalArgumentException("CEL expression does not compile: " + expression + "\n" + e.getMessage(), e);
        }
    }

    /** A runtime error: the API server treats it as a failure of the rule (failurePolicy Fail: refused). */
    static final class CelError extends RuntimeException {
        CelError(String expression, CelEvaluationException e) {
            super("CEL evaluation failed: " + expression + ": " + e.getMessage(), e);
        }
    }

    /** A JSON tree as CEL values: objects to maps, arrays to lists, integers to int (long). */
    static Object value(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return dev.cel.common.values.NullValue.NULL_VALUE;
        }
        if (n.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            n.fields().forEachRemaining(e -> m.put(e.getKey(), value(e.getValue())));
            return m;
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>();
            n.forEach(e -> l.add(value(e)));
            return l;
        }
        if (n.isIntegralNumber()) {
            return n.asLong();
        }
        if (n.isNumber()) {
            return n.asDouble();
        }
        if (n.isBoolean()) {
            return n.asBoolean();
        }
        return n.asText();
    }
}
