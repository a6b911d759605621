package dev.netfence.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netfence.crds.CriticalFlow;
import dev.netfence.crds.DefaultDeny;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real AdmissionReview JSON over HTTPS to the running webhook, whose caches are informers on the
 * fabric8 mock API server (CRUD mode). The cluster: kube-system with two CoreDNS pods, shop with
 * web-1/web-2 (app=web) and db-1 (app=db, port "metrics"), monitoring with Prometheus.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class AdmissionWebhookIT {

    static final String WEB_LOSE_DNS = "shop/web-1, shop/web-2 lose critical flow dns ";
    static final String TO_COREDNS = "to kube-system/coredns-a (10.0.0.10), kube-system/coredns-b (10.0.0.11): ";

    @Inject
    KubernetesClient client;

    @Inject
    ClusterCache cache;

    @Inject
    ObjectMapper mapper;

    @TestHTTPResource(value = "/validate", tls = true)
    URL validate;

    @TestHTTPResource(value = "/q/health/ready", tls = true)
    URL ready;

    HttpClient http;

    @BeforeEach
    void cluster() throws Exception {
        http = HttpClient.newBuilder().sslContext(trustTestCertificate()).connectTimeout(Duration.ofSeconds(5)).build();
        if (client.namespaces().withName("shop").get() == null) {
            for (String ns : List.of("kube-system", "shop", "monitoring", "billing")) {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
            }
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("leaving")
                    .withDeletionTimestamp("2026-11-26T22:00:00Z").endMetadata().withNewStatus().withPhase("Terminating")
                    .endStatus().build()).create();
            create(pod("kube-system", "coredns-a", "10.0.0.10", Map.of("k8s-app", "kube-dns")));
            create(pod("kube-system", "coredns-b", "10.0.0.11", Map.of("k8s-app", "kube-dns")));
            create(pod("shop", "web-1", "10.0.1.1", Map.of("app", "web")));
            create(pod("shop", "web-2", "10.0.1.2", Map.of("app", "web")));
            create(pod("shop", "db-1", "10.0.1.3", Map.of("app", "db")));
            create(pod("monitoring", "prometheus-0", "10.0.2.1", Map.of("app", "prometheus")));
            create(pod("billing", "api-1", "10.0.4.1", Map.of("app", "api")));
            create(pod("leaving", "app-1", "10.0.3.1", Map.of("app", "x")));
            // shop keeps DNS through allow-dns while web-egress restricts web's egress
            create(policy("allow-dns.yaml"));
            create(policy("web-egress.yaml"));
            create(policy("leaving-allow-dns.yaml"));
            create(Serialization.unmarshal(resource("prometheus-scrape.yaml"), CriticalFlow.class));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> cache.synced()
                && cache.view().snapshot().pods().size() == 8
                && cache.view().snapshot().policiesInNamespace("shop").size() == 2
                && cache.view().criticalFlows().size() == 1);
    }

    @Test
    void readyOnceCachesAreSynced() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(ready.toURI()).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("informer-caches").contains("UP");
    }

    @Test
    void createThatCutsDnsIsDeniedWithWhoWhyAndFix() throws Exception {
        JsonNode r = review("CREATE", false, policy("api-lockdown.yaml"), null);
        assertThat(r.at("/response/allowed").asBoolean()).isFalse();
        assertThat(r.at("/response/status/code").asInt()).isEqualTo(403);
        assertThat(r.at("/response/status/message").asText()).isEqualTo("""
                netfence refuses to create NetworkPolicy billing/api-lockdown:
                - critical-flow spec.egress: billing/api-1 loses critical flow dns (UDP/53, TCP/53) %stheir egress is isolated by \
                NetworkPolicy billing/api-lockdown and no egress rule allows it
                  fix:
                    # append this rule to the policy's spec.egress list, keeping the rules it has
                    spec:
                      egress:
                      - to:
                        - namespaceSelector:
                            matchLabels:
                              kubernetes.io/metadata.name: kube-system
                          podSelector:
                            matchLabels:
                              k8s-app: kube-dns
                        ports:
                        - protocol: UDP
                          port: 53
                        - protocol: TCP
                          port: 53""".formatted(TO_COREDNS));
    }

    @Test
    void policiesOfTheNamespaceAreJudgedTogether() throws Exception {
        // db's egress is cut to app=web only, but allow-dns (podSelector {}) keeps DNS for every pod of shop
        NetworkPolicy dbLockdown = policy("api-lockdown.yaml");
        dbLockdown.getMetadata().setNamespace("shop");
        dbLockdown.getSpec().getPodSelector().setMatchLabels(Map.of("app", "db"));
        JsonNode r = review("CREATE", false, dbLockdown, null);
        assertThat(r.at("/response/allowed").asBoolean()).isTrue();
        assertThat(r.at("/response/warnings").isMissingNode()).isTrue();
    }

    @Test
    void dryRunIsJudgedTheSame() throws Exception {
        JsonNode real = review("CREATE", false, policy("api-lockdown.yaml"), null);
        JsonNode dry = review("CREATE", true, policy("api-lockdown.yaml"), null);
        assertThat(dry.at("/response/allowed").asBoolean()).isFalse();
        assertThat(dry.at("/response/status")).isEqualTo(real.at("/response/status"));
    }

    @Test
    void udpKeptTcpCutIsAllowedWithAShortWarning() throws Exception {
        JsonNode r = review("CREATE", false, policy("api-udp-dns-only.yaml"), null);
        assertThat(r.at("/response/allowed").asBoolean()).isTrue();
        assertThat(r.at("/response/status").isMissingNode()).isTrue();
        List<String> warnings = mapper.convertValue(r.at("/response/warnings"), List.class);
        assertThat(warnings).containsExactly("spec.egress: billing/api-1 loses dns (TCP/53) to 2 destinations (egress isolated)");
    }

    @Test
    void allowCutAnnotationIsAWarning() throws Exception {
        NetworkPolicy np = policy("api-lockdown.yaml");
        np.getMetadata().setAnnotations(Map.of("netfence.dev/allow-cut", "dns"));
        JsonNode r = review("CREATE", false, np, null);
        assertThat(r.at("/response/allowed").asBoolean()).isTrue();
        assertThat(r.at("/response/warnings/0").asText())
                .isEqualTo("spec.egress: allow-cut: billing/api-1 loses dns (UDP/53, TCP/53) to 2 destinations (egress isolated)");
    }

    @Test
    void updateThatDropsTheDnsRuleIsDenied() throws Exception {
        NetworkPolicy old = policy("allow-dns.yaml");
        NetworkPolicy updated = policy("allow-dns.yaml");
        updated.getSpec().getEgress().get(0).getPorts().remove(0);   // keeps TCP/53 only
        JsonNode r = review("UPDATE", false, updated, old);
        assertThat(r.at("/response/allowed").asBoolean()).isFalse();
        assertThat(r.at("/response/status/message").asText()).startsWith("""
                netfence refuses to update NetworkPolicy shop/allow-dns:
                - critical-flow spec.egress: shop/db-1, shop/web-1, shop/web-2 lose critical flow dns (UDP/53) %stheir egress is \
                isolated by NetworkPolicy shop/allow-dns, NetworkPolicy shop/web-egress and no egress rule allows it\
                """.formatted(TO_COREDNS));
    }

    @Test
    void deletingThePolicyThatAllowedDnsIsDeniedUsingOldObject() throws Exception {
        JsonNode r = review("DELETE", false, null, policy("allow-dns.yaml"));
        assertThat(r.at("/response/allowed").asBoolean()).isFalse();
        assertThat(r.at("/response/status/code").asInt()).isEqualTo(403);
        assertThat(r.at("/response/status/message").asText()).startsWith("""
                netfence refuses to delete NetworkPolicy shop/allow-dns:
                - critical-flow spec.egress[0]: %s(UDP/53, TCP/53) %stheir egress is isolated by NetworkPolicy \
                shop/web-egress and no egress rule allows it; deleting NetworkPolicy shop/allow-dns removes spec.egress[0], \
                which allowed it
                  fix (keep it, or create this policy first):
                    apiVersion: networking.k8s.io/v1
                    kind: NetworkPolicy""".formatted(WEB_LOSE_DNS, TO_COREDNS));
    }

    @Test
    void deletingAHarmlessPolicyIsAllowed() throws Exception {
        JsonNode r = review("DELETE", true, null, policy("web-egress.yaml"));
        assertThat(r.at("/response/allowed").asBoolean()).isTrue();
        assertThat(r.at("/response/warnings").isMissingNode()).isTrue();
    }

    @Test
    void aNamespaceBeingDeletedIsNeverBlocked() throws Exception {
        JsonNode r = review("DELETE", false, null, policy("leaving-allow-dns.yaml"));
        assertThat(r.at("/response/allowed").asBoolean()).isTrue();
    }

    @Test
    void defaultDenyWithoutDnsIsDenied() throws Exception {
        DefaultDeny dd = Serialization.unmarshal("""
                apiVersion: netfence.dev/v1alpha1
                kind: DefaultDeny
                metadata: {name: default-deny, namespace: monitoring}
                spec: {allowDNS: false, policyTypes: [Egress]}
                """, DefaultDeny.class);
        JsonNode r = review("CREATE", false, dd, null);
        assertThat(r.at("/response/allowed").asBoolean()).isFalse();
        assertThat(r.at("/response/status/message").asText()).isEqualTo("""
                netfence refuses to create DefaultDeny monitoring/default-deny:
                - critical-flow spec.allowDNS: monitoring/prometheus-0 loses critical flow dns (UDP/53, TCP/53) %stheir egress \
                is isolated by DefaultDeny monitoring/default-deny and no egress rule allows it
                  fix:
                    spec:
                      allowDNS: true
                - critical-flow spec.policyTypes: monitoring/prometheus-0 loses critical flow prometheus-scrape (TCP/metrics) \
                to shop/db-1 (10.0.1.3): their egress is isolated by DefaultDeny monitoring/default-deny and no egress rule \
                allows it
                  fix:
                    apiVersion: networking.k8s.io/v1
                    kind: NetworkPolicy
                    metadata:
                      name: allow-prometheus-scrape-egress
                      namespace: monitoring
                    spec:
                      podSelector: {}
                      policyTypes:
                      - Egress
                      egress:
                      - to:
                        - namespaceSelector: {}
                          podSelector: {}
                        ports:
                        - protocol: TCP
                          port: metrics""".formatted(TO_COREDNS));
    }

    @Test
    void declaredCriticalFlowIsEnforced() throws Exception {
        JsonNode r = review("CREATE", false, policy("db-ingress-from-web.yaml"), null);
        assertThat(r.at("/response/allowed").asBoolean()).isFalse();
        assertThat(r.at("/response/status/message").asText()).contains("- critical-flow spec.ingress: monitoring/prometheus-0 "
                + "loses critical flow prometheus-scrape (TCP/metrics) to shop/db-1 (10.0.1.3): the destination's ingress is "
                + "isolated by NetworkPolicy shop/db-ingress and no ingress rule allows it");
    }

    @Test
    void otherKindsAreAllowedUntouched() throws Exception {
        ObjectNode body = envelope("CREATE", false, null, null);
        ((ObjectNode) body.get("request")).putObject("kind").put("group", "").put("version", "v1").put("kind", "ConfigMap");
        JsonNode r = mapper.readTree(post(body.toString()).body());
        assertThat(r.at("/response/allowed").asBoolean()).isTrue();
    }

    @Test
    void malformedRequestsGet400WithAReason() throws Exception {
        assertBadRequest("{not json", "the body is not JSON");
        assertBadRequest("", "empty body");
        assertBadRequest("[1,2]", "the body is not a JSON object");
        assertBadRequest("{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\",\"request\":{}}",
                "expected apiVersion admission.k8s.io/v1 and kind AdmissionReview, got apiVersion \"admission.k8s.io/v1beta1\"");
        assertBadRequest("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}", "request: required object is missing");
        ObjectNode noUid = envelope("CREATE", false, policy("api-lockdown.yaml"), null);
        ((ObjectNode) noUid.get("request")).remove("uid");
        assertBadRequest(noUid.toString(), "request.uid: required");
        assertBadRequest(envelope("DELETE", false, null, null).toString(), "request.oldObject: required for this operation");
        ObjectNode badSpec = envelope("CREATE", false, policy("api-lockdown.yaml"), null);
        ((ObjectNode) badSpec.at("/request/object")).put("spec", "everything");
        assertBadRequest(badSpec.toString(), "request.object is not a NetworkPolicy: ");
        ObjectNode badOp = envelope("PATCH", false, policy("api-lockdown.yaml"), null);
        assertBadRequest(badOp.toString(), "request.operation: \"PATCH\" is not CREATE, UPDATE, DELETE or CONNECT");
    }

    private void assertBadRequest(String body, String reason) throws Exception {
        HttpResponse<String> r = post(body);
        assertThat(r.statusCode()).as(body).isEqualTo(400);
        assertThat(r.body()).as(body).contains(reason);
    }

    // --- helpers -----------------------------------------------------------------------------

    private JsonNode review(String op, boolean dryRun, HasMetadata object, HasMetadata oldObject) throws Exception {
        ObjectNode body = envelope(op, dryRun, object, oldObject);
        String uid = body.at("/request/uid").asText();
        HttpResponse<String> r = post(body.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode json = mapper.readTree(r.body());
        assertThat(json.at("/apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
        assertThat(json.at("/kind").asText()).isEqualTo("AdmissionReview");
        assertThat(json.at("/response/uid").asText()).isEqualTo(uid);
        return json;
    }

    private ObjectNode envelope(String op, boolean dryRun, HasMetadata object, HasMetadata oldObject) {
        HasMetadata any = object != null ? object : oldObject;
        ObjectNode review = mapper.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode req = review.putObject("request");
        req.put("uid", UUID.randomUUID().toString());
        boolean dd = any instanceof DefaultDeny;
        req.putObject("kind").put("group", dd ? "netfence.dev" : "networking.k8s.io").put("version", dd ? "v1alpha1" : "v1")
                .put("kind", dd ? "DefaultDeny" : "NetworkPolicy");
        req.putObject("resource").put("group", dd ? "netfence.dev" : "networking.k8s.io")
                .put("version", dd ? "v1alpha1" : "v1").put("resource", dd ? "defaultdenies" : "networkpolicies");
        if (any != null) {
            req.put("name", any.getMetadata().getName());
            req.put("namespace", any.getMetadata().getNamespace());
        } else {
            req.put("namespace", "shop");
        }
        req.put("operation", op);
        req.putObject("userInfo").put("username", "alice");
        req.set("object", object == null ? null : mapper.valueToTree(object));
        req.set("oldObject", oldObject == null ? null : mapper.valueToTree(oldObject));
        req.put("dryRun", dryRun);
        return review;
    }

    private HttpResponse<String> post(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(validate.toURI()).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void create(HasMetadata o) {
        client.resource(o).create();
    }

    static Pod pod(String ns, String name, String ip, Map<String, String> labels) {
        Pod pod = new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withNodeName("node-1").addNewContainer().withName("main").withImage("example").endContainer()
                .endSpec().withNewStatus().withPodIP(ip).addNewPodIP(ip).endStatus().build();
        if ("db".equals(labels.get("app"))) {   // only the database exposes metrics
            pod.getSpec().getContainers().get(0).getPorts().add(new io.fabric8.kubernetes.api.model.ContainerPortBuilder()
                    .withName("metrics").withContainerPort(9187).build());
        }
        return pod;
    }

    static NetworkPolicy policy(String file) {
        return Serialization.unmarshal(resource("policies/" + file), NetworkPolicy.class);
    }

    static InputStream resource(String path) {
        return AdmissionWebhookIT.class.getResourceAsStream("/" + path);
    }

    static SSLContext trustTestCertificate() throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = resource("tls/tls.crt")) {
            ks.setCertificateEntry("webhook", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
