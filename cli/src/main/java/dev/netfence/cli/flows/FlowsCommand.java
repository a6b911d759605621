package dev.netfence.cli.flows;

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
            return print(new FlowsClient(url));
        }
        try (KubernetesClient client = cluster.client(); LocalPortForward forward = forward(client)) {
            return print(new FlowsClient("http://127.0.0.1:" + forward.getLocalPort()));
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

    private int print(FlowsClient enforcer) throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        FlowsClient.Filter filter = new FlowsClient.Filter(verdict, pod, namespace);
        long next = since;
        do {
            FlowsClient.Page page = enforcer.fetch(next, filter);
            for (FlowRecord record : page.records()) {
                out.println(output.json() ? FlowsClient.jsonLine(record) : FlowText.line(record));
            }
            out.flush();
            next = page.next();
            if (follow) {
                Thread.sleep(1000);
            }
        } while (follow);
        return ExitCodes.OK;
    }
}
