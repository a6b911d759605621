package dev.netfence.enforcer.cni;

import static dev.netfence.enforcer.cni.CniFixtures.PREV_RESULT;
import static dev.netfence.enforcer.cni.CniFixtures.config;
import static dev.netfence.enforcer.cni.CniFixtures.env;
import static dev.netfence.enforcer.cni.CniFixtures.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netfence.enforcer.loop.NewPodSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The plugin's decisions (pure: the kernel side is a future the test completes). */
class CniRequestHandlerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PodAnnouncements announcements = PodAnnouncements.inMemory();
    /** The version the "kernel" holds: ADDs wait for it. */
    private final AtomicLong appliedVersion = new AtomicLong(Long.MAX_VALUE);
    private final CniRequestHandler handler = handler(NewPodSettings.DEFAULTS);

    private CniRequestHandler handler(NewPodSettings settings) {
        return new CniRequestHandler(settings, announcements,
                v -> v <= appliedVersion.get() ? CompletableFuture.completedFuture(null) : new CompletableFuture<>());
    }

    private static JsonNode json(CniResponse r) throws Exception {
        return JSON.readTree(r.stdout());
    }

    @Test
    void addAnnouncesThePodAndReturnsPrevResultUnchanged() throws Exception {
        CniResponse r = handler.handle(request(env("ADD", "c1", "shop", "api-0"), config("1.0.0", PREV_RESULT)));
        assertThat(r.exitCode()).isZero();
        assertThat(json(r)).isEqualTo(JSON.readTree(PREV_RESULT));
        assertThat(announcements.get("c1")).contains(new PodAnnouncement("c1", "shop", "api-0", "eth0",
                List.of("10.244.1.5", "fd00:10:244:1::5")));
    }

    @Test
    void theResultCarriesTheConfigurationsVersion() throws Exception {
        // libcni converts prevResult to the configuration's version; the plugin answers in it
        String prev = PREV_RESULT.replace("\"cniVersion\":\"1.0.0\",", "");
        CniResponse r = handler.handle(request(env("ADD", "c1", "shop", "api-0"), config("0.4.0", prev)));
        assertThat(r.exitCode()).isZero();
        assertThat(json(r).get("cniVersion").asText()).isEqualTo("0.4.0");
        assertThat(json(r).get("ips")).isEqualTo(JSON.readTree(prev).get("ips"));
    }

    @Test
    void addWaitsUntilTheKernelHoldsThePodAndFailsWithTryAgainLaterWhenItDoesNot() throws Exception {
        appliedVersion.set(0); // no table holding the announcement: e.g. no rule set applied on the node yet
        // a short ADD timeout so the test does not wait the default 10 s; the same setting a user would change
        CniRequestHandler h = handler(new NewPodSettings(NewPodSettings.Mode.FAIL_CLOSED,
                NewPodSettings.DEFAULT_EXEMPT_NAMESPACES, Duration.ofMillis(200)));
        CniResponse r = h.handle(request(env("ADD", "c1", "shop", "api-0"), config("1.0.0", PREV_RESULT)));
        assertThat(r.exitCode()).isNotZero();
        assertThat(json(r).get("code").asInt()).isEqualTo(11);
        assertThat(json(r).get("msg").asText()).contains("fail-closed rule within PT0.2S");
        assertThat(json(r).get("details").asText()).contains("kubectl get noderulesets");
    }

    @Test
    void withWaitForRulesAddAnswersOnceThePodsOwnRulesAreInTheKernel() throws Exception {
        CompletableFuture<Void> named = new CompletableFuture<>();
        List<PodAnnouncement> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        CniRequestHandler h = new CniRequestHandler(NewPodSettings.DEFAULTS, announcements,
                v -> CompletableFuture.completedFuture(null), Duration.ofSeconds(20), p -> {
                    asked.add(p);
                    return named;
                });
        CompletableFuture<CniResponse> add = CompletableFuture.supplyAsync(
                () -> h.handle(request(env("ADD", "c1", "shop", "api-0"), config("1.0.0", PREV_RESULT))));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> asked.size() == 1);
        // held already (announced), but not answered before its rules are applied
        assertThat(announcements.get("c1")).isPresent();
        org.awaitility.Awaitility.await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !add.isDone());
        assertThat(asked.get(0).podKey()).isEqualTo("shop/api-0");
        named.complete(null);
        CniResponse r = add.get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(r.exitCode()).isZero();
        assertThat(json(r)).isEqualTo(JSON.readTree(PREV_RESULT));
    }

    @Test
    void theWaitForRulesIsBoundedAndItsEndIsNoError() throws Exception {
        // 200 ms instead of a production value, through the same setting; the rules never come (operator down)
        CniRequestHandler h = new CniRequestHandler(NewPodSettings.DEFAULTS, announcements,
                v -> CompletableFuture.completedFuture(null), Duration.ofMillis(200), p -> new CompletableFuture<>());
        CniResponse r = h.handle(request(env("ADD", "c1", "shop", "api-0"), config("1.0.0", PREV_RESULT)));
        assertThat(r.exitCode()).isZero();
        assertThat(json(r)).isEqualTo(JSON.readTree(PREV_RESULT));
        // an exempt pod never waits for rules either
        CniRequestHandler never = new CniRequestHandler(NewPodSettings.DEFAULTS, announcements,
                v -> CompletableFuture.completedFuture(null), Duration.ofSeconds(30), p -> {
                    throw new AssertionError("an exempt pod must not wait for its rules");
                });
        assertThat(never.handle(request(env("ADD", "dns", "kube-system", "coredns-1"), config("1.0.0", PREV_RESULT)))
                .exitCode()).isZero();
    }

    @Test
    void theWaitForRulesSettingIsBounded() {
        assertThatThrownBy(() -> CniSettings.DEFAULTS.withWaitForRules(Duration.ofMinutes(1)))
                .hasMessageContaining("netfence.enforcer.cni.wait-for-rules must be between 0s");
        assertThat(CniSettings.DEFAULTS.waitForRules()).isZero();
    }

    @Test
    void exemptNamespacesAndFailOpenDoNotWait() {
        appliedVersion.set(0);
        assertThat(handler.handle(request(env("ADD", "dns", "kube-system", "coredns-1"), config("1.0.0", PREV_RESULT)))
                .exitCode()).isZero();
        assertThat(handler(NewPodSettings.DEFAULTS.withMode(NewPodSettings.Mode.FAIL_OPEN))
                .handle(request(env("ADD", "c2", "shop", "api-1"), config("1.0.0", PREV_RESULT))).exitCode()).isZero();
    }

    @Test
    void delForgetsThePodAndSucceedsForAContainerItNeverSaw() {
        handler.handle(request(env("ADD", "c1", "shop", "api-0"), config("1.0.0", PREV_RESULT)));
        assertThat(handler.handle(request(env("DEL", "c1", "shop", "api-0"), config("1.0.0", PREV_RESULT))))
                .isEqualTo(CniResponse.ok(""));
        assertThat(announcements.get("c1")).isEmpty();
        assertThat(handler.handle(request(env("DEL", "never-added", "shop", "x"), config("1.0.0", null))))
                .isEqualTo(CniResponse.ok(""));
    }

    @Test
    void checkSucceedsOnlyForAnAddedPodWithTheSameAddresses() throws Exception {
        handler.handle(request(env("ADD", "c1", "shop", "api-0"), config("1.0.0", PREV_RESULT)));
        assertThat(handler.handle(request(env("CHECK", "c1", "shop", "api-0"), config("1.0.0", PREV_RESULT))).exitCode()).isZero();
        CniResponse other = handler.handle(request(env("CHECK", "c1", "shop", "api-0"),
                config("1.0.0", PREV_RESULT.replace("10.244.1.5", "10.244.1.6"))));
        assertThat(json(other).get("code").asInt()).isEqualTo(3);
        assertThat(json(handler.handle(request(env("CHECK", "c9", "shop", "x"), config("1.0.0", PREV_RESULT))))
                .get("code").asInt()).isEqualTo(3);
    }

    @Test
    void versionListsWhatItPassesThrough() throws Exception {
        CniResponse r = handler.handle(request(Map.of("CNI_COMMAND", "VERSION"), ""));
        assertThat(r.exitCode()).isZero();
        assertThat(json(r).get("supportedVersions").toString()).isEqualTo("[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\"]");
    }

    /** Malformed input: the spec's error object with the right code, a message saying what to fix, exit 1. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            not JSON                 | ADD | {"cniVersion": "1.0.0", "name":           | 6 | not JSON
            not an object            | ADD | [1, 2]                                     | 6 | not a JSON object
            no cniVersion            | ADD | {"name":"n","type":"netfence"}             | 7 | no cniVersion
            unsupported version      | ADD | {"cniVersion":"9.9.9","name":"n","type":"netfence"} | 1 | does not support cniVersion 9.9.9
            no name                  | ADD | {"cniVersion":"1.0.0","type":"netfence"}   | 7 | no name
            not chained              | ADD | {"cniVersion":"1.0.0","name":"n","type":"netfence"} | 7 | chained plugin
            bad address              | ADD | {"cniVersion":"1.0.0","name":"n","type":"netfence","prevResult":{"ips":[{"address":"10.0.0.300/24"}]}} | 7 | is not an address
            ips not a list           | ADD | {"cniVersion":"1.0.0","name":"n","type":"netfence","prevResult":{"ips":{}}} | 7 | not a list
            unknown command          | GET | {}                                         | 4 | CNI_COMMAND must be
            """)
    void malformedInputGetsTheSpecsErrorObject(String name, String command, String stdin, int code, String message)
            throws Exception {
        CniResponse r = handler.handle(request(env(command, "c1", "shop", "api-0"), stdin));
        assertThat(r.exitCode()).isEqualTo(1);
        JsonNode e = json(r);
        assertThat(e.get("code").asInt()).isEqualTo(code);
        assertThat(e.get("msg").asText() + " " + e.path("details").asText()).contains(message);
        assertThat(e.get("cniVersion").isTextual()).isTrue();
        assertThat(r.stdout()).doesNotContain("Exception").doesNotContain("dev.netfence");
        assertThat(announcements.snapshot().pods()).isEmpty();
    }

    @Test
    void missingEnvironmentIsCode4() throws Exception {
        Map<String, String> env = new java.util.LinkedHashMap<>(env("ADD", "c1", "shop", "api-0"));
        env.remove("CNI_NETNS");
        assertThat(json(handler.handle(request(env, config("1.0.0", PREV_RESULT)))).get("code").asInt()).isEqualTo(4);
        env.put("CNI_NETNS", "/x");
        env.put("CNI_CONTAINERID", "../../etc/passwd");
        assertThat(json(handler.handle(request(env, config("1.0.0", PREV_RESULT)))).get("code").asInt()).isEqualTo(4);
    }
}
