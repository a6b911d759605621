package dev.netfence.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netfence.crds.DefaultDeny;
import dev.netfence.crds.manifest.ManifestLoader;
import dev.netfence.crds.manifest.Manifests;
import dev.netfence.lab.Lab;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/**
 * The webhook image as its Deployment runs it (non-root, no capability, read-only root,
 * RuntimeDefault seccomp), with its serving certificate mounted where the Deployment mounts the
 * Secret netfence-webhook-tls (files tls.crt and tls.key, mode 0644 as a Secret volume has them),
 * its cluster view from the mock API server holding the demo's shop: over HTTPS it becomes ready, then
 * answers an AdmissionReview at the path the ValidatingWebhookConfiguration names, refusing demo step
 * 4 (DNS cut) with the reason and allowing the unchanged object.
 */
@EnableKubernetesMockClient(crud = true)
class WebhookImageIT {
    static final int API_PORT = 6443;
    static final ObjectMapper JSON = new ObjectMapper();

    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void theWebhookImageAnswersAdmissionReviewsOverTlsWithTheMountedCertificate() throws Exception {
        assumeTrue(Podman.unavailableReason().isEmpty(), () -> "skipped: " + Podman.unavailableReason().orElse(""));
        assumeTrue(Lab.prerequisitesMissing().isEmpty(), () -> "skipped: " + Lab.prerequisitesMissing().orElse(""));
        assumeTrue(InstallBundle.unavailableReason().isEmpty(), () -> "skipped: " + InstallBundle.unavailableReason().orElse(""));
        BuiltImages.ensure();
        InstallBundle bundle = InstallBundle.render();
        BundleContainer webhook = new BundleContainer(bundle, "netfence-webhook", "webhook");
        ValidatingWebhookConfiguration configuration = bundle.objects().stream()
                .filter(ValidatingWebhookConfiguration.class::isInstance).map(ValidatingWebhookConfiguration.class::cast)
                .findFirst().orElseThrow();
        String path = configuration.getWebhooks().get(0).getClientConfig().getService().getPath();
        int servicePort = configuration.getWebhooks().get(0).getClientConfig().getService().getPort() == null ? 443
                : configuration.getWebhooks().get(0).getClientConfig().getService().getPort();

        MockCluster.installCrds(client);
        Manifests demo = MockCluster.demo();
        MockCluster.createDemo(client, demo);
        Path serviceAccount = MockCluster.serviceAccount(Files.createTempDirectory("nf-webhook-sa"), server, "netfence-system");
        Volume tlsVolume = webhook.pod().getVolumes().stream().filter(v -> v.getSecret() != null).findFirst().orElseThrow();
        Path tls = secretVolume(tlsVolume.getSecret().getSecretName());

        String name = null;
        try (PodNamespace pod = new PodNamespace();
                LoopbackForward api = LoopbackForward.open(pod.executor, API_PORT, null, server.getPort())) {
            name = pod.name + "-webhook";
            long started = System.nanoTime();
            Podman.podman(webhook.runArguments(name, pod.network(), Map.of("metadata.namespace", "netfence-system"),
                    Map.of(tlsVolume.getSecret().getSecretName(), tls), serviceAccount, MockCluster.API_HOST, API_PORT));
            String container = name;
            HTTPGetAction ready = webhook.readiness();
            assertThat(ready.getScheme()).isEqualTo("HTTPS");
            int port = webhook.port(ready.getPort());
            // the Service's targetPort is the container port the probes use
            assertThat(servicePort).isPositive();
            try (LoopbackForward https = LoopbackForward.open(null, 0, pod.executor, port)) {
                HttpClient http = HttpClient.newBuilder().sslContext(trusting(tls.resolve("tls.crt")))
                        .connectTimeout(Duration.ofSeconds(10)).build();
                String base = "https://127.0.0.1:" + https.port();
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                        .failFast(() -> Podman.assertRunning(container))
                        .ignoreExceptions()
                        .until(() -> http.send(HttpRequest.newBuilder(URI.create(base + ready.getPath())).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
                StartTimes.report("netfence-webhook", started, container);
                ContainerAssertions.confined(container, "10001", ContainerAssertions.NO_CAPABILITY);
                HTTPGetAction live = webhook.liveness();
                assertThat(http.send(HttpRequest.newBuilder(URI.create(base + live.getPath())).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);

                // demo step 4: the shop's DefaultDeny loses its DNS carve-out
                HasMetadata before = demo.objects().stream().map(o -> o.resource())
                        .filter(r -> r instanceof DefaultDeny && r.getMetadata().getNamespace().equals("shop")).findFirst().orElseThrow();
                HasMetadata after = ManifestLoader.load(MockCluster.DEMO.resolve("30-refused-no-dns.yaml")).objects().get(0).resource();
                JsonNode refused = review(http, base + path, "UPDATE", after, before);
                assertThat(refused.at("/response/allowed").asBoolean()).isFalse();
                assertThat(refused.at("/response/status/code").asInt()).isEqualTo(403);
                assertThat(refused.at("/response/status/message").asText())
                        .startsWith("netfence refuses to update DefaultDeny shop/default-deny:")
                        .contains("critical-flow spec.allowDNS: shop/api, shop/frontend lose critical flow dns (UDP/53, TCP/53)");
                JsonNode allowed = review(http, base + path, "UPDATE", before, before);
                assertThat(allowed.at("/response/allowed").asBoolean()).as(allowed.toString()).isTrue();
            }
        } finally {
            if (name != null) {
                System.out.println("---- " + name + "\n" + Podman.logs(name));
                Podman.remove(name);
            }
        }
    }

    /**
     * The Secret's files as the kubelet mounts a Secret volume (defaultMode 0644): the webhook test
     * certificate (CN localhost, SAN IP 127.0.0.1, where the test connects through its forward).
     */
    private static Path secretVolume(String secret) throws Exception {
        Path dir = Files.createTempDirectory("nf-" + secret);
        for (String f : new String[] {"tls.crt", "tls.key"}) {
            Path file = dir.resolve(f);
            Files.copy(BuiltImages.ROOT.resolve("webhook/src/test/resources/tls").resolve(f), file);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    private static SSLContext trusting(Path certificate) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certificate)) {
            trust.setCertificateEntry("webhook", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }

    /** An AdmissionReview v1 as the API server sends it for a DefaultDeny. */
    private static JsonNode review(HttpClient http, String url, String operation, HasMetadata object, HasMetadata oldObject)
            throws Exception {
        ObjectNode review = JSON.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request");
        String uid = UUID.randomUUID().toString();
        request.put("uid", uid);
        request.putObject("kind").put("group", "netfence.dev").put("version", "v1alpha1").put("kind", "DefaultDeny");
        request.putObject("resource").put("group", "netfence.dev").put("version", "v1alpha1").put("resource", "defaultdenies");
        request.put("name", object.getMetadata().getName()).put("namespace", object.getMetadata().getNamespace());
        request.put("operation", operation);
        request.putObject("userInfo").put("username", "alice").putArray("groups").add("system:authenticated");
        request.set("object", JSON.valueToTree(object));
        request.set("oldObject", JSON.valueToTree(oldObject));
        request.put("dryRun", false);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(review.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode json = JSON.readTree(r.body());
        assertThat(json.at("/response/uid").asText()).isEqualTo(uid);
        return json;
    }
}
