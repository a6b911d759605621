package dev.netfence.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.netfence.cli.CelExpressions.CelError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The admission decision the API server makes with a set of ValidatingAdmissionPolicies and their
 * bindings (admissionregistration.k8s.io/v1), for the features the install bundle uses: a binding
 * makes its policy apply cluster-wide; {@code matchConstraints.resourceRules} select the request by
 * group, version, operation and resource (a subresource as {@code resource/sub}); every
 * {@code matchCondition} must be true (an error counts as a failure of the policy); {@code variables}
 * are evaluated in order (the API server evaluates them lazily; the bundle's variables cannot fail, so
 * eager evaluation decides the same); the first false {@code validation} denies with its
 * {@code messageExpression} (or {@code message}). A CEL error under {@code failurePolicy: Fail}
 * denies. The mock API server of the other tests does not run admission policies: this is the test
 * stand-in, and the expressions are evaluated by cel-java ({@link CelExpressions}).
 */
final class AdmissionPolicies {

    record Decision(boolean allowed, String policy, String message) {
        static Decision allow() {
            return new Decision(true, null, null);
        }
    }

    private final List<JsonNode> policies = new ArrayList<>();

    AdmissionPolicies(List<JsonNode> bundle) {
        List<String> bound = bundle.stream().filter(o -> o.path("kind").asText().equals("ValidatingAdmissionPolicyBinding"))
                .filter(b -> b.at("/spec/validationActions").toString().contains("Deny"))
                .map(b -> b.at("/spec/policyName").asText()).toList();
        bundle.stream().filter(o -> o.path("kind").asText().equals("ValidatingAdmissionPolicy"))
                .filter(p -> bound.contains(p.at("/metadata/name").asText())).forEach(policies::add);
    }

    int size() {
        return policies.size();
    }

    /** The decision for an AdmissionRequest (its {@code object}/{@code oldObject} inside, as in an AdmissionReview). */
    Decision admit(JsonNode request) {
        for (JsonNode p : policies) {
            Decision d = decide(p, request);
            if (!d.allowed()) {
                return d;
            }
        }
        return Decision.allow();
    }

    private Decision decide(JsonNode policy, JsonNode request) {
        String name = policy.at("/metadata/name").asText();
        if (!matches(policy.at("/spec/matchConstraints"), request)) {
            return Decision.allow();
        }
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("request", request);
        vars.put("object", request.path("object"));
        vars.put("oldObject", request.path("oldObject"));
        Map<String, Object> variables = new LinkedHashMap<>();
        vars.put("variables", variables);
        try {
            for (JsonNode c : policy.at("/spec/matchConditions")) {
                if (!Boolean.TRUE.equals(CelExpressions.eval(c.path("expression").asText(), vars))) {
                    return Decision.allow();
                }
            }
            for (JsonNode v : policy.at("/spec/variables")) {
                variables.put(v.path("name").asText(), CelExpressions.eval(v.path("expression").asText(), vars));
            }
            for (JsonNode v : policy.at("/spec/validations")) {
                if (!Boolean.TRUE.equals(CelExpressions.eval(v.path("expression").asText(), vars))) {
                    String message = v.has("messageExpression")
                            ? String.valueOf(CelExpressions.eval(v.path("messageExpression").asText(), vars))
                            : v.path("message").asText("failed expression: " + v.path("expression").asText());
                    return new Decision(false, name, message);
                }
            }
        } catch (CelError e) {
            if (!policy.at("/spec/failurePolicy").asText("Fail").equals("Ignore")) {
                return new Decision(false, name, "policy '" + name + "' failed: " + e.getMessage());
            }
        }
        return Decision.allow();
    }

    private static boolean matches(JsonNode constraints, JsonNode request) {
        String resource = request.at("/resource/resource").asText();
        String sub = request.path("subResource").asText("");
        String full = sub.isEmpty() ? resource : resource + "/" + sub;
        for (JsonNode rule : constraints.path("resourceRules")) {
            if (listed(rule.path("apiGroups"), request.at("/resource/group").asText())
                    && listed(rule.path("apiVersions"), request.at("/resource/version").asText())
                    && listed(rule.path("operations"), request.path("operation").asText())
                    && listed(rule.path("resources"), full)) {
                return true;
            }
        }
        return false;
    }

    private static boolean listed(JsonNode values, String value) {
        for (JsonNode v : values) {
            if (v.asText().equals("*") || v.asText().equals(value)) {
                return true;
            }
        }
        return false;
    }
}
