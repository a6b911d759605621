package dev.netfence.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netfence.crds.DefaultDeny;
import dev.netfence.crds.adapter.InvalidFieldException;
import dev.netfence.crds.adapter.ModelAdapter;
import dev.netfence.policy.analysis.Change;
import dev.netfence.policy.analysis.PolicyObject;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.List;
import java.util.Map;

/**
 * AdmissionReview v1 in, AdmissionReview v1 out: reads the request (CREATE and UPDATE on
 * {@code object}, DELETE on {@code oldObject}), asks {@link AdmissionJudge} against the current
 * {@link ClusterView}, and writes the response. Dry-run requests are judged like real ones
 * ({@code sideEffects: None}). Throws {@link BadAdmissionRequest} for input that is not an AdmissionReview.
 */
public final class AdmissionReviewHandler {

    private final ObjectMapper mapper;
    private final ClusterViewSource cluster;
    private final AdmissionJudge judge;

    public AdmissionReviewHandler(ObjectMapper mapper, ClusterViewSource cluster, AdmissionJudge judge) {
        this.mapper = mapper;
        this.cluster = cluster;
        this.judge = judge;
    }

    /** The AdmissionReview to answer with; throws {@link BadAdmissionRequest} for input that is not one. */
    public ObjectNode answer(JsonNode review) {
        if (review == null || !review.isObject()) {
            throw new BadAdmissionRequest("the body is not a JSON object: send an AdmissionReview (admission.k8s.io/v1)");
        }
        String apiVersion = review.path("apiVersion").asText("");
        if (!"admission.k8s.io/v1".equals(apiVersion) || !"AdmissionReview".equals(review.path("kind").asText(""))) {
            throw new BadAdmissionRequest("expected apiVersion admission.k8s.io/v1 and kind AdmissionReview, got apiVersion \""
                    + apiVersion + "\" kind \"" + review.path("kind").asText("") + "\" (admissionReviewVersions must be [v1])");
        }
        JsonNode request = review.get("request");
        if (request == null || !request.isObject()) {
            throw new BadAdmissionRequest("request: required object is missing");
        }
        String uid = request.path("uid").asText("");
        if (uid.isEmpty()) {
            throw new BadAdmissionRequest("request.uid: required (it is echoed in response.uid)");
        }
        String operation = request.path("operation").asText("");
        String group = request.path("kind").path("group").asText("");
        String kind = request.path("kind").path("kind").asText("");
        if (kind.isEmpty()) {
            throw new BadAdmissionRequest("request.kind.kind: required");
        }
        boolean policy = "networking.k8s.io".equals(group) && "NetworkPolicy".equals(kind);
        boolean defaultDeny = "netfence.dev".equals(group) && "DefaultDeny".equals(kind);
        if (!policy && !defaultDeny || "CONNECT".equals(operation)) {
            return response(uid, true, null, List.of());   // not ours to judge
        }
        if (!List.of("CREATE", "UPDATE", "DELETE").contains(operation)) {
            throw new BadAdmissionRequest("request.operation: \"" + operation + "\" is not CREATE, UPDATE, DELETE or CONNECT");
        }
        String namespace = request.path("namespace").asText("");
        PolicyObject newObject = "DELETE".equals(operation) ? null : object(request, "object", namespace, policy);
        PolicyObject oldObject = "CREATE".equals(operation) ? null : object(request, "oldObject", namespace, policy);

        if (!cluster.synced()) {
            return response(uid, false, status(503, "ServiceUnavailable",
                    "netfence: the webhook is starting and its caches are not synced yet; retry in a few seconds"), List.of());
        }
        Change change = switch (operation) {
            case "CREATE" -> Change.create(newObject);
            case "UPDATE" -> Change.update(oldObject, newObject);
            default -> Change.delete(oldObject);
        };
        AdmissionDecision decision = judge.decide(cluster.view(), change);
        return response(uid, decision.allowed(),
                decision.refusal().map(message -> status(403, "Forbidden", message)).orElse(null), decision.warnings());
    }

    private PolicyObject object(JsonNode request, String field, String requestNamespace, boolean policy) {
        JsonNode node = request.get(field);
        if (node == null || !node.isObject()) {
            throw new BadAdmissionRequest("request." + field + ": required for this operation (for DELETE, oldObject)");
        }
        HasMetadata resource;
        try {
            Class<? extends HasMetadata> type = policy ? NetworkPolicy.class : DefaultDeny.class;
            resource = mapper.treeToValue(node, type);
        } catch (Exception e) {
            throw new BadAdmissionRequest("request." + field + " is not a " + (policy ? "NetworkPolicy" : "DefaultDeny")
                    + ": " + firstLine(e.getMessage()));
        }
        ObjectMeta meta = resource.getMetadata() == null ? new ObjectMeta() : resource.getMetadata();
        resource.setMetadata(meta);
        if (meta.getNamespace() == null || meta.getNamespace().isEmpty()) {
            if (requestNamespace.isEmpty()) {
                throw new BadAdmissionRequest("request.namespace: required for a namespaced " + resource.getKind());
            }
            meta.setNamespace(requestNamespace);
        }
        if (meta.getName() == null || meta.getName().isEmpty()) {
            throw new BadAdmissionRequest("request." + field + ".metadata.name: required");
        }
        try {
            if (policy) {
                return PolicyObject.of(ModelAdapter.networkPolicy((NetworkPolicy) resource));
            }
            Map<String, String> annotations = meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
            return PolicyObject.of(ModelAdapter.defaultDeny((DefaultDeny) resource), annotations);
        } catch (InvalidFieldException e) {
            throw new BadAdmissionRequest("request." + field + "." + e.fieldPath() + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new BadAdmissionRequest("request." + field + ": " + e.getMessage());
        }
    }

    private ObjectNode status(int code, String reason, String message) {
        ObjectNode s = mapper.createObjectNode();
        s.put("code", code);
        s.put("reason", reason);
        s.put("message", message);
        return s;
    }

    private ObjectNode response(String uid, boolean allowed, ObjectNode status, List<String> warnings) {
        ObjectNode review = mapper.createObjectNode();
        review.put("apiVersion", "admission.k8s.io/v1");
        review.put("kind", "AdmissionReview");
        ObjectNode response = review.putObject("response");
        response.put("uid", uid);
        response.put("allowed", allowed);
        if (status != null) {
            response.set("status", status);
        }
        if (!warnings.isEmpty()) {
            ArrayNode w = response.putArray("warnings");
            warnings.forEach(w::add);
        }
        return review;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
