package dev.netfence.cli.demo;

import dev.netfence.cli.flows.FlowsClient;
import dev.netfence.crds.manifest.ManifestLoader;
import dev.netfence.crds.manifest.ManifestObject;
import dev.netfence.crds.manifest.Manifests;
import dev.netfence.enforcer.flow.FlowRecord;
import dev.netfence.enforcer.flow.FlowText;
import dev.netfence.lab.Lab;
import dev.netfence.policy.eval.AuditEvaluation;
import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.eval.Flow;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.ObjectRef;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.Protocol;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The demo's step 7: what the policies deny, seen in the flow log, and a policy tried in audit mode.
 * The database opens a connection to the front end ({@code shop-data/db -> shop/frontend:8080/TCP}),
 * which its namespace's DefaultDeny denies at the database's egress (the front end's ingress allows
 * 8080 from anyone); the enforcer of the database's node logs the SYN it drops, and the step reads it
 * back as {@code netfence flows --url} does ({@link FlowsClient}, {@code GET /flows} on the node's
 * endpoint, {@link NodeFlowLogs}) with the policy that isolated the database. Then that DefaultDeny is
 * put in audit mode, one field ({@value #AUDIT_FILE}, through the API server, operator and enforcers
 * like every step): the same connection opens and the flow log shows it as {@code would-deny}. Last,
 * the DefaultDeny enforces again ({@code 10-default-deny.yaml}) and the connection is denied again.
 *
 * <p>Why a DefaultDeny and not a NetworkPolicy's {@code netfence.dev/enforcement: audit} annotation:
 * in the demo every side a NetworkPolicy isolates is also isolated by its namespace's DefaultDeny,
 * and an audited policy never opens what an enforcing one keeps closed; the database's egress is the
 * one side isolated by a single object. Every record is checked against the engine's explanation of
 * the flow (the deciding policies of the enforced verdict, and the audited policies behind the
 * would-deny).
 */
final class FlowLogStep {
    static final String AUDIT_FILE = "50-shop-data-audit.yaml";
    static final String ENFORCE_FILE = "10-default-deny.yaml";
    static final String SOURCE = "shop-data/db";
    static final String DESTINATION = "shop/frontend";
    static final int PORT = 8080;
    /** Long enough for the SYN and no retransmit (the first comes after 1 s): one attempt, one logged packet. */
    static final int CONNECT_TIMEOUT_MS = 700;
    /** How long a logged packet may take to reach the ring (the reader's socket batches for up to 100 ms, polls 250 ms). */
    static final Duration RECORD_WAIT = Duration.ofSeconds(5);

    /** What the step saw; {@code problem} is null when every connection and record was as the engine predicts. */
    record Outcome(ClusterSnapshot current, String problem) {
    }

    private FlowLogStep() {
    }

    static Outcome run(Lab lab, RulePath rules, DemoManifests demo, ClusterSnapshot current, Consumer<String> say)
            throws Exception {
        Pod db = pod(current, SOURCE);
        Pod frontend = pod(current, DESTINATION);
        Flow flow = new Flow(Endpoint.of(db, false), Endpoint.of(frontend, false), Protocol.TCP, PORT);
        List<String> problems = new ArrayList<>();
        String node = db.nodeName();
        FlowsClient enforcer = new FlowsClient(rules.flowLogs().url(node));
        FlowsClient.Filter filter = new FlowsClient.Filter(null, SOURCE, null);
        String target = DESTINATION + ":" + PORT + "/TCP";

        // 1. denied, and logged with the policy that isolated the database's egress
        AuditEvaluation.Result before = new AuditEvaluation(current).evaluate(flow);
        List<String> isolating = names(before.enforced().egress().isolatedBy());
        if (before.enforced().allowed() || !before.enforced().ingress().allowed()) {
            problems.add("the engine does not deny " + SOURCE + " -> " + target + " at the source's egress only");
        }
        say.accept("  " + SOURCE + " opens a connection to " + target + " (the engine: denied at " + SOURCE + "'s egress, "
                + "isolated by " + String.join(", ", isolating) + ", which allows only DNS)");
        long mark = rules.flowLogs().log(node).nextSeq() - 1;
        boolean connected = connect(lab, frontend);
        say.accept("  connection " + (connected ? "OPENED (the step expects it denied)" : "not answered: its SYN was dropped"));
        if (connected) {
            problems.add(SOURCE + " -> " + target + " connected although the policies deny it");
        }
        List<FlowRecord> denied = show(enforcer, mark, filter, "denied", say);
        check(denied, "denied", isolating, frontend, problems);

        // 2. the DefaultDeny in audit mode: the connection opens, the flow log says would-deny
        Path auditFile = demo.directory().resolve(AUDIT_FILE);
        Manifests audit = ManifestLoader.load(List.of(auditFile));
        ClusterSnapshot audited = DemoManifests.with(current, audit);
        AuditEvaluation.Result inAudit = new AuditEvaluation(audited).evaluate(flow);
        List<String> auditing = names(inAudit.auditedDeciders());
        if (!inAudit.wouldDeny()) {
            problems.add("the engine does not call " + SOURCE + " -> " + target + " would-deny with " + AUDIT_FILE);
        }
        say.accept("");
        say.accept("  $ kubectl apply -f " + auditFile + "   (the same DefaultDeny with spec.enforcement: Audit)");
        Duration enforced = rules.enforce(audited, DemoManifests.resources(audit));
        say.accept("  enforced on " + lab.nodes().size() + " nodes in " + DemoCommand.millis(enforced.toNanos())
                + " after applying");
        mark = rules.flowLogs().log(node).nextSeq() - 1;
        connected = connect(lab, frontend);
        say.accept("  " + SOURCE + " -> " + target + ": " + (connected ? "connected" : "NOT connected (the step expects it"
                + " accepted in audit mode)"));
        if (!connected) {
            problems.add(SOURCE + " -> " + target + " did not connect with its only isolating policy in audit mode");
        }
        List<FlowRecord> wouldDeny = show(enforcer, mark, filter, "would-deny", say);
        check(wouldDeny, "would-deny", auditing, frontend, problems);

        // 3. enforcing again: one field back
        Path enforceFile = demo.directory().resolve(ENFORCE_FILE);
        List<ManifestObject> original = demo.defaultDenies().objects().stream()
                .filter(o -> o.resource().getMetadata().getNamespace().equals(db.namespace())).toList();
        ClusterSnapshot back = DemoManifests.with(audited, new Manifests(original, List.of()));
        say.accept("");
        say.accept("  $ kubectl apply -f " + enforceFile + "   (spec.enforcement absent: Enforce, the default)");
        List<HasMetadata> objects = original.stream().map(ManifestObject::resource).toList();
        enforced = rules.enforce(back, objects);
        mark = rules.flowLogs().log(node).nextSeq() - 1;
        connected = connect(lab, frontend);
        say.accept("  enforced in " + DemoCommand.millis(enforced.toNanos()) + "; " + SOURCE + " -> " + target + ": "
                + (connected ? "CONNECTED (the step expects it denied again)" : "denied again"));
        if (connected) {
            problems.add(SOURCE + " -> " + target + " connected after its DefaultDeny enforced again");
        }
        check(show(enforcer, mark, filter, "denied", say), "denied", isolating, frontend, problems);
        return new Outcome(back, problems.isEmpty() ? null : String.join("; ", problems));
    }

    /** One attempt from inside the database's pod; true when the front end's server accepted it. */
    private static boolean connect(Lab lab, Pod to) {
        String address = to.ips().get(0).toString();
        return lab.runInPod(SOURCE, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(address, PORT), CONNECT_TIMEOUT_MS);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /**
     * Prints {@code netfence flows} for the source pod after {@code mark} as a person runs it, waiting until a
     * record of {@code verdict} arrived (or {@link #RECORD_WAIT} passed); returns the records read.
     */
    private static List<FlowRecord> show(FlowsClient enforcer, long mark, FlowsClient.Filter filter, String verdict,
                                         Consumer<String> say) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + RECORD_WAIT.toNanos();
        List<FlowRecord> records;
        do {
            records = enforcer.fetch(mark, filter).records();
            if (records.stream().anyMatch(r -> r.verdict().equals(verdict)) || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(50);
        } while (true);
        say.accept("  $ netfence flows --url " + enforcer.base() + " --pod " + filter.pod() + " --since " + mark);
        if (records.isEmpty()) {
            say.accept("    (nothing logged within " + RECORD_WAIT.toSeconds() + " s)");
        }
        records.forEach(r -> say.accept("    " + FlowText.line(r)));
        return records;
    }

    /** The records are the flow, with the engine's verdict and deciding policies. */
    private static void check(List<FlowRecord> records, String verdict, List<String> policies, Pod to, List<String> problems) {
        String address = to.ips().get(0).toString();
        List<FlowRecord> matching = records.stream().filter(r -> r.port() == PORT && "TCP".equals(r.protocol())
                && address.equals(r.destinationAddress()) && SOURCE.equals(r.source())).toList();
        if (matching.isEmpty()) {
            problems.add("no flow record of " + SOURCE + " -> " + DESTINATION + ":" + PORT + " (" + verdict + ")");
            return;
        }
        for (FlowRecord r : matching) {
            if (!r.verdict().equals(verdict) || !"Egress".equals(r.direction()) || !r.policies().equals(policies)) {
                problems.add("flow record " + r.seq() + " says " + r.verdict() + " at " + r.direction() + " by " + r.policies()
                        + ", the engine " + verdict + " at Egress by " + policies);
            }
        }
    }

    private static List<String> names(List<ObjectRef> refs) {
        return refs.stream().map(ObjectRef::toString).toList();
    }

    private static Pod pod(ClusterSnapshot s, String key) {
        int slash = key.indexOf('/');
        return s.pod(key.substring(0, slash), key.substring(slash + 1))
                .orElseThrow(() -> new IllegalStateException("the demo cluster has no pod " + key));
    }
}
