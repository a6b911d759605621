package dev.netfence.cli.flows;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netfence.cli.ExitCodes;
import dev.netfence.cli.UserInputException;
import dev.netfence.cli.common.LiveCluster;
import dev.netfence.cli.common.OutputOption;
import dev.netfence.enforcer.flow.FlowDecider;
import dev.netfence.enforcer.flow.FlowRecord;
import dev.netfence.enforcer.flow.FlowText;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code netfence flows}: the flow records of one node's enforcer ({@code GET /flows} on its HTTP
 * port), filtered, one line each or JSON lines; {@code --follow} keeps asking for what came after.
 *
 * <p>Where from: {@code --url} (the node itself: {@code http://127.0.0.1:9464}, or a port-forward),
 * or {@code --node} of a cluster (kubeconfig, {@code --context}): the enforcer pod of that node is
 * reached by a port-forward through the API server ({@code pods/portforward}). Not the API server's
 * pod proxy: the enforcer runs on the host network and serves on the node's loopback only (its
 * metrics name policies), which a proxy to the pod's IP cannot reach and a port-forward, entering
 * the pod's network namespace, can.
 */
@Command(name = "flows", mixinStandardHelpOptions = true,
        description = "Show the flows a node's enforcer logged: denied, would-deny (audit) and, when enabled, allowed.")
public class FlowsCommand implements Callable<Integer> {
    static final String ENFORCER_NAMESPACE = "netfence-system";
    static final String ENFORCER_LABEL = "app.kubernetes.io/name";
    static final int ENFORCER_PORT = 9464;

    @Spec
    CommandSpec spec;

    @Option(names = "--url", paramLabel = "URL",
            description = "The enforcer's HTTP address, e.g. http://127.0.0.1:9464 on the node or after kubectl port-forward.")
    String url;

    @Option(names = "--node", paramLabel = "NODE", description = "Read the enforcer of this cluster node (port-forward via the API server).")
    String node;

    @Mixin
    LiveCluster cluster;

    @Option(names = "--pod", paramLabel = "NS/POD|IP", description = "Only flows from or to this pod (or address).")
    String pod;

    @Option(names = "--namespace", paramLabel = "NS", description = "Only flows from or to pods of this namespace.")
    String namespace;

    @Option(names = "--verdict", paramLabel = "VERDICT", description = "denied, would-deny or allowed.")
    String verdict;

    @Option(names = "--since", paramLabel = "SEQ", defaultValue = "0",
            description = "Only records after this sequence number (default: every record the enforcer keeps).")
    long since;

    @Option(names = "--follow", description = "Keep printing new records until interrupted.")
    boolean follow;

    @Mixin
    OutputOption output;

    private final ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    @Override
    public Integer call() throws Exception {
        if (verdict != null) {
            try {
                FlowDecider.Verdict.of(verdict);
            } catch (IllegalArgumentException e) {
                throw new UserInputException("--verdict: " + e.getMessage());
            }
        }
        if ((url == null) == (node == null)) {
            throw new UserInputException("say which enforcer: --url http://127.0.0.1:9464 (on the node, or after kubectl"
                    + " port-forward) or --node NODE (a cluster node, through the API server)");
        }
        if (url != null) {
            return print(url.replaceAll("/+$", ""));
        }
        try (KubernetesClient client = cluster.client(); LocalPortForward forward = forward(client)) {
            return print("http://127.0.0.1:" + forward.getLocalPort());
        }
    }

    private LocalPortForward forward(KubernetesClient client) {
        List<Pod> pods = client.pods().inNamespace(ENFORCER_NAMESPACE).withLabel(ENFORCER_LABEL, "netfence-enforcer")
                .withField("spec.nodeName", node).list().getItems();
        if (pods.isEmpty()) {
            throw new UserInputException("no netfence-enforcer pod runs on node " + node + " (namespace " + ENFORCER_NAMESPACE
                    + "): check the node name with kubectl get nodes");
        }
        return client.pods().inNamespace(ENFORCER_NAMESPACE).withName(pods.get(0).getMetadata().getName()).portForward(ENFORCER_PORT);
    }

    private int print(String base) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        PrintWriter out = spec.commandLine().getOut();
        long next = since;
        do {
            JsonNode answer = fetch(http, base, next);
            for (JsonNode r : answer.path("records")) {
                FlowRecord record = json.treeToValue(r, FlowRecord.class);
                out.println(output.json() ? json.writeValueAsString(record) : FlowText.line(record));
            }
            out.flush();
            next = answer.path("next").asLong(next);
            if (follow) {
                Thread.sleep(1000);
            }
        } while (follow);
        return ExitCodes.OK;
    }

    private JsonNode fetch(HttpClient http, String base, long after) throws IOException, InterruptedException {
        StringBuilder q = new StringBuilder(base).append("/flows?since=").append(after);
        param(q, "verdict", verdict);
        param(q, "pod", pod);
        param(q, "namespace", namespace);
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
        return json.readTree(r.body());
    }

    private static void param(StringBuilder q, String name, String value) {
        if (value != null) {
            q.append('&').append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }
}
