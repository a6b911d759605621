package dev.netfence.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.netfence.lab.Lab;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The install bundle as a user applies it ({@code kubectl apply -k src/main/kubernetes}): rendered
 * with kubectl's own kustomize, it must parse and every reference in it (namespaces, service
 * accounts, roles, secrets, config maps, services and their ports, webhook services and CA
 * sources, PDB and NetworkPolicy selectors) must point at an object of the bundle.
 */
class InstallBundleTest {

    static final Path BUNDLE = Path.of("../src/main/kubernetes");
    static final String IMAGE_PREFIX = "ghcr.io/netfence/netfence-";
    /** Namespaces every cluster has; the bundle may refer to them without creating them. */
    static final Set<String> BUILT_IN_NAMESPACES = Set.of("kube-system", "default");

    static List<JsonNode> objects;

    @BeforeAll
    static void render() throws Exception {
        Optional<Path> kubectl = Lab.findExecutable("kubectl");
        assumeTrue(kubectl.isPresent(), "skipped: kubectl is not installed (it renders the bundle with kustomize)");
        Process p = new ProcessBuilder(kubectl.get().toString(), "kustomize", BUNDLE.toString()).start();
        String yaml = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("kubectl kustomize %s: %s", BUNDLE, err).isZero();
        objects = parse(yaml);
    }

    static List<JsonNode> parse(String yaml) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = new ObjectMapper(new YAMLFactory()).readerFor(JsonNode.class).readValues(yaml)) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc != null && !doc.isNull() && !doc.isEmpty()) {
                    out.add(doc);
                }
            }
        }
        return out;
    }

    @Test
    void everyObjectHasKindNameAndAnExistingNamespace() {
        assertThat(objects).isNotEmpty();
        Set<String> namespaces = new HashSet<>(BUILT_IN_NAMESPACES);
        objects.stream().filter(o -> kind(o).equals("Namespace")).forEach(o -> namespaces.add(name(o)));
        for (JsonNode o : objects) {
            assertThat(o.path("apiVersion").asText()).as("apiVersion of %s", o).isNotEmpty();
            assertThat(kind(o)).as("kind of %s", o).isNotEmpty();
            assertThat(name(o)).as("metadata.name of a %s", kind(o)).isNotEmpty();
            if (!namespace(o).isEmpty()) {
                assertThat(namespaces).as("namespace of %s", id(o)).contains(namespace(o));
            }
        }
        assertThat(objects.stream().map(InstallBundleTest::id).toList()).doesNotHaveDuplicates();
    }

    @Test
    void theBundleHoldsOperatorEnforcerAndWebhook() {
        assertThat(ids()).contains("Deployment netfence-system/netfence-operator", "DaemonSet netfence-system/netfence-enforcer",
                "Deployment netfence-system/netfence-webhook", "ValidatingWebhookConfiguration netfence");
    }

    @Test
    void workloadsReferToExistingAccountsSecretsAndConfigMapsAndHaveResourcesAndProbes() {
        Set<String> tags = new TreeSet<>();
        for (JsonNode w : workloads()) {
            JsonNode pod = w.path("spec").path("template").path("spec");
            String ns = namespace(w);
            String account = pod.path("serviceAccountName").asText("default");
            assertThat(exists("ServiceAccount", ns, account)).as("%s: ServiceAccount %s/%s", id(w), ns, account).isTrue();
            for (JsonNode v : pod.path("volumes")) {
                if (v.has("secret")) {
                    String secret = v.path("secret").path("secretName").asText();
                    assertThat(secretExists(ns, secret)).as("%s: volume %s: Secret %s/%s (or a Certificate writing it)",
                            id(w), v.path("name").asText(), ns, secret).isTrue();
                }
                if (v.has("configMap")) {
                    String cm = v.path("configMap").path("name").asText();
                    assertThat(exists("ConfigMap", ns, cm)).as("%s: ConfigMap %s/%s", id(w), ns, cm).isTrue();
                }
            }
            for (JsonNode c : containers(pod)) {
                String where = id(w) + " container " + c.path("name").asText();
                String image = c.path("image").asText();
                assertThat(image).as("%s: image", where).startsWith(IMAGE_PREFIX).contains(":");
                tags.add(image.substring(image.lastIndexOf(':') + 1));
                assertThat(c.at("/resources/requests/cpu").asText()).as("%s: resources.requests.cpu", where).isNotEmpty();
                assertThat(c.at("/resources/requests/memory").asText()).as("%s: resources.requests.memory", where).isNotEmpty();
                assertThat(c.at("/resources/limits/memory").asText()).as("%s: resources.limits.memory", where).isNotEmpty();
                Set<String> ports = portNames(c);
                for (String probe : List.of("readinessProbe", "livenessProbe")) {
                    assertThat(c.has(probe)).as("%s: %s", where, probe).isTrue();
                    JsonNode port = c.path(probe).path("httpGet").path("port");
                    if (port.isTextual()) {
                        assertThat(ports).as("%s: %s.httpGet.port", where, probe).contains(port.asText());
                    }
                }
                for (JsonNode e : c.path("envFrom")) {
                    if (e.has("configMapRef")) {
                        assertThat(exists("ConfigMap", ns, e.at("/configMapRef/name").asText())).as("%s: envFrom %s", where, e).isTrue();
                    }
                }
                for (JsonNode e : c.path("env")) {
                    JsonNode from = e.path("valueFrom");
                    if (from.has("secretKeyRef")) {
                        assertThat(secretExists(ns, from.at("/secretKeyRef/name").asText())).as("%s: env %s", where, e.path("name")).isTrue();
                    }
                    if (from.has("configMapKeyRef")) {
                        assertThat(exists("ConfigMap", ns, from.at("/configMapKeyRef/name").asText())).as("%s: env %s", where, e.path("name")).isTrue();
                    }
                }
            }
        }
        assertThat(tags).as("one image tag for every component").hasSize(1);
    }

    /**
     * The settings every component must agree on (cluster DNS, pod CIDRs) are set once, in one
     * ConfigMap, with exactly the keys ClusterSettings reads, and every component reads it.
     */
    @Test
    void operatorWebhookAndEnforcerReadTheOneClusterSettingsConfigMap() {
        JsonNode cm = objects.stream().filter(o -> id(o).equals("ConfigMap netfence-system/netfence-cluster-settings"))
                .findFirst().orElseThrow(() -> new AssertionError("no ConfigMap netfence-system/netfence-cluster-settings"));
        Map<String, String> data = new java.util.TreeMap<>();
        cm.path("data").fields().forEachRemaining(e -> data.put(e.getKey(), e.getValue().asText()));
        assertThat(data.keySet()).containsExactlyInAnyOrderElementsOf(
                dev.netfence.cluster.ClusterSettings.KEYS.stream().map(dev.netfence.cluster.ClusterSettings::environmentName).toList());
        // what the bundle ships is the default, and parses
        Map<String, String> byKey = new HashMap<>();
        dev.netfence.cluster.ClusterSettings.KEYS.forEach(k ->
                byKey.put(k, data.get(dev.netfence.cluster.ClusterSettings.environmentName(k))));
        assertThat(dev.netfence.cluster.ClusterSettings.of(byKey)).isEqualTo(dev.netfence.cluster.ClusterSettings.DEFAULTS);
        for (String workload : List.of("Deployment netfence-system/netfence-operator", "Deployment netfence-system/netfence-webhook",
                "DaemonSet netfence-system/netfence-enforcer")) {
            JsonNode w = objects.stream().filter(o -> id(o).equals(workload)).findFirst().orElseThrow();
            for (JsonNode c : containers(w.path("spec").path("template").path("spec"))) {
                List<String> from = new ArrayList<>();
                c.path("envFrom").forEach(e -> from.add(e.at("/configMapRef/name").asText()));
                assertThat(from).as("%s container %s: envFrom", workload, c.path("name").asText())
                        .contains("netfence-cluster-settings");
            }
        }
    }

    @Test
    void bindingsReferToExistingRolesAndServiceAccounts() {
        for (JsonNode b : objects) {
            if (!kind(b).endsWith("RoleBinding")) {
                continue;
            }
            String roleKind = b.at("/roleRef/kind").asText();
            String roleNs = roleKind.equals("ClusterRole") ? "" : namespace(b);
            assertThat(exists(roleKind, roleNs, b.at("/roleRef/name").asText())).as("%s: roleRef", id(b)).isTrue();
            for (JsonNode s : b.path("subjects")) {
                if (s.path("kind").asText().equals("ServiceAccount")) {
                    String ns = s.path("namespace").asText(namespace(b));
                    assertThat(exists("ServiceAccount", ns, s.path("name").asText())).as("%s: subject %s", id(b), s).isTrue();
                }
            }
        }
    }

    @Test
    void servicesSelectAWorkloadThatHasTheirTargetPorts() {
        for (JsonNode s : objectsOf("Service")) {
            List<JsonNode> selected = selectedWorkloads(namespace(s), s.at("/spec/selector"));
            assertThat(selected).as("%s: spec.selector selects no workload", id(s)).isNotEmpty();
            for (JsonNode port : s.at("/spec/ports")) {
                JsonNode target = port.path("targetPort");
                if (target.isTextual()) {
                    for (JsonNode w : selected) {
                        assertThat(containers(w.at("/spec/template/spec")).stream().flatMap(c -> portNames(c).stream()))
                                .as("%s: targetPort %s on %s", id(s), target.asText(), id(w)).contains(target.asText());
                    }
                }
            }
        }
    }

    @Test
    void theWebhookConfigurationCallsAnExistingServiceWithACertificate() {
        List<JsonNode> configs = objectsOf("ValidatingWebhookConfiguration");
        assertThat(configs).isNotEmpty();
        for (JsonNode c : configs) {
            String inject = c.at("/metadata/annotations").path("cert-manager.io/inject-ca-from").asText();
            if (!inject.isEmpty()) {
                String[] ref = inject.split("/");
                assertThat(exists("Certificate", ref[0], ref[1])).as("%s: inject-ca-from %s", id(c), inject).isTrue();
            }
            for (JsonNode hook : c.path("webhooks")) {
                JsonNode svc = hook.at("/clientConfig/service");
                Optional<JsonNode> service = find("Service", svc.path("namespace").asText(), svc.path("name").asText());
                assertThat(service).as("%s: webhook %s: clientConfig.service", id(c), hook.path("name").asText()).isPresent();
                int port = svc.path("port").asInt(443);
                assertThat(service.get().at("/spec/ports").findValues("port").stream().map(JsonNode::asInt))
                        .as("%s: service port", id(c)).contains(port);
            }
        }
        for (JsonNode cert : objectsOf("Certificate")) {
            String issuerKind = cert.at("/spec/issuerRef/kind").asText("Issuer");
            String ns = issuerKind.equals("ClusterIssuer") ? "" : namespace(cert);
            assertThat(exists(issuerKind, ns, cert.at("/spec/issuerRef/name").asText())).as("%s: issuerRef", id(cert)).isTrue();
        }
        for (JsonNode issuer : objectsOf("Issuer")) {
            JsonNode ca = issuer.at("/spec/ca/secretName");
            if (!ca.isMissingNode()) {
                assertThat(secretExists(namespace(issuer), ca.asText())).as("%s: spec.ca.secretName", id(issuer)).isTrue();
            }
        }
    }

    @Test
    void everyReplicatedDeploymentHasADisruptionBudgetThatSelectsIt() {
        for (JsonNode pdb : objectsOf("PodDisruptionBudget")) {
            assertThat(selectedWorkloads(namespace(pdb), pdb.at("/spec/selector/matchLabels"))).as("%s selects nothing", id(pdb))
                    .isNotEmpty();
        }
        for (JsonNode d : objectsOf("Deployment")) {
            if (d.at("/spec/replicas").asInt(1) > 1) {
                Map<String, String> labels = labels(d.at("/spec/template/metadata/labels"));
                assertThat(objectsOf("PodDisruptionBudget").stream().filter(p -> namespace(p).equals(namespace(d)))
                        .anyMatch(p -> matches(labels(p.at("/spec/selector/matchLabels")), labels)))
                        .as("%s has %d replicas and no PodDisruptionBudget", id(d), d.at("/spec/replicas").asInt()).isTrue();
            }
        }
    }

    @Test
    void networkPoliciesSelectNetfencePodsAndLetTheApiServerReachTheWebhook() {
        List<JsonNode> policies = objectsOf("NetworkPolicy");
        assertThat(policies).isNotEmpty();
        for (JsonNode np : policies) {
            JsonNode selector = np.at("/spec/podSelector");
            if (!selector.path("matchLabels").isEmpty() || selector.has("matchExpressions")) {
                assertThat(workloads().stream().filter(w -> namespace(w).equals(namespace(np)))
                        .anyMatch(w -> selects(selector, labels(w.at("/spec/template/metadata/labels")))))
                        .as("%s: spec.podSelector selects no Netfence pod", id(np)).isTrue();
            }
        }
        // the API server is outside the pod network: some policy must admit any source on the webhook's serving port
        JsonNode webhook = find("Deployment", "netfence-system", "netfence-webhook").orElseThrow();
        Map<String, String> webhookLabels = labels(webhook.at("/spec/template/metadata/labels"));
        JsonNode container = containers(webhook.at("/spec/template/spec")).get(0);
        boolean open = policies.stream().filter(np -> selects(np.at("/spec/podSelector"), webhookLabels))
                .flatMap(np -> iterable(np.at("/spec/ingress")).stream())
                .filter(rule -> !rule.has("from") || rule.path("from").isEmpty())
                .flatMap(rule -> iterable(rule.path("ports")).stream())
                .anyMatch(p -> portNames(container).contains(p.path("port").asText())
                        || container.path("ports").findValues("containerPort").stream().anyMatch(cp -> cp.asInt() == p.path("port").asInt(-1)));
        assertThat(open).as("a NetworkPolicy admits the API server (any source) on the webhook's port").isTrue();
    }

    /** Kinds without a namespace; every other object of the bundle names netfence-system (or a built-in namespace) itself. */
    static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "ClusterRole", "ClusterRoleBinding", "ClusterIssuer",
            "CustomResourceDefinition", "PriorityClass", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
            "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding");

    @Test
    void namespacedObjectsNameTheirNamespaceAndClusterScopedOnesNone() {
        // the top-level kustomization has no namespace transformer (it would put the cluster-scoped
        // ValidatingAdmissionPolicies in a namespace), so each file must say where its objects go
        for (JsonNode o : objects) {
            if (CLUSTER_SCOPED.contains(kind(o))) {
                assertThat(namespace(o)).as("%s is cluster-scoped", id(o)).isEmpty();
            } else {
                assertThat(namespace(o)).as("%s: metadata.namespace", id(o)).isNotEmpty();
            }
        }
    }

    @Test
    void everyContainerRunsWithTheRuntimeDefaultSeccompProfileNoEscalationAReadOnlyRootAndOnlyTheCapabilitiesItNeeds() {
        // what each component needs beyond nothing: the enforcer programs nftables (NET_ADMIN), no one else needs any
        Map<String, Set<String>> capabilities = Map.of("DaemonSet netfence-system/netfence-enforcer", Set.of("NET_ADMIN"));
        assertThat(workloads()).hasSizeGreaterThanOrEqualTo(3);
        for (JsonNode w : workloads()) {
            JsonNode pod = w.at("/spec/template/spec");
            assertThat(pod.path("hostPID").asBoolean(false) || pod.path("hostIPC").asBoolean(false)).as("%s: hostPID/hostIPC", id(w)).isFalse();
            for (JsonNode c : containers(pod)) {
                String where = id(w) + " container " + c.path("name").asText();
                JsonNode sc = c.path("securityContext");
                String seccomp = sc.at("/seccompProfile/type").asText(pod.at("/securityContext/seccompProfile/type").asText());
                assertThat(seccomp).as("%s: seccompProfile", where).isEqualTo("RuntimeDefault");
                assertThat(sc.path("privileged").asBoolean(false)).as("%s: privileged", where).isFalse();
                assertThat(sc.path("allowPrivilegeEscalation").isBoolean() && !sc.path("allowPrivilegeEscalation").asBoolean())
                        .as("%s: allowPrivilegeEscalation: false", where).isTrue();
                assertThat(sc.path("readOnlyRootFilesystem").asBoolean(false)).as("%s: readOnlyRootFilesystem", where).isTrue();
                assertThat(iterable(sc.at("/capabilities/drop")).stream().map(JsonNode::asText)).as("%s: capabilities.drop", where)
                        .containsExactly("ALL");
                assertThat(iterable(sc.at("/capabilities/add")).stream().map(JsonNode::asText).toList()).as("%s: capabilities.add", where)
                        .containsExactlyInAnyOrderElementsOf(capabilities.getOrDefault(id(w), Set.of()));
                if (!capabilities.containsKey(id(w))) {
                    boolean nonRoot = sc.path("runAsNonRoot").asBoolean(pod.at("/securityContext/runAsNonRoot").asBoolean(false));
                    assertThat(nonRoot).as("%s: runAsNonRoot (only the enforcer needs uid 0 for NET_ADMIN)", where).isTrue();
                }
            }
        }
    }

    // ---- helpers

    static List<JsonNode> workloads() {
        return objects.stream().filter(o -> Set.of("Deployment", "DaemonSet", "StatefulSet").contains(kind(o))).toList();
    }

    static List<JsonNode> containers(JsonNode podSpec) {
        List<JsonNode> out = new ArrayList<>(iterable(podSpec.path("containers")));
        out.addAll(iterable(podSpec.path("initContainers")));
        return out;
    }

    static Set<String> portNames(JsonNode container) {
        Set<String> names = new HashSet<>();
        container.path("ports").forEach(p -> names.add(p.path("name").asText()));
        return names;
    }

    static List<JsonNode> selectedWorkloads(String ns, JsonNode matchLabels) {
        Map<String, String> wanted = labels(matchLabels);
        return workloads().stream().filter(w -> namespace(w).equals(ns))
                .filter(w -> matches(wanted, labels(w.at("/spec/template/metadata/labels")))).toList();
    }

    /** matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist) against a pod's labels. */
    static boolean selects(JsonNode selector, Map<String, String> labels) {
        if (!matches(labels(selector.path("matchLabels")), labels)) {
            return false;
        }
        for (JsonNode e : selector.path("matchExpressions")) {
            String key = e.path("key").asText();
            Set<String> values = new HashSet<>();
            e.path("values").forEach(v -> values.add(v.asText()));
            boolean ok = switch (e.path("operator").asText()) {
                case "In" -> values.contains(labels.get(key));
                case "NotIn" -> !values.contains(labels.get(key));
                case "Exists" -> labels.containsKey(key);
                case "DoesNotExist" -> !labels.containsKey(key);
                default -> false;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    static boolean matches(Map<String, String> wanted, Map<String, String> labels) {
        return wanted.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    static Map<String, String> labels(JsonNode node) {
        Map<String, String> out = new HashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    static boolean secretExists(String ns, String name) {
        return exists("Secret", ns, name) || objectsOf("Certificate").stream()
                .anyMatch(c -> namespace(c).equals(ns) && c.at("/spec/secretName").asText().equals(name));
    }

    static boolean exists(String kind, String ns, String name) {
        return find(kind, ns, name).isPresent();
    }

    static Optional<JsonNode> find(String kind, String ns, String name) {
        return objects.stream().filter(o -> kind(o).equals(kind) && namespace(o).equals(ns) && name(o).equals(name)).findFirst();
    }

    static List<JsonNode> objectsOf(String kind) {
        return objects.stream().filter(o -> kind(o).equals(kind)).toList();
    }

    static Set<String> ids() {
        Set<String> out = new TreeSet<>();
        objects.forEach(o -> out.add(id(o)));
        return out;
    }

    static List<JsonNode> iterable(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        for (Iterator<JsonNode> it = array.elements(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }

    static String kind(JsonNode o) {
        return o.path("kind").asText();
    }

    static String name(JsonNode o) {
        return o.at("/metadata/name").asText();
    }

    static String namespace(JsonNode o) {
        return o.at("/metadata/namespace").asText();
    }

    static String id(JsonNode o) {
        return kind(o) + " " + (namespace(o).isEmpty() ? "" : namespace(o) + "/") + name(o);
    }
}
