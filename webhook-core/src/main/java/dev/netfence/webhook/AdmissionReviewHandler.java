package dev.netfence.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netfence.crds.CriticalFlow;
import dev.netfence.crds.CriticalFlowConverter;
import dev.netfence.crds.DefaultDeny;
import dev.netfence.crds.adapter.InvalidFieldException;
import dev.netfence.crds.adapter.ModelAdapter;
import dev.netfence.policy.analysis.Change;
import dev.netfence.policy.analysis.PolicyObject;
import dev.netfence.policy.analysis.Rules;
import dev.netfence.webhook.AdmissionMetrics.Outcome;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * AdmissionReview v1 in, AdmissionReview v1 out. In order: the size, nesting and rule-count limits
 * on the raw bytes ({@link RequestLimits}); a slot among the bounded concurrent analyses; the
 * request (CREATE and UPDATE on {@code object}, DELETE on {@code oldObject}); {@link AdmissionJudge}
 * against the latest {@link ClusterView}. Dry-run requests are judged like real ones ({@code
 * sideEffects: None}). Kinds judged: NetworkPolicy, DefaultDeny (namespaced) and CriticalFlow.
 *
 * <p>Input that is not an AdmissionReview gets HTTP 400 with the reason and one WARN line with the
 * request uid, never a stack trace: bad input is not a bug of the webhook.
 */
public final class AdmissionReviewHandler {

    private static final Logger LOG = Logger.getLogger(AdmissionReviewHandler.class);

    /** An HTTP answer: status, content type and body. */
    public record Answer(int status, String contentType, String body) {
        static Answer json(String body) {
            return new Answer(200, "application/json", body);
        }

        static Answer badRequest(String reason) {
            return new Answer(400, "text/plain", reason + "\n");
        }
    }

    private final ObjectMapper mapper;
    private final ClusterViewSource cluster;
    private final AdmissionJudge judge;
    private final AdmissionMetrics metrics;
    private final RequestLimits limits;
    private final Semaphore analyses;
    private final long queueTimeoutNanos;

    public AdmissionReviewHandler(ObjectMapper mapper, ClusterViewSource cluster, AdmissionJudge judge, AdmissionMetrics metrics) {
        this.mapper = mapper;
        this.cluster = cluster;
        this.judge = judge;
        this.metrics = metrics;
        WebhookSettings.Limits l = judge.settings().limits();
        this.limits = new RequestLimits(l);
        this.analyses = new Semaphore(l.maxConcurrentAnalyses(), true);
        this.queueTimeoutNanos = l.queueTimeout().toNanos();
    }

    /** The HTTP answer to a POST of {@code body}. */
    public Answer handle(byte[] body) {
        long start = System.nanoTime();
        metrics.received();
        if (body == null || body.length == 0) {
            return bad(start, "", "empty body: send an AdmissionReview (admission.k8s.io/v1) as JSON");
        }
        RequestLimits.Scan scan = limits.scan(body);
        String uid = scan.uid();
        if (scan.problem().isPresent()) {
            LOG.warnf("request %s refused unread: %s", uid.isEmpty() ? "(no uid)" : uid, scan.problem().get());
            if (uid.isEmpty()) {
                return bad(start, uid, scan.problem().get());
            }
            metrics.answered(Outcome.DENIED, start);
            return Answer.json(write(response(uid, false, status(413, "RequestEntityTooLarge",
                    "netfence refuses to judge this object: " + scan.problem().get()), List.of())));
        }
        boolean slot;
        try {
            slot = analyses.tryAcquire(queueTimeoutNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            slot = false;
        }
        if (!slot) {
            LOG.warnf("request %s not judged: every analysis slot stayed busy for %d ms", uid,
                    TimeUnit.NANOSECONDS.toMillis(queueTimeoutNanos));
            metrics.answered(Outcome.ERROR, start);
            return Answer.json(write(response(uid, false, status(429, "TooManyRequests",
                    "netfence: the webhook is busy judging other changes; retry in a few seconds"), List.of())));
        }
        try {
            JsonNode review;
            try {
                review = mapper.readTree(body);
            } catch (JsonProcessingException e) {
                return bad(start, uid, "the body is not JSON: " + e.getOriginalMessage());
            } catch (IOException e) {
                return bad(start, uid, "the body cannot be read: " + e.getMessage());
            }
            ObjectNode answer = answer(review);
            JsonNode response = answer.get("response");
            Outcome outcome = !response.path("allowed").asBoolean() ? (response.path("status").path("code").asInt() == 403
                    ? Outcome.DENIED : Outcome.ERROR) : response.has("warnings") ? Outcome.WARNED : Outcome.ALLOWED;
            metrics.answered(outcome, start);
            return Answer.json(write(answer));
        } catch (BadAdmissionRequest e) {
            return bad(start, uid, e.getMessage());
        } catch (RuntimeException e) {
            // a bug met by this input: one line with the uid (the stack at DEBUG), and a 400 that says it is ours
            StackTraceElement at = e.getStackTrace().length > 0 ? e.getStackTrace()[0] : null;
            LOG.warnf("request %s could not be judged: %s%s", uid, e, at == null ? "" : " at " + at);
            LOG.debug("stack of the failure above", e);
            metrics.answered(Outcome.ERROR, start);
            return Answer.badRequest("netfence could not judge this request (an internal error, logged with request uid "
                    + uid + ")");
        } finally {
            analyses.release();
        }
    }

    private Answer bad(long start, String uid, String reason) {
        LOG.warnf("request %s is not a usable AdmissionReview: %s", uid.isEmpty() ? "(no uid)" : uid, reason);
        metrics.answered(Outcome.ERROR, start);
        return Answer.badRequest(reason);
    }

    private String write(ObjectNode review) {
        try {
            return mapper.writeValueAsString(review);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
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
        boolean criticalFlow = "netfence.dev".equals(group) && "CriticalFlow".equals(kind);
        boolean clusterPolicy = dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy.GROUP.equals(group)
                && "ClusterNetworkPolicy".equals(kind);
        if (!policy && !defaultDeny && !criticalFlow && !clusterPolicy || "CONNECT".equals(operation)) {
            return response(uid, true, null, List.of());   // not ours to judge
        }
        if (!List.of("CREATE", "UPDATE", "DELETE").contains(operation)) {
            throw new BadAdmissionRequest("request.operation: \"" + operation + "\" is not CREATE, UPDATE, DELETE or CONNECT");
        }
        if (criticalFlow) {
            return criticalFlow(uid, request, operation);
        }
        String namespace = request.path("namespace").asText("");
        PolicyObject newObject = "DELETE".equals(operation) ? null
                : clusterPolicy ? clusterObject(request, "object") : object(request, "object", namespace, policy);
        PolicyObject oldObject = "CREATE".equals(operation) ? null
                : clusterPolicy ? clusterObject(request, "oldObject") : object(request, "oldObject", namespace, policy);
        if ("UPDATE".equals(operation) && sameForTheEngine(oldObject, newObject)) {
            // metadata-only updates (labels, the operator's realization annotation) change no flow
            return response(uid, true, null, List.of());
        }
        if (!cluster.synced()) {
            return response(uid, false, status(503, "ServiceUnavailable",
                    "netfence: the webhook is starting and its caches are not synced yet; retry in a few seconds"), List.of());
        }
        Change change = switch (operation) {
            case "CREATE" -> Change.create(newObject);
            case "UPDATE" -> Change.update(oldObject, newObject);
            default -> Change.delete(oldObject);
        };
        AdmissionDecision decision = judge.decide(cluster.view(), change, user(request));
        return response(uid, decision.allowed(),
                decision.refusal().map(message -> status(403, "Forbidden", message)).orElse(null), decision.warnings());
    }

    private ObjectNode criticalFlow(String uid, JsonNode request, String operation) {
        if ("DELETE".equals(operation)) {
            return response(uid, true, null, List.of());
        }
        JsonNode node = request.get("object");
        if (node == null || !node.isObject()) {
            throw new BadAdmissionRequest("request.object: required for this operation");
        }
        CriticalFlow resource;
        try {
            resource = mapper.treeToValue(node, CriticalFlow.class);
        } catch (Exception e) {
            throw new BadAdmissionRequest("request.object is not a CriticalFlow: " + unreadable(e));
        }
        dev.netfence.policy.analysis.CriticalFlow flow;
        try {
            flow = CriticalFlowConverter.toModel(resource);
        } catch (InvalidFieldException e) {
            return response(uid, false, status(422, "Invalid", "netfence refuses CriticalFlow " + name(resource) + ": "
                    + e.fieldPath() + ": " + e.getMessage()), List.of());
        } catch (IllegalArgumentException e) {
            return response(uid, false, status(422, "Invalid", "netfence refuses CriticalFlow " + name(resource) + ": "
                    + e.getMessage()), List.of());
        }
        AdmissionDecision decision = judge.decideCriticalFlow(flow);
        return response(uid, true, null, decision.warnings());
    }

    private static String name(HasMetadata o) {
        return o.getMetadata() == null ? "(no name)" : o.getMetadata().getName();
    }

    private static AdmissionUser user(JsonNode request) {
        JsonNode info = request.path("userInfo");
        List<String> groups = new ArrayList<>();
        info.path("groups").forEach(g -> groups.add(g.asText()));
        return new AdmissionUser(info.path("username").asText(""), groups);
    }

    /** Equal but for annotations other than allow-cut (which the analysis reads). */
    private static boolean sameForTheEngine(PolicyObject a, PolicyObject b) {
        return Objects.equals(a.ref(), b.ref())
                && Objects.equals(a.annotations().get(Rules.ALLOW_CUT_ANNOTATION), b.annotations().get(Rules.ALLOW_CUT_ANNOTATION))
                && Objects.equals(body(a), body(b));
    }

    private static Object body(PolicyObject o) {
        if (o instanceof PolicyObject.Policy p) {
            var np = p.policy();
            return new dev.netfence.policy.model.NetworkPolicy(np.namespace(), np.name(), np.podSelector(), np.policyTypes(),
                    np.ingress(), np.egress(), Map.of());
        }
        if (o instanceof PolicyObject.Cluster c) {
            return c.policy();
        }
        return ((PolicyObject.Deny) o).defaultDeny();
    }

    /** A ClusterNetworkPolicy (cluster-scoped) of the request, translated; its CRD already checked the schema. */
    private PolicyObject clusterObject(JsonNode request, String field) {
        JsonNode node = request.get(field);
        if (node == null || !node.isObject()) {
            throw new BadAdmissionRequest("request." + field + ": required for this operation (for DELETE, oldObject)");
        }
        dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy resource;
        try {
            resource = mapper.treeToValue(node, dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy.class);
        } catch (Exception e) {
            throw new BadAdmissionRequest("request." + field + " is not a ClusterNetworkPolicy: " + unreadable(e));
        }
        ObjectMeta meta = resource.getMetadata() == null ? new ObjectMeta() : resource.getMetadata();
        if (meta.getName() == null || meta.getName().isEmpty()) {
            throw new BadAdmissionRequest("request." + field + ".metadata.name: required");
        }
        try {
            Map<String, String> annotations = meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
            return PolicyObject.of(dev.netfence.crds.adapter.ClusterPolicyAdapter.clusterNetworkPolicy(resource), annotations);
        } catch (InvalidFieldException e) {
            throw new BadAdmissionRequest("request." + field + "." + e.fieldPath() + ": " + e.getMessage());
        }
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
                    + ": " + unreadable(e));
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

    /** Where and what, without the Java types Jackson names in its own messages. */
    private static String unreadable(Exception e) {
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m && !m.getPath().isEmpty()) {
            StringBuilder path = new StringBuilder();
            for (var ref : m.getPath()) {
                if (ref.getFieldName() != null) {
                    path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
                } else if (ref.getIndex() >= 0) {
                    path.append('[').append(ref.getIndex()).append(']');
                }
            }
            return path + ": a value of the wrong type (see kubectl explain for the field's type)";
        }
        String first = firstLine(e.getMessage());
        return first.contains("`") ? "unreadable value" : first;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
