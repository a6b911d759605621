package dev.netfence.policy.model;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A Kubernetes label selector. The requirements of {@code matchLabels} and {@code matchExpressions}
 * are ANDed; an empty selector (no labels, no expressions) selects everything. Absent selectors are
 * modelled by the caller as {@code null}, because in a NetworkPolicy peer "absent" and "empty" mean
 * different things.
 */
public record LabelSelector(Map<String, String> matchLabels, List<Requirement> matchExpressions) {

    public static final LabelSelector ALL = new LabelSelector(Map.of(), List.of());

    public LabelSelector {
        matchLabels = matchLabels == null ? Map.of() : Map.copyOf(matchLabels);
        matchExpressions = matchExpressions == null ? List.of() : List.copyOf(matchExpressions);
    }

    public static LabelSelector of(Map<String, String> matchLabels) {
        return new LabelSelector(matchLabels, List.of());
    }

    public static LabelSelector of(String key, String value) {
        return new LabelSelector(Map.of(key, value), List.of());
    }

    public boolean isEmpty() {
        return matchLabels.isEmpty() && matchExpressions.isEmpty();
    }

    public boolean matches(Map<String, String> labels) {
        for (Map.Entry<String, String> e : matchLabels.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        for (Requirement r : matchExpressions) {
            if (!r.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    /** The selector as {@code kubectl} would print it: {@code app=web,tier in (a,b),!legacy}. */
    @Override
    public String toString() {
        if (isEmpty()) {
            return "<all>";
        }
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(matchLabels).forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ",").append(k).append('=').append(v));
        for (Requirement r : matchExpressions) {
            sb.append(sb.length() == 0 ? "" : ",").append(r);
        }
        return sb.toString();
    }

    /** One {@code matchExpressions} entry. */
    /** The operator is kept as written ({@code In}, ...) so that the validator can report a bad one with its path. */
    public record Requirement(String key, String operator, List<String> values) {
        public Requirement {
            values = values == null ? List.of() : List.copyOf(values);
        }

        public Requirement(String key, Operator operator, List<String> values) {
            this(key, operator.apiName(), values);
        }

        /** The parsed operator, or null when the written one is not a valid operator. */
        public Operator op() {
            return Operator.parseOrNull(operator);
        }

        public boolean matches(Map<String, String> labels) {
            String v = labels.get(key);
            Operator op = op();
            if (op == null) {
                throw new IllegalStateException("invalid selector operator \"" + operator + "\" (validate before evaluating)");
            }
            return switch (op) {
                case IN -> v != null && values.contains(v);
                case NOT_IN -> v == null || !values.contains(v);
                case EXISTS -> v != null;
                case DOES_NOT_EXIST -> v == null;
            };
        }

        @Override
        public String toString() {
            Operator op = op();
            if (op == null) {
                return key + " " + operator + " (" + String.join(",", values) + ")";
            }
            return switch (op) {
                case IN -> key + " in (" + String.join(",", values) + ")";
                case NOT_IN -> key + " notin (" + String.join(",", values) + ")";
                case EXISTS -> key;
                case DOES_NOT_EXIST -> "!" + key;
            };
        }
    }

    public enum Operator {
        IN("In"), NOT_IN("NotIn"), EXISTS("Exists"), DOES_NOT_EXIST("DoesNotExist");

        private final String apiName;

        Operator(String apiName) {
            this.apiName = apiName;
        }

        public String apiName() {
            return apiName;
        }

        /** Returns null for an unknown operator so the validator can report it with its field path. */
        public static Operator parseOrNull(String value) {
            for (Operator o : values()) {
                if (o.apiName.equals(value)) {
                    return o;
                }
            }
            return null;
        }

        public static Set<String> apiNames() {
            return Set.of("In", "NotIn", "Exists", "DoesNotExist");
        }
    }
}
