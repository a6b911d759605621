package dev.netfence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netfence.cli.AdmissionPolicies.Decision;
import dev.netfence.lab.Lab;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ValidatingAdmissionPolicies of the install bundle (src/main/kubernetes/admission-policies.yaml),
 * rendered with kubectl's kustomize as a user applies them (the files as written where kubectl is
 * missing) and evaluated with cel-java against the
 * AdmissionRequests the API server would build: only the operator writes NodeRuleSets and
 * AddressSets, only a node's own enforcer writes its NodeRuleSet's status, and the operator changes
 * nothing of a NetworkPolicy but its realization annotation. The mock API server does not run
 * admission policies, so this is where they are tested ({@link AdmissionPolicies} is the stand-in).
 */
class AdmissionPoliciesTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String REALIZATION = "netfence.dev/realization";

    static List<JsonNode> bundle;
    static AdmissionPolicies policies;
    /** The users the bundle's workloads run as, read from the bundle (not repeated here). */
    static String operator;
    static String enforcer;
    static String webhook;

    @BeforeAll
    static void render() throws Exception {
        bundle = bundle();
        policies = new AdmissionPolicies(bundle);
        operator = serviceAccountUser("Deployment", "netfence-operator");
        enforcer = serviceAccountUser("DaemonSet", "netfence-enforcer");
        webhook = serviceAccountUser("Deployment", "netfence-webhook");
    }

    /**
     * The bundle as kubectl's kustomize renders it; without kubectl, its manifest files as written
     * (kustomize only adds labels and image names to them, nothing these policies read).
     */
    static List<JsonNode> bundle() throws Exception {
        Optional<Path> kubectl = Lab.findExecutable("kubectl");
        if (kubectl.isEmpty()) {
            List<JsonNode> out = new ArrayList<>();
            for (Path dir : List.of(InstallBundleTest.BUNDLE, InstallBundleTest.BUNDLE.resolve("webhook"))) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.filter(f -> f.toString().endsWith(".yaml") && !f.endsWith("kustomization.yaml")).sorted().toList()) {
                        out.addAll(InstallBundleTest.parse(Files.readString(f)));
                    }
                }
            }
            return out;
        }
        Process p = new ProcessBuilder(kubectl.get().toString(), "kustomize", InstallBundleTest.BUNDLE.toString()).start();
        String yaml = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("kubectl kustomize: %s", err).isZero();
        return InstallBundleTest.parse(yaml);
    }

    static String serviceAccountUser(String kind, String name) {
        JsonNode w = bundle.stream().filter(o -> o.path("kind").asText().equals(kind) && o.at("/metadata/name").asText().equals(name))
                .findFirst().orElseThrow();
        return "system:serviceaccount:" + w.at("/metadata/namespace").asText() + ":" + w.at("/spec/template/spec/serviceAccountName").asText();
    }

    @Test
    void everyPolicyIsClusterScopedGaBoundToDenyAndFailsClosed() {
        List<JsonNode> vaps = bundle.stream().filter(o -> o.path("kind").asText().startsWith("ValidatingAdmissionPolicy")).toList();
        assertThat(vaps).hasSize(6);
        for (JsonNode o : vaps) {
            assertThat(o.path("apiVersion").asText()).as("%s", o.at("/metadata/name")).isEqualTo("admissionregistration.k8s.io/v1");
            assertThat(o.at("/metadata/namespace").isMissingNode()).as("cluster-scoped: %s", o.at("/metadata/name")).isTrue();
            if (o.path("kind").asText().equals("ValidatingAdmissionPolicy")) {
                assertThat(o.at("/spec/failurePolicy").asText()).isEqualTo("Fail");
            }
        }
        assertThat(policies.size()).as("policies with a Deny binding").isEqualTo(3);
        // the names the expressions use are those of the bundle's service accounts
        String text = vaps.toString();
        assertThat(text).contains("'" + operator + "'", "'" + enforcer + "'");
        assertThat(operator).isEqualTo("system:serviceaccount:netfence-system:netfence-operator");
        assertThat(enforcer).isEqualTo("system:serviceaccount:netfence-system:netfence-enforcer");
    }

    // ---- NodeRuleSets and AddressSets: only the operator

    @Test
    void theOperatorCreatesChangesAndDeletesRuleSetsAndAddressSets() {
        for (String op : List.of("CREATE", "UPDATE", "DELETE")) {
            assertThat(admit(request(op, "noderulesets", "", nodeRuleSet("node-1"), user(operator)))).as(op).matches(Decision::allowed);
            assertThat(admit(request(op, "addresssets", "", addressSet("as-0123456789abcdef"), user(operator)))).as(op)
                    .matches(Decision::allowed);
        }
    }

    @Test
    void noOneElseWritesThem() {
        ObjectNode clusterAdmin = user("kubernetes-admin", "system:masters", "system:authenticated");
        ObjectNode gitops = user("system:serviceaccount:argocd:argocd-application-controller", "system:serviceaccounts");
        for (ObjectNode who : List.of(clusterAdmin, gitops, user(enforcer), user(webhook), enforcerOf("node-1"))) {
            for (String op : List.of("CREATE", "UPDATE", "DELETE")) {
                Decision d = admit(request(op, "noderulesets", "", nodeRuleSet("node-1"), who));
                assertThat(d.allowed()).as("%s %s", who.path("username").asText(), op).isFalse();
                assertThat(d.policy()).isEqualTo("netfence-firewall-writers");
                assertThat(d.message()).isEqualTo("only the Netfence operator (" + operator + ") may write noderulesets; "
                        + who.path("username").asText() + " may not: change the NetworkPolicies and DefaultDenies the operator compiles them from");
                assertThat(admit(request(op, "addresssets", "", addressSet("as-0123456789abcdef"), who)).allowed()).isFalse();
            }
        }
    }

    // ---- NodeRuleSet status: only the node's own enforcer

    @Test
    void theEnforcerOfANodeWritesTheStatusOfItsRuleSet() {
        assertThat(admit(request("UPDATE", "noderulesets", "status", nodeRuleSet("node-1"), enforcerOf("node-1")))).matches(Decision::allowed);
        assertThat(admit(request("UPDATE", "noderulesets", "status", nodeRuleSet("node-2.zone-a"), enforcerOf("node-2.zone-a"))))
                .matches(Decision::allowed);
    }

    @Test
    void theEnforcerOfAnotherNodeIsRefused() {
        Decision d = admit(request("UPDATE", "noderulesets", "status", nodeRuleSet("node-1"), enforcerOf("node-2")));
        assertThat(d.allowed()).isFalse();
        assertThat(d.policy()).isEqualTo("netfence-noderuleset-status");
        assertThat(d.message()).isEqualTo("the enforcer of node node-2 may write only the status of NodeRuleSet node-2, not of node-1");
    }

    @Test
    void anEnforcerTokenWithoutANodeClaimIsRefused() {
        // a token from before Kubernetes 1.30, or made by hand with `kubectl create token`
        Decision d = admit(request("UPDATE", "noderulesets", "status", nodeRuleSet("node-1"), user(enforcer)));
        assertThat(d.allowed()).isFalse();
        assertThat(d.message()).contains("carries no node claim (authentication.kubernetes.io/node-name, Kubernetes 1.30 or newer)");
        ObjectNode two = enforcerOf("node-1");
        ((com.fasterxml.jackson.databind.node.ArrayNode) two.at("/extra/authentication.kubernetes.io~1node-name")).add("node-2");
        assertThat(admit(request("UPDATE", "noderulesets", "status", nodeRuleSet("node-1"), two)).allowed()).as("two node claims").isFalse();
    }

    @Test
    void noOneElseWritesTheStatus() {
        ObjectNode otherDaemonOnNode1 = user("system:serviceaccount:monitoring:node-exporter", "system:serviceaccounts");
        otherDaemonOnNode1.putObject("extra").putArray("authentication.kubernetes.io/node-name").add("node-1");
        for (ObjectNode who : List.of(user(operator), user("kubernetes-admin", "system:masters"), otherDaemonOnNode1)) {
            Decision d = admit(request("UPDATE", "noderulesets", "status", nodeRuleSet("node-1"), who));
            assertThat(d.allowed()).as(who.path("username").asText()).isFalse();
            assertThat(d.message()).startsWith("only the Netfence enforcer (" + enforcer + ") may write the status of a NodeRuleSet");
        }
    }

    // ---- NetworkPolicies: the operator writes its annotation and nothing else

    @Test
    void theOperatorWritesItsRealizationAnnotation() throws Exception {
        ObjectNode old = networkPolicy();
        assertThat(admit(update(withAnnotation(old, REALIZATION, "Enforced: 2/2 nodes, 3 pods"), old, operator))).matches(Decision::allowed);
        ObjectNode annotated = withAnnotation(old, REALIZATION, "Enforced: 2/2 nodes, 3 pods");
        assertThat(admit(update(withAnnotation(annotated, REALIZATION, "Pending: 1/2 nodes"), annotated, operator)))
                .matches(Decision::allowed);
    }

    @Test
    void theOperatorChangesNothingElseOfANetworkPolicy() throws Exception {
        ObjectNode old = withAnnotation(networkPolicy(), "team", "shop");
        ObjectNode spec = old.deepCopy();
        ((ObjectNode) spec.path("spec")).putArray("policyTypes").add("Egress");
        ObjectNode labels = old.deepCopy();
        ((ObjectNode) labels.path("metadata")).putObject("labels").put("netfence.dev/allow", "all");
        ObjectNode otherAnnotation = withAnnotation(old, "netfence.dev/allow-cut", "true");
        ObjectNode removedAnnotation = old.deepCopy();
        ((ObjectNode) removedAnnotation.at("/metadata/annotations")).remove("team");
        ObjectNode owners = old.deepCopy();
        ((ObjectNode) owners.path("metadata")).putArray("finalizers").add("example.com/keep");
        Map<String, ObjectNode> changes = Map.of("spec", spec, "labels", labels, "another annotation", otherAnnotation,
                "a removed annotation", removedAnnotation, "finalizers", owners);
        changes.forEach((what, changed) -> {
            Decision d = admit(update(withAnnotation(changed, REALIZATION, "Enforced"), old, operator));
            assertThat(d.allowed()).as(what).isFalse();
            assertThat(d.policy()).isEqualTo("netfence-operator-networkpolicy-writes");
            assertThat(d.message()).startsWith("the Netfence operator may change only the netfence.dev/realization annotation");
        });
        assertThat(admit(request("DELETE", "networkpolicies", "", old, user(operator)))).matches(d -> !d.allowed());
        assertThat(admit(request("CREATE", "networkpolicies", "", old, user(operator)))).matches(d -> !d.allowed());
    }

    @Test
    void usersKeepWritingTheirNetworkPolicies() throws Exception {
        ObjectNode old = networkPolicy();
        ObjectNode changed = old.deepCopy();
        ((ObjectNode) changed.path("spec")).putArray("policyTypes").add("Ingress").add("Egress");
        assertThat(admit(update(changed, old, "jane@example.com"))).matches(Decision::allowed);
        assertThat(admit(request("DELETE", "networkpolicies", "", old, user("jane@example.com")))).matches(Decision::allowed);
        // and requests for other resources are not matched at all
        assertThat(admit(request("UPDATE", "pods", "status", JSON.createObjectNode(), user("system:node:node-1")))).matches(Decision::allowed);
    }

    // ---- requests as the API server builds them (admission.k8s.io/v1 AdmissionRequest)

    static Decision admit(ObjectNode request) {
        return policies.admit(request);
    }

    static ObjectNode request(String operation, String resource, String subResource, ObjectNode object, ObjectNode user) {
        ObjectNode r = JSON.createObjectNode();
        r.put("uid", "705ab4f5-6393-11e8-b7cc-42010a800002");
        String group = resource.equals("networkpolicies") ? "networking.k8s.io" : resource.equals("pods") ? "" : "netfence.dev";
        String version = group.equals("netfence.dev") ? "v1alpha1" : "v1";
        r.putObject("kind").put("group", group).put("version", version).put("kind", object.path("kind").asText());
        r.putObject("resource").put("group", group).put("version", version).put("resource", resource);
        if (!subResource.isEmpty()) {
            r.put("subResource", subResource);
        }
        r.put("name", object.at("/metadata/name").asText());
        if (object.at("/metadata/namespace").isTextual()) {
            r.put("namespace", object.at("/metadata/namespace").asText());
        }
        r.put("operation", operation);
        r.set("userInfo", user);
        // DELETE: object is null and oldObject the stored object; CREATE: oldObject is null
        r.set("object", operation.equals("DELETE") ? JSON.nullNode() : object);
        r.set("oldObject", operation.equals("CREATE") ? JSON.nullNode() : object);
        return r;
    }

    static ObjectNode update(ObjectNode object, ObjectNode old, String username) {
        ObjectNode r = request("UPDATE", "networkpolicies", "", object, user(username));
        r.set("oldObject", old);
        return r;
    }

    static ObjectNode user(String username, String... groups) {
        ObjectNode u = JSON.createObjectNode().put("username", username).put("uid", "0b8fb6d1-1d6e-4b70-9b51-2ac9b6c1e2f1");
        var g = u.putArray("groups");
        for (String group : groups) {
            g.add(group);
        }
        if (username.startsWith("system:serviceaccount:")) {
            g.add("system:serviceaccounts").add("system:serviceaccounts:" + username.split(":")[2]);
        }
        g.add("system:authenticated");
        return u;
    }

    /** The enforcer pod's projected token on {@code node}: the API server reports the pod and node claims in extra. */
    static ObjectNode enforcerOf(String node) {
        ObjectNode u = user(enforcer);
        ObjectNode extra = u.putObject("extra");
        extra.putArray("authentication.kubernetes.io/credential-id").add("JTI=7ee52be0-9045-4653-aa5e-0da57b8dccdc");
        extra.putArray("authentication.kubernetes.io/node-name").add(node);
        extra.putArray("authentication.kubernetes.io/node-uid").add("497e9d9a-47aa-4930-b0f6-9f2fb574c8c6");
        extra.putArray("authentication.kubernetes.io/pod-name").add("netfence-enforcer-x7k2p");
        extra.putArray("authentication.kubernetes.io/pod-uid").add("e87dbbd6-3d7e-45db-aafb-72b24627dff5");
        return u;
    }

    static ObjectNode nodeRuleSet(String node) {
        ObjectNode o = JSON.createObjectNode().put("apiVersion", "netfence.dev/v1alpha1").put("kind", "NodeRuleSet");
        o.putObject("metadata").put("name", node);
        o.putObject("spec").put("node", node).put("contentHash", "0123456789abcdef");
        o.putObject("status").put("appliedHash", "0123456789abcdef");
        return o;
    }

    static ObjectNode addressSet(String name) {
        ObjectNode o = JSON.createObjectNode().put("apiVersion", "netfence.dev/v1alpha1").put("kind", "AddressSet");
        o.putObject("metadata").put("name", name);
        o.putObject("spec").put("set", name).put("part", 0).put("parts", 1).put("contentHash", "0123456789abcdef")
                .putArray("entries").add("10.0.0.1");
        return o;
    }

    /** The first NetworkPolicy of samples/20-shop-policies.yaml, as stored (with a uid and resourceVersion). */
    static ObjectNode networkPolicy() throws Exception {
        String yaml = Files.readString(Path.of("../samples/20-shop-policies.yaml"));
        ObjectNode np = (ObjectNode) InstallBundleTest.parse(yaml).stream()
                .filter(o -> o.path("kind").asText().equals("NetworkPolicy")).findFirst().orElseThrow();
        ((ObjectNode) np.path("metadata")).put("uid", "3c9d5e0b-8f5e-4d0e-9c0f-6f3f1f0c2a11").put("resourceVersion", "4711");
        return np;
    }

    static ObjectNode withAnnotation(ObjectNode object, String key, String value) {
        ObjectNode copy = object.deepCopy();
        JsonNode a = copy.at("/metadata/annotations");
        (a.isObject() ? (ObjectNode) a : ((ObjectNode) copy.path("metadata")).putObject("annotations")).put(key, value);
        return copy;
    }
}
