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
@WithKubernetesTestServer(crud = true, setup = AdmissionWebhookIT.ServesClusterNetworkPolicies.class)
class AdmissionWebhookIT {

    /**
     * Runs before the application starts: the cluster serves ClusterNetworkPolicy v1beta1 (the CRD generated from
     * crds/' classes, as upstream's CRD would be installed), so the webhook's start-up check finds it and watches them.
     */
    public static class ServesClusterNetworkPolicies implements java.util.function.Consumer<io.quarkus.test.kubernetes.client.KubernetesServer> {
        @Override
        public void accept(io.quarkus.test.kubernetes.client.KubernetesServer server) {
            KubernetesClient c = server.getClient();   // the server's own client: not ours to close
            try (InputStream in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(
                         "../crds/target/test-crds/clusternetworkpolicies.policy.networking.k8s.io-v1.yml"))) {
                c.resource(c.getKubernetesSerialization().unmarshal(in,
                        io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition.class)).create();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    static final String WEB_LOSE_DNS = "shop/web-1, shop/web-2 lose critical flow dns ";
    static final String TO_COREDNS = "to kube-system/coredns-a (10.0.0.10), kube-system/coredns-b (10.0.0.11): ";

    @Inject
    KubernetesClient client;

    @Inject
    ClusterViewPublisher views;

    @Inject
    dev.netfence.cluster.ClusterModel model;

    @Inject
    ObjectMapper mapper;

    @TestHTTPResource(value = "/validate", tls = true)
    URL validate;

    @TestHTTPResource(value = "/q/health/ready", tls = true)
    URL ready;

    @TestHTTPResource(value = "/q/metrics", tls = true)
    URL metrics;

    /** A developer, and a member of the group the test configuration allows to cut (application.properties). */
    static final List<String> USER = List.of("system:authenticated");
    static final List<String> ADMIN = List.of("system:authenticated", "netfence:policy-admins");

    /** One client (one TLS connection) for all tests: a handshake per test on a busy 2-core machine risks the connect timeout. */
    static HttpClient http;

    @BeforeEach
    void cluster() throws Exception {
        if (http == null) {
            http = HttpClient.newBuilder().sslContext(trustTestCertificate()).connectTimeout(Duration.ofSeconds(20)).build();
        }
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
        await().atMost(Duration.ofSeconds(20)).until(() -> views.synced()
                && views.view().snapshot().pods().size() == 8
                && views.view().snapshot().policiesInNamespace("shop").size() == 2
                && views.view().criticalFlows().size() == 1);
    }

    @Inject
    WebhookSettings settings;

    /** The demo constructs the judge with WebhookSettings.DEFAULT: the application's defaults must be those. */
    @Test
    void theApplicationsDefaultsAreTheCoresDefaults() {
        assertThat(settings.withAllowCutGroups(java.util.Set.of())).isEqualTo(WebhookSettings.DEFAULT);
        assertThat(settings.allowCutGroups()).containsExactly("netfence:policy-admins");   // set by the test profile
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
    void allowCutAnnotationFromAMemberOfAnAllowedGroupIsAWarning() throws Exception {
        NetworkPolicy np = policy("api-lockdown.yaml");
        np.getMetadata().setAnnotations(Map.of("netfence.dev/allow-cut", "dns"));
        JsonNode r = review("CREATE", false, np, null, ADMIN);
        assertThat(r.at("/response/allowed").asBoolean()).isTrue();
        assertThat(r.at("/response/warnings/0").asText())
                .isEqualTo("spec.egress: allow-cut: billing/api-1 loses dns (UDP/53, TCP/53) to 2 destinations (egress isolated)");
    }

    /** Issue 10, finding 4: the annotation was honoured from anyone who can write the policy. */
    @Test
    void allowCutAnnotationFromAnyoneElseIsRefusedWithTheReason() throws Exception {
        NetworkPolicy np = policy("api-lockdown.yaml");
        np.getMetadata().setAnnotations(Map.of("netfence.dev/allow-cut", "dns"));
        JsonNode r = review("CREATE", false, np, null);   // alice, groups system:authenticated only
        assertThat(r.at("/response/allowed").asBoolean()).isFalse();
        String message = r.at("/response/status/message").asText();
        assertThat(message).startsWith("netfence refuses to create NetworkPolicy billing/api-lockdown:\n"
                + "- critical-flow spec.egress: billing/api-1 loses critical flow dns (UDP/53, TCP/53)");
        assertThat(message).endsWith("the annotation netfence.dev/allow-cut was not honoured: user \"alice\" is in no group "
                + "allowed to cut critical flows (netfence.webhook.allow-cut-groups; configured: netfence:policy-admins); "
                + "ask a member of one to apply it");
    }

    /** Issue 10, finding 4: kube-system was excluded from review, yet a policy there can cut DNS for every pod. */
    @Test
    void aPolicyInKubeSystemThatIsolatesCoreDnsIsRefused() throws Exception {
        NetworkPolicy np = Serialization.unmarshal("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: coredns-lockdown, namespace: kube-system}
                spec:
                  podSelector: {matchLabels: {k8s-app: kube-dns}}
                  policyTypes: [Ingress]
                  ingress:
                  - from:
                    - podSelector: {}
                """, NetworkPolicy.class);
        JsonNode r = review("CREATE", false, np, null);
        assertThat(r.at("/response/allowed").asBoolean()).isFalse();
        assertThat(r.at("/response/status/message").asText())
                .startsWith("netfence refuses to create NetworkPolicy kube-system/coredns-lockdown:\n- critical-flow spec.ingress: ")
                .contains("shop/web-1").contains("lose critical flow dns");
    }

    /** Issue 10, finding 4: a CriticalFlow named dns silently replaced the built-in DNS check. */
    @Test
    void aCriticalFlowNamedDnsExtendsTheBuiltInCheckAndNeverReplacesIt() throws Exception {
        CriticalFlow nodeLocal = Serialization.unmarshal("""
                apiVersion: netfence.dev/v1alpha1
                kind: CriticalFlow
                metadata: {name: dns}
                spec:
                  description: NodeLocal DNSCache only (would drop the CoreDNS pods from the check if it replaced it)
                  destination: {ips: [169.254.20.10]}
                  ports: [{port: 53, protocol: UDP}]
                """, CriticalFlow.class);
        JsonNode admitted = review("CREATE", false, nodeLocal, null);
        assertThat(admitted.at("/response/allowed").asBoolean()).isTrue();
        assertThat(admitted.at("/response/warnings/0").asText())
                .isEqualTo("CriticalFlow dns extends the built-in DNS check; only netfence.webhook.dns.check=false turns that off");
        create(nodeLocal);
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> views.view().criticalFlows().size() == 2);
            JsonNode r = review("CREATE", false, policy("api-lockdown.yaml"), null);
            assertThat(r.at("/response/allowed").asBoolean()).isFalse();
            assertThat(r.at("/response/status/message").asText())
                    .contains("billing/api-1 loses critical flow dns (UDP/53, TCP/53) " + TO_COREDNS)
                    .contains("billing/api-1 loses critical flow dns (UDP/53) to address 169.254.20.10");
        } finally {
            client.resource(nodeLocal).delete();
            await().atMost(Duration.ofSeconds(20)).until(() -> views.view().criticalFlows().size() == 1);
        }
    }

    @Test
    void anInvalidCriticalFlowIsRefusedWithTheField() throws Exception {
        CriticalFlow noPorts = Serialization.unmarshal("""
                apiVersion: netfence.dev/v1alpha1
                kind: CriticalFlow
                metadata: {name: nothing}
                spec:
                  destination: {ips: [10.0.0.0/8]}
                  ports: [{port: 53}]
                """, CriticalFlow.class);
        JsonNode r = review("CREATE", false, noPorts, null);
        assertThat(r.at("/response/allowed").asBoolean()).isFalse();
        assertThat(r.at("/response/status/message").asText()).startsWith("netfence refuses CriticalFlow nothing: "
                + "spec.destination.ips[0]: \"10.0.0.0/8\" is not an IP address");
    }

    /** Issue 9: one bad stored object made every analysis throw, answered 400: with failurePolicy Fail, a cluster-wide refusal. */
    @Test
    void malformedObjectsInKubeSystemDoNotBlockAnUnrelatedChange() throws Exception {
        NetworkPolicy broken = Serialization.unmarshal("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: broken, namespace: kube-system}
                spec:
                  podSelector: {}
                  policyTypes: [Egress]
                  egress:
                  - to:
                    - ipBlock: {cidr: 10.0.0.0/99}
                """, NetworkPolicy.class);
        Pod badIp = pod("kube-system", "bad-ip", "not-an-ip", Map.of("k8s-app", "kube-dns"));
        create(broken);
        create(badIp);
        try {
            // the API server (here the mock, which does not validate) stored them; the model refused them
            await().atMost(Duration.ofSeconds(20)).until(() -> model.invalid("NetworkPolicy", "kube-system", "broken") != null
                    && model.invalid("Pod", "kube-system", "bad-ip") != null && views.view().version() == model.version());
            NetworkPolicy dbLockdown = policy("api-lockdown.yaml");
            dbLockdown.getMetadata().setNamespace("shop");
            dbLockdown.getSpec().getPodSelector().setMatchLabels(Map.of("app", "db"));
            JsonNode r = review("CREATE", false, dbLockdown, null);
            assertThat(r.at("/response/allowed").asBoolean()).isTrue();
            assertThat(views.view().snapshot().policiesInNamespace("kube-system")).isEmpty();
            assertThat(views.view().snapshot().pod("kube-system", "bad-ip")).isEmpty();
        } finally {
            client.resource(broken).delete();
            client.resource(badIp).delete();
        }
    }

    /** The operator's realization annotation (and any metadata-only update) changes no flow: admitted unanalysed. */
    @Test
    void aMetadataOnlyUpdateIsAdmitted() throws Exception {
        NetworkPolicy old = policy("allow-dns.yaml");
        NetworkPolicy annotated = policy("allow-dns.yaml");
        annotated.getMetadata().setAnnotations(Map.of("netfence.dev/realization", "Enforced: 2/2 nodes, 3 pods"));
        JsonNode r = review("UPDATE", false, annotated, old);
        assertThat(r.at("/response/allowed").asBoolean()).isTrue();
        assertThat(r.at("/response/warnings").isMissingNode()).isTrue();
    }

    /** Issue 10, finding 6: policies with tens of thousands of rules took seconds each, against a 5 s API server timeout. */
    @Test
    void tooManyRulesAreRefusedBeforeParsingWithTheLimit() throws Exception {
        for (int rules : new int[] {1_001, 20_000}) {
            NetworkPolicy np = policy("web-egress.yaml");
            var rule = np.getSpec().getEgress().get(0);
            np.getSpec().setEgress(java.util.Collections.nCopies(rules, rule));
            JsonNode r = review("CREATE", false, np, null);
            assertThat(r.at("/response/allowed").asBoolean()).isFalse();
            assertThat(r.at("/response/status/code").asInt()).isEqualTo(413);
            assertThat(r.at("/response/status/message").asText()).isEqualTo("netfence refuses to judge this object: "
                    + "request.object.spec has more than 1000 ingress and egress rules, the most netfence judges "
                    + "(netfence.webhook.limits.max-rules); split the policy or merge rules that share peers");
        }
    }

    /** Issue 10, finding 6: four concurrent 1.15 MB policies exhausted the heap (HTTP 500). */
    @Test
    void anOversizedRequestIsRefusedUnreadAndConcurrentLargeOnesGetAnswers() throws Exception {
        NetworkPolicy huge = policy("web-egress.yaml");
        huge.getMetadata().setAnnotations(Map.of("padding", "x".repeat(3_300_000)));
        JsonNode r = review("CREATE", false, huge, null);
        assertThat(r.at("/response/allowed").asBoolean()).isFalse();
        assertThat(r.at("/response/status/message").asText()).startsWith("netfence refuses to judge this object: "
                + "the AdmissionReview is ").endsWith("bytes, more than the 3145728 bytes netfence judges "
                + "(netfence.webhook.limits.max-request-bytes)");

        // four ~1.15 MB policies at once (under the limits: 900 rules with many peers each) all get a 200 answer
        NetworkPolicy big = policy("web-egress.yaml");
        var rule = big.getSpec().getEgress().get(0);
        big.getMetadata().setAnnotations(Map.of("padding", "y".repeat(1_100_000)));
        big.getSpec().setEgress(java.util.Collections.nCopies(900, rule));
        String body = envelope("CREATE", false, big, null, USER).toString();
        assertThat(body.length()).isBetween(1_100_000, 1_400_000);
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> all = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            all.add(http.sendAsync(request(body.replaceFirst("\"uid\":\"[^\"]+\"", "\"uid\":\"big-" + i + "\"")),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (var f : all) {
            HttpResponse<String> resp = f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
            assertThat(mapper.readTree(resp.body()).at("/response/uid").asText()).startsWith("big-");
        }
    }

    @Test
    void badInputIsOneWarnLineWithTheUidAndNoStackTrace() throws Exception {
        java.util.List<java.util.logging.LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(AdmissionReviewHandler.class.getName());
        logger.addHandler(handler);
        try {
            ObjectNode badSpec = envelope("CREATE", false, policy("api-lockdown.yaml"), null, USER);
            ((ObjectNode) badSpec.at("/request/object")).put("spec", "everything");
            String uid = badSpec.at("/request/uid").asText();
            assertThat(post(badSpec.toString()).statusCode()).isEqualTo(400);
            ObjectNode nullRules = envelope("CREATE", false, policy("api-lockdown.yaml"), null, USER);
            ((ObjectNode) nullRules.at("/request/object/spec")).putArray("egress").addNull().addObject().putArray("to").addNull();
            assertThat(post(nullRules.toString()).statusCode()).isIn(200, 400);
            await().atMost(Duration.ofSeconds(5)).until(() -> records.size() >= 2);
            assertThat(records).allSatisfy(rec -> {
                assertThat(rec.getThrown()).isNull();
                assertThat(rec.getLevel()).isEqualTo(java.util.logging.Level.WARNING);
            });
            assertThat(records.get(0).getMessage() + java.util.Arrays.toString(records.get(0).getParameters())).contains(uid);
        } finally {
            logger.removeHandler(handler);
        }
    }

    @Test
    void metricsCountRequestsDecisionsAndLatency() throws Exception {
        review("CREATE", false, policy("api-lockdown.yaml"), null);
        review("CREATE", false, policy("api-udp-dns-only.yaml"), null);
        HttpResponse<String> m = http.send(HttpRequest.newBuilder(metrics.toURI()).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(m.statusCode()).isEqualTo(200);
        assertThat(m.body()).contains("netfence_webhook_requests_total")
                .containsPattern("netfence_webhook_decisions_total\\{decision=\"denied\"[^}]*} [1-9]")
                .containsPattern("netfence_webhook_decisions_total\\{decision=\"warned\"[^}]*} [1-9]")
                .contains("netfence_webhook_decisions_total{decision=\"allowed\"")
                .contains("netfence_webhook_decisions_total{decision=\"error\"")
                .contains("netfence_webhook_latency_seconds_bucket");
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

    static final String DNS_GUARD = """
            apiVersion: policy.networking.k8s.io/v1beta1
            kind: ClusterNetworkPolicy
            metadata: {name: dns-guard}
            spec:
              tier: Admin
              priority: 10
              subject: {namespaces: {}}
              egress:
              - name: dns
                action: Accept
                to:
                - pods:
                    namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
                    podSelector: {matchLabels: {k8s-app: kube-dns}}
                protocols:
                - udp: {destinationPort: {number: 53}}
                - tcp: {destinationPort: {number: 53}}
            """;

    /**
     * Issue 16: the webhook's model holds the ClusterNetworkPolicies it watches. With an Admin Accept for DNS in the
     * cluster, a NetworkPolicy that isolates billing/api-1's egress no longer cuts DNS (the Admin tier decides first),
     * so the change refused without the guard rail is admitted; once the guard rail is deleted it is refused again.
     */
    @Test
    void anAdminDnsGuardRailInTheClusterMakesANetworkPolicyThatIsolatesEgressSafe() throws Exception {
        dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy guard =
                Serialization.unmarshal(DNS_GUARD, dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy.class);
        try {
            create(guard);
            await().atMost(Duration.ofSeconds(20)).until(() -> views.view().snapshot().clusterPolicy("dns-guard").isPresent());
            JsonNode r = review("CREATE", false, policy("api-lockdown.yaml"), null);
            assertThat(r.at("/response/allowed").asBoolean()).as(r.toString()).isTrue();
        } finally {
            client.resources(dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy.class).withName("dns-guard").delete();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> views.view().snapshot().clusterPolicy("dns-guard").isEmpty());
        JsonNode r = review("CREATE", false, policy("api-lockdown.yaml"), null);
        assertThat(r.at("/response/allowed").asBoolean()).isFalse();
        assertThat(r.at("/response/status/message").asText()).contains("billing/api-1 loses critical flow dns");
    }

    /** Issue 16: a ClusterNetworkPolicy CREATE over HTTPS is judged like a NetworkPolicy: an Admin Deny cutting DNS is refused. */
    @Test
    void aClusterNetworkPolicyThatCutsDnsIsRefusedOverHttps() throws Exception {
        dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy lockdown = Serialization.unmarshal("""
                apiVersion: policy.networking.k8s.io/v1beta1
                kind: ClusterNetworkPolicy
                metadata: {name: billing-lockdown}
                spec:
                  tier: Admin
                  priority: 5
                  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: billing}}}
                  egress:
                  - name: deny-all
                    action: Deny
                    to: [{networks: [0.0.0.0/0]}]
                """, dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy.class);
        JsonNode r = review("CREATE", false, lockdown, null);
        assertThat(r.at("/response/allowed").asBoolean()).isFalse();
        assertThat(r.at("/response/status/code").asInt()).isEqualTo(403);
        assertThat(r.at("/response/status/message").asText())
                .contains("ClusterNetworkPolicy billing-lockdown")
                .contains("billing/api-1 loses critical flow dns");
        // the same guard rail with DNS accepted first is admitted
        lockdown.getSpec().egress.add(0, Serialization.unmarshal(DNS_GUARD,
                dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy.class).getSpec().egress.get(0));
        JsonNode ok = review("CREATE", false, lockdown, null);
        assertThat(ok.at("/response/allowed").asBoolean()).as(ok.toString()).isTrue();
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
        assertBadRequest(badSpec.toString(), "request.object is not a NetworkPolicy: spec: a value of the wrong type");
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
        return review(op, dryRun, object, oldObject, USER);
    }

    private JsonNode review(String op, boolean dryRun, HasMetadata object, HasMetadata oldObject, List<String> groups)
            throws Exception {
        ObjectNode body = envelope(op, dryRun, object, oldObject, groups);
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
        return envelope(op, dryRun, object, oldObject, USER);
    }

    private ObjectNode envelope(String op, boolean dryRun, HasMetadata object, HasMetadata oldObject, List<String> groups) {
        HasMetadata any = object != null ? object : oldObject;
        ObjectNode review = mapper.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode req = review.putObject("request");
        req.put("uid", UUID.randomUUID().toString());
        boolean dd = any instanceof DefaultDeny;
        boolean cf = any instanceof CriticalFlow;
        boolean cnp = any instanceof dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy;
        boolean ours = dd || cf;
        String group = ours ? "netfence.dev" : cnp ? "policy.networking.k8s.io" : "networking.k8s.io";
        String version = ours ? "v1alpha1" : cnp ? "v1beta1" : "v1";
        req.putObject("kind").put("group", group).put("version", version)
                .put("kind", dd ? "DefaultDeny" : cf ? "CriticalFlow" : cnp ? "ClusterNetworkPolicy" : "NetworkPolicy");
        req.putObject("resource").put("group", group).put("version", version)
                .put("resource", dd ? "defaultdenies" : cf ? "criticalflows" : cnp ? "clusternetworkpolicies" : "networkpolicies");
        if (any != null) {
            req.put("name", any.getMetadata().getName());
            if (!cf && !cnp) {
                req.put("namespace", any.getMetadata().getNamespace());
            }
        } else {
            req.put("namespace", "shop");
        }
        req.put("operation", op);
        ObjectNode user = req.putObject("userInfo").put("username", "alice");
        groups.forEach(user.putArray("groups")::add);
        req.set("object", object == null ? null : mapper.valueToTree(object));
        req.set("oldObject", oldObject == null ? null : mapper.valueToTree(oldObject));
        req.put("dryRun", dryRun);
        return review;
    }

    private HttpResponse<String> post(String body) throws Exception {
        return http.send(request(body), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String body) throws Exception {
        return HttpRequest.newBuilder(validate.toURI()).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
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
