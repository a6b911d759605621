package dev.netfence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.netfence.enforcer.flow.FlowDecider;
import dev.netfence.enforcer.flow.FlowLog;
import dev.netfence.enforcer.flow.FlowLogSettings;
import dev.netfence.enforcer.flow.NflogDecoder;
import dev.netfence.enforcer.flow.NflogPacket;
import dev.netfence.policy.compile.LocalPod;
import dev.netfence.policy.compile.NodeRuleSet;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code netfence flows --url} against the enforcer's own answer: a {@link FlowLog} fed two logged
 * packets (a denial and a would-deny), served as {@code GET /flows} does ({@link FlowLog#queryJson}).
 */
class FlowsCommandTest {
    private HttpServer server;
    private String url;

    @BeforeEach
    void serve() throws Exception {
        FlowLog log = new FlowLog("node-1", FlowLogSettings.DEFAULTS, Clock.fixed(Instant.parse("2026-12-02T03:41:07.412Z"),
                ZoneOffset.UTC)).jsonLines(false);
        log.installing(new NodeRuleSet("node-1", List.of(), List.of(
                        new LocalPod("shop-data", "db", List.of("10.244.1.4"), List.of("DefaultDeny/shop-data/default-deny/Ingress"), List.of())),
                List.of(), List.of()),
                Map.of("nf D in_1", new FlowDecider(FlowDecider.Verdict.DENIED, "Ingress", List.of("DefaultDeny shop-data/default-deny"), null),
                        "nf W in_2", new FlowDecider(FlowDecider.Verdict.WOULD_DENY, "Ingress", List.of("NetworkPolicy shop-data/db-ingress"), null)));
        log.received(new NflogDecoder.Decoded(List.of(
                new NflogPacket(2, "nf D in_1", tcp("10.244.2.7", "10.244.1.4", 40112, 5432), null),
                new NflogPacket(2, "nf W in_2", tcp("10.244.2.8", "10.244.1.4", 40230, 5432), null)), 0));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/flows", exchange -> {
            Map<String, String> q = new java.util.HashMap<>();
            String raw = exchange.getRequestURI().getRawQuery();
            for (String kv : raw == null ? new String[0] : raw.split("&")) {
                String[] p = kv.split("=", 2);
                q.put(p[0], java.net.URLDecoder.decode(p[1], StandardCharsets.UTF_8));
            }
            byte[] body = log.queryJson(Long.parseLong(q.getOrDefault("since", "0")), q.get("verdict"), q.get("pod"),
                    q.get("namespace"), 1000).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void printsOneLinePerFlowWithTheDecidingPolicy() {
        Netfence.Result r = Netfence.run("flows", "--url", url);
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("""
                03:41:07.412 node-1 DENIED     TCP 10.244.2.7:40112 -> shop-data/db:5432  ingress isolated by DefaultDeny shop-data/default-deny
                03:41:07.412 node-1 WOULD-DENY TCP 10.244.2.8:40230 -> shop-data/db:5432  accepted; ingress audited by NetworkPolicy shop-data/db-ingress
                """);
    }

    @Test
    void filtersAndJson() {
        Netfence.Result r = Netfence.run("flows", "--url", url, "--verdict", "would-deny", "--pod", "shop-data/db", "-o", "json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out().lines().toList()).singleElement().satisfies(line -> assertThat(line)
                .startsWith("{\"seq\":2,\"time\":\"2026-12-02T03:41:07.412Z\",\"node\":\"node-1\",\"verdict\":\"would-deny\"")
                .contains("\"policies\":[\"NetworkPolicy shop-data/db-ingress\"]"));
        assertThat(Netfence.run("flows", "--url", url, "--namespace", "other").out()).isEmpty();
    }

    @Test
    void badInputSaysWhatToDo() {
        Netfence.Result noSource = Netfence.run("flows");
        assertThat(noSource.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(noSource.err()).contains("--url http://127.0.0.1:9464").contains("--node NODE");
        Netfence.Result verdict = Netfence.run("flows", "--url", url, "--verdict", "blocked");
        assertThat(verdict.err()).contains("unknown verdict \"blocked\"").doesNotContain("Exception");
        Netfence.Result unreachable = Netfence.run("flows", "--url", "http://127.0.0.1:1");
        assertThat(unreachable.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(unreachable.err()).contains("cannot reach the enforcer at http://127.0.0.1:1");
    }

    /** An IPv4 header (20 bytes, protocol TCP) and the first bytes of a TCP header (ports). */
    static byte[] tcp(String src, String dst, int sport, int dport) throws Exception {
        byte[] p = new byte[40];
        p[0] = 0x45;
        p[9] = 6;
        System.arraycopy(java.net.InetAddress.getByName(src).getAddress(), 0, p, 12, 4);
        System.arraycopy(java.net.InetAddress.getByName(dst).getAddress(), 0, p, 16, 4);
        p[20] = (byte) (sport >> 8);
        p[21] = (byte) sport;
        p[22] = (byte) (dport >> 8);
        p[23] = (byte) dport;
        return p;
    }
}
