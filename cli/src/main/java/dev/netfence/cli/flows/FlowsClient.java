package dev.netfence.cli.flows;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netfence.cli.UserInputException;
import dev.netfence.enforcer.flow.FlowRecord;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one enforcer's flow records over {@code GET /flows} (its HTTP port, a port-forward, or the
 * demo's per-node endpoint): what {@code netfence flows} prints and the demo's flow-log step shows.
 */
public final class FlowsClient {
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** The filters of {@code GET /flows}; null: any. */
    public record Filter(String verdict, String pod, String namespace) {
        public static final Filter ANY = new Filter(null, null, null);
    }

    /** The records after the asked sequence number, oldest first, and the {@code since} to ask with next. */
    public record Page(List<FlowRecord> records, long next) {
    }

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** @param base the enforcer's HTTP address, {@code http://127.0.0.1:9464} */
    public FlowsClient(String base) {
        this.base = base.replaceAll("/+$", "");
    }

    public String base() {
        return base;
    }

    public Page fetch(long since, Filter filter) throws IOException, InterruptedException {
        StringBuilder q = new StringBuilder(base).append("/flows?since=").append(since);
        param(q, "verdict", filter.verdict());
        param(q, "pod", filter.pod());
        param(q, "namespace", filter.namespace());
        HttpResponse<String> r;
        try {
            r = http.send(HttpRequest.newBuilder(URI.create(q.toString())).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UserInputException("cannot reach the enforcer at " + base + " (" + e.getClass().getSimpleName()
                    .replace("Exception", "").toLowerCase() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                    + "): is it running, and is --url its HTTP port (netfence.enforcer's quarkus.http.port, 9464)?");
        } catch (IllegalArgumentException e) {
            throw new UserInputException("--url " + base + " is not an http:// address");
        }
        if (r.statusCode() != 200) {
            throw new UserInputException("the enforcer at " + base + " answered " + r.statusCode() + ": " + r.body().strip());
        }
        JsonNode answer = JSON.readTree(r.body());
        List<FlowRecord> records = new ArrayList<>();
        for (JsonNode record : answer.path("records")) {
            records.add(JSON.treeToValue(record, FlowRecord.class));
        }
        return new Page(records, answer.path("next").asLong(since));
    }

    /** A record as {@code netfence flows -o json} prints it: one JSON line. */
    public static String jsonLine(FlowRecord record) {
        try {
            return JSON.writeValueAsString(record);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a flow record is plain strings and numbers", e);
        }
    }

    private static void param(StringBuilder q, String name, String value) {
        if (value != null) {
            q.append('&').append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }
}
