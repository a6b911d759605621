package dev.netfence.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The handler's bounds, without HTTP: limits on the raw bytes and the bounded number of analyses. */
class AdmissionReviewHandlerTest {

    static final ObjectMapper MAPPER = new ObjectMapper();

    static ObjectNode review(String uid, int egressRules, int peersPerRule) {
        ObjectNode r = MAPPER.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode req = r.putObject("request").put("uid", uid).put("operation", "CREATE").put("namespace", "shop");
        req.putObject("kind").put("group", "networking.k8s.io").put("version", "v1").put("kind", "NetworkPolicy");
        ObjectNode object = req.putObject("object");
        object.putObject("metadata").put("name", "p").put("namespace", "shop");
        ObjectNode spec = object.putObject("spec");
        spec.putObject("podSelector");
        spec.putArray("policyTypes").add("Egress");
        ArrayNode egress = spec.putArray("egress");
        for (int i = 0; i < egressRules; i++) {
            ArrayNode to = egress.addObject().putArray("to");
            for (int j = 0; j < peersPerRule; j++) {
                to.addObject().putObject("ipBlock").put("cidr", "10.9." + (j % 250) + ".0/24");
            }
        }
        return r;
    }

    static byte[] bytes(JsonNode n) {
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void rulesAndEntriesAreCountedOnTheRawBytes() {
        RequestLimits limits = new RequestLimits(new WebhookSettings.Limits(1 << 20, 10, 50, 1, Duration.ofSeconds(1)));
        assertThat(limits.scan(bytes(review("u-1", 10, 5))).problem()).isEmpty();
        RequestLimits.Scan rules = limits.scan(bytes(review("u-2", 11, 1)));
        assertThat(rules.uid()).isEqualTo("u-2");
        assertThat(rules.problem()).hasValueSatisfying(p -> assertThat(p).startsWith("request.object.spec has more than 10 "));
        assertThat(limits.scan(bytes(review("u-3", 2, 26))).problem())
                .hasValueSatisfying(p -> assertThat(p).startsWith("request.object.spec has more than 50 peers, ports and selector terms"));
        // issue 10, finding 6: a peer selector with thousands of labels (1.15 MB) cost the analysis seconds
        ObjectNode bomb = review("u-6", 1, 1);
        ObjectNode labels = ((ObjectNode) bomb.at("/request/object/spec/egress/0/to/0")).putObject("podSelector")
                .putObject("matchLabels");
        for (int i = 0; i < 60; i++) {
            labels.put("k" + i, "v");
        }
        assertThat(limits.scan(bytes(bomb)).problem())
                .hasValueSatisfying(p -> assertThat(p).startsWith("request.object.spec has more than 50 peers, ports and selector terms"));
        ObjectNode values = review("u-7", 1, 1);
        ArrayNode in = ((ObjectNode) values.at("/request/object/spec/egress/0/to/0")).putObject("podSelector")
                .putArray("matchExpressions").addObject().put("key", "app").put("operator", "In").putArray("values");
        for (int i = 0; i < 60; i++) {
            in.add("v" + i);
        }
        assertThat(limits.scan(bytes(values)).problem()).isPresent();
        // oldObject is counted on its own
        ObjectNode update = review("u-4", 1, 1);
        ((ObjectNode) update.get("request")).set("oldObject", review("x", 11, 1).at("/request/object"));
        assertThat(limits.scan(bytes(update)).problem())
                .hasValueSatisfying(p -> assertThat(p).startsWith("request.oldObject.spec has more than 10 "));
        assertThat(new RequestLimits(new WebhookSettings.Limits(100, 10, 50, 1, Duration.ofSeconds(1)))
                .scan(bytes(review("u-5", 1, 1))).problem())
                .hasValueSatisfying(p -> assertThat(p).contains("more than the 100 bytes netfence judges"));
    }

    @Test
    void deepNestingIsRefusedBeforeATreeIsBuilt() {
        String deep = "{\"request\":{\"uid\":\"d\",\"x\":" + "[".repeat(100) + "]".repeat(100) + "}}";
        RequestLimits.Scan scan = new RequestLimits(WebhookSettings.Limits.DEFAULT).scan(deep.getBytes(StandardCharsets.UTF_8));
        assertThat(scan.uid()).isEqualTo("d");
        assertThat(scan.problem()).hasValue("the AdmissionReview nests deeper than 64 levels");
    }

    /** Issue 10, finding 6: analyses were unbounded; a third concurrent one now waits, then gets "busy" inside an AdmissionReview. */
    @Test
    void analysesBeyondTheBoundWaitThenGetABusyAnswer() throws Exception {
        CountDownLatch inAnalysis = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ClusterViewSource blocking = new ClusterViewSource() {
            @Override
            public boolean synced() {
                inAnalysis.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return false;
            }

            @Override
            public ClusterView view() {
                throw new AssertionError("not reached");
            }
        };
        WebhookSettings settings = WebhookSettings.DEFAULT.withLimits(
                new WebhookSettings.Limits(1 << 20, 1_000, 10_000, 1, Duration.ofMillis(200)));
        AdmissionReviewHandler handler = new AdmissionReviewHandler(MAPPER, blocking, new AdmissionJudge(settings),
                new AdmissionMetrics(new SimpleMeterRegistry()));
        CompletableFuture<AdmissionReviewHandler.Answer> first = CompletableFuture.supplyAsync(
                () -> handler.handle(bytes(review("first", 1, 1))));
        assertThat(inAnalysis.await(10, TimeUnit.SECONDS)).isTrue();
        AdmissionReviewHandler.Answer second = handler.handle(bytes(review("second", 1, 1)));
        release.countDown();
        JsonNode busy = MAPPER.readTree(second.body());
        assertThat(second.status()).isEqualTo(200);
        assertThat(busy.at("/response/uid").asText()).isEqualTo("second");
        assertThat(busy.at("/response/allowed").asBoolean()).isFalse();
        assertThat(busy.at("/response/status/code").asInt()).isEqualTo(429);
        JsonNode notSynced = MAPPER.readTree(first.get(10, TimeUnit.SECONDS).body());
        assertThat(notSynced.at("/response/status/code").asInt()).isEqualTo(503);
        // the slot was given back
        release.countDown();
        assertThat(MAPPER.readTree(handler.handle(bytes(review("third", 1, 1))).body()).at("/response/status/code").asInt())
                .isEqualTo(503);
    }

    @Test
    void metricsCountEveryOutcome() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AdmissionReviewHandler handler = new AdmissionReviewHandler(MAPPER, new ClusterViewSource() {
            @Override
            public boolean synced() {
                return false;
            }

            @Override
            public ClusterView view() {
                throw new AssertionError();
            }
        }, new AdmissionJudge(WebhookSettings.DEFAULT), new AdmissionMetrics(registry));
        handler.handle(bytes(review("a", 1, 1)));
        handler.handle("{".getBytes(StandardCharsets.UTF_8));
        assertThat(registry.get("netfence.webhook.requests").counter().count()).isEqualTo(2);
        assertThat(registry.get("netfence.webhook.decisions").tag("decision", "error").counter().count()).isEqualTo(2);
        assertThat(registry.get("netfence.webhook.latency").timer().count()).isEqualTo(2);
        assertThat(List.of("allowed", "denied", "warned")).allSatisfy(d ->
                assertThat(registry.get("netfence.webhook.decisions").tag("decision", d).counter().count()).isZero());
    }
}
