package dev.netfence.cli.demo;

import dev.netfence.cli.ExitCodes;
import dev.netfence.cli.UserInputException;
import dev.netfence.cli.simulate.ReachabilityMatrix;
import dev.netfence.crds.manifest.Manifests;
import dev.netfence.lab.Lab;
import dev.netfence.lab.LabEnforcer;
import dev.netfence.lab.LabOptions;
import dev.netfence.lab.cni.LabNodeEnforcers;
import dev.netfence.lab.LabException;
import dev.netfence.lab.netns.NetworkNamespaces;
import dev.netfence.policy.analysis.Change;
import dev.netfence.policy.analysis.PolicyObject;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.webhook.AdmissionDecision;
import dev.netfence.webhook.AdmissionJudge;
import dev.netfence.webhook.ClusterView;
import dev.netfence.webhook.WebhookSettings;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.ContainerPort;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.Protocol;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code netfence demo}: a small shop on a lab of network namespaces, walked through five steps
 * (no policy; a DefaultDeny per namespace; the policies that open the shop; a change refused at
 * admission because it would cut DNS; a change that cuts a live connection it no longer allows
 * while another stays up, {@link RevocationStep}; a pod that starts under a DefaultDeny and sends from its first instant,
 * {@link NewPodStep}; a denied connection in the flow log, then its policy in audit mode, {@link FlowLogStep}). After each step the matrix measured with real packets is
 * printed next to the engine's prediction, with the time from applying to enforced.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Watch Netfence enforce NetworkPolicies on real packets (needs root).",
                "Builds a lab of network namespaces from the demo manifests, applies them step by step through the",
                "operator and one enforcer per node, and prints after each step the measured reachability next to",
                "the engine's prediction.",
                "Exit 0 when every measured matrix equals the predicted one, 3 when one differs."})
public class DemoCommand implements Callable<Integer> {

    /**
     * Steps 1-3 enforce, 4 is refused at admission, 5 revokes a connection, 6 starts a pod under a DefaultDeny,
     * 7 shows a denial in the flow log and a policy in audit mode.
     */
    static final int STEPS = 7;

    /** A measured matrix differs from the predicted one. */
    public static final int MISMATCH = 3;

    static final String LEGEND = "rows: from, columns: to (numbered as the rows); '.' reached, 'X' not reached, "
            + "'!' the kernel disagreed with the engine";

    @Spec
    CommandSpec spec;

    @Option(names = "--non-interactive", description = "Run every step without pausing.")
    boolean nonInteractive;

    @Option(names = "--keep", description = "Leave the lab (network namespaces nf-<run>-*, with the rules of the last step) "
            + "for exploration with `ip netns exec`; remove it with `netfence lab down RUN_ID`.")
    boolean keep;

    @Option(names = "--manifests", paramLabel = "DIR", description = "The demo's manifests (default: demo/ of this checkout).")
    Path manifestsDir;

    /** How rules reach the nodes. */
    enum RulePathKind { operator, direct }

    @Option(names = "--rule-path", defaultValue = "operator", paramLabel = "PATH",
            description = {"operator (default): objects go to an embedded Kubernetes API server, the operator publishes "
                    + "NodeRuleSets and AddressSets, one enforcer per node applies them;",
                    "direct: the compiler's rule sets are applied straight into each node (no API server)."})
    RulePathKind rulePath;

    private PrintWriter out;
    /** One reader for all pauses: a second one would lose what the first buffered. */
    private BufferedReader stdin;
    private final List<String> mismatches = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!NetworkNamespaces.isRoot()) {
            throw new UserInputException("netfence demo builds network namespaces and loads nftables rules, so it needs root. "
                    + "Run it with sudo: sudo " + launcher() + " demo");
        }
        SystemPackages.ensureInstalled(err);
        Lab.prerequisitesMissing().ifPresent(reason -> {
            throw new UserInputException(reason);
        });
        LabEnforcer.unavailableReason().ifPresent(reason -> {
            throw new UserInputException(reason);
        });
        long started = System.nanoTime();
        DemoManifests demo = DemoManifests.load(manifestsDir != null ? manifestsDir : defaultManifests());
        List<Probe> probes = probes(demo.bare());

        say("netfence demo: a small shop on a lab of network namespaces, enforced by Netfence with nftables");
        say("  manifests  " + demo.directory() + " (" + demo.bare().podsWithIps().size() + " pods on "
                + demo.bare().nodes().size() + " nodes)");
        say("  probes     " + probes.stream().map(Probe::toString).collect(Collectors.joining(", "))
                + ": every pod to every pod, real connections");
        long t = System.nanoTime();
        // the rule path first, as on a cluster: its enforcers run on each node before the pods, which the lab then
        // makes through the node's conflist (Debian's plugins chained with netfence)
        LabNodeEnforcers direct = null;
        OperatorPath operator = null;
        // each node's enforcer with the enforcer application's default flow log (denials logged, 300 records/s)
        NodeFlowLogs flowLogs = new NodeFlowLogs();
        if (rulePath == RulePathKind.direct) {
            direct = new LabNodeEnforcers(demo.bare()).withFlowLogs(flowLogs::start);
        } else {
            operator = OperatorPath.start(checkoutRoot().resolve("crds"), DemoManifests.resources(demo.cluster()).stream()
                    .filter(o -> o instanceof io.fabric8.kubernetes.api.model.Node).toList(), flowLogs);
        }
        RulePath path = direct != null ? new LabEnforcerPath(direct, flowLogs) : operator;
        long pathStarted = System.nanoTime() - t;
        t = System.nanoTime();
        Lab lab;
        try {
            lab = Lab.up(demo.bare(), LabOptions.DEFAULT.withEnforcers(direct != null ? direct : operator));
        } catch (LabException e) {
            path.close();
            throw new UserInputException(e.getMessage());
        } catch (RuntimeException e) {
            path.close();
            throw e;
        }
        say("  lab        run " + lab.runId() + " up in " + millis(System.nanoTime() - t) + " (network namespaces "
                + lab.plan().prefix() + "*; pods made through CNI: " + lab.plan().topology().name().toLowerCase(Locale.ROOT)
                + ", chained with netfence)");
        boolean kept = false;
        try (RulePath rules = path) {
            say("  rules      " + rules.description() + " (started in " + millis(pathStarted) + ")");
            say("  legend     " + LEGEND);

            ClusterSnapshot none = demo.bare();
            step(1, "Connectivity before any policy", "no NetworkPolicy, no DefaultDeny: every pod reaches every pod",
                    demo.files(demo.cluster()), DemoManifests.resources(demo.cluster()), none, rules, lab, probes);
            ClusterSnapshot denied = demo.denied();
            step(2, "A DefaultDeny per namespace", "shop and shop-data are isolated both ways; DNS stays open (allowDNS)",
                    demo.files(demo.defaultDenies()), DemoManifests.resources(demo.defaultDenies()), denied, rules, lab, probes);
            ClusterSnapshot opened = demo.opened();
            step(3, "The policies the shop needs", "anyone -> frontend:8080, frontend -> api:8080, api -> db:5432",
                    demo.files(demo.policies()), DemoManifests.resources(demo.policies()), opened, rules, lab, probes);
            refusedStep(demo, opened, lab, probes);
            ClusterSnapshot revoked = revocationStep(demo, opened, rules, lab, probes);
            ClusterSnapshot withNewPod = newPodStep(revoked, rules, lab);
            flowLogStep(demo, withNewPod, rules, lab);

            long total = System.nanoTime() - started;
            say("");
            if (mismatches.isEmpty()) {
                say("done in " + seconds(total) + ": every measured matrix equals the engine's prediction");
            } else {
                say("done in " + seconds(total) + ": " + mismatches.size() + " cells where the kernel disagreed with the engine:");
                mismatches.forEach(m -> say("  " + m));
            }
            if (keep) {
                String run = lab.keep();
                kept = true;
                say("");
                say("the lab is left running (run " + run + ") with the rules of the last step; explore it, e.g.:");
                say("  ip netns list | grep nf-" + run);
                say("  ip netns exec " + lab.nodeNamespace(lab.nodes().get(0).name()) + " nft list table inet netfence");
                say("remove it with: " + launcher() + " lab down " + run);
            }
        } finally {
            if (!kept) {
                lab.close();
            }
        }
        return mismatches.isEmpty() ? ExitCodes.OK : MISMATCH;
    }

    private void step(int n, String title, String what, List<Path> files, List<HasMetadata> objects, ClusterSnapshot state,
                      RulePath rules, Lab lab, List<Probe> probes) throws Exception {
        pause(n);
        header(n, title, what);
        for (Path file : files) {
            say("  $ kubectl apply -f " + file);
        }
        Duration enforced;
        try {
            enforced = rules.enforce(state, objects);
        } catch (NotEnforcedException e) {
            mismatches.add("step " + n + ": " + e.getMessage());
            say("  NOT enforced: " + e.getMessage());
            progress(n, title, "not enforced", 0, -1);
            return;
        }
        say("  enforced on " + lab.nodes().size() + " nodes in " + millis(enforced.toNanos()) + " after applying" + rules.lastTiming());
        long t = System.nanoTime();
        int differing = measure(state, lab, probes);
        progress(n, title, "enforced in " + millis(enforced.toNanos()), System.nanoTime() - t, differing);
    }

    private void refusedStep(DemoManifests demo, ClusterSnapshot current, Lab lab, List<Probe> probes) {
        int n = 4;
        String title = "A change that would cut DNS";
        pause(n);
        header(n, title, "the admission webhook's analysis judges it before it reaches the cluster");
        // the webhook's own decision, with the webhook's default settings (DNS critical: UDP refused, TCP warned)
        AdmissionJudge judge = new AdmissionJudge(WebhookSettings.DEFAULT);
        boolean refused = true;
        for (PolicyObject object : DemoManifests.policyObjects(demo.refused())) {
            String file = demo.refused().objects().stream()
                    .filter(o -> o.ref() != null && o.ref().equals(object.ref())).findFirst()
                    .map(o -> o.file().toString()).orElse(demo.directory().toString());
            say("  $ kubectl apply -f " + file);
            AdmissionDecision answer = judge.decide(ClusterView.of(current, List.of()), kubectlApply(current, object));
            answer.warnings().forEach(w -> say("  Warning: " + w));
            if (answer.allowed()) {
                refused = false;
                mismatches.add(object.ref() + " was admitted, but the demo expects the webhook to refuse it");
                say("  admitted (unexpected): the demo's step 4 expects a refusal");
                continue;
            }
            say("  Error from server (Forbidden): admission webhook \"" + AdmissionJudge.WEBHOOK_NAME
                    + "\" denied the request: " + indent(answer.refusal().get()));
            ClusterSnapshot wouldBe = admitted(current, answer.change());
            Probe dns = probes.stream().filter(p -> p.protocol == Protocol.UDP && p.port == 53).findFirst()
                    .orElse(probes.get(0));
            say("");
            say("  had it been admitted, the engine predicts on " + dns + " (to coredns: X):");
            printMatrix(ReachabilityMatrix.compute(wouldBe, dns.protocol, dns.port));
        }
        say("");
        say("  nothing was written: the rules of step 3 stay, and DNS still works:");
        long t = System.nanoTime();
        int differing = measure(current, lab, probes);
        progress(n, title, refused ? "refused at admission" : "NOT refused", System.nanoTime() - t, differing);
    }

    private ClusterSnapshot revocationStep(DemoManifests demo, ClusterSnapshot current, RulePath rules, Lab lab,
                                           List<Probe> probes) throws Exception {
        int n = 5;
        String title = "A change cuts a live connection it no longer allows";
        pause(n);
        header(n, title, "established connections the new rules deny are cut (connection revocation); the others stay up");
        RevocationStep.Outcome outcome = RevocationStep.run(lab, rules, demo, current, this::say);
        if (outcome.problem() != null) {
            mismatches.add("step " + n + ": " + outcome.problem());
        }
        long t = System.nanoTime();
        int differing = measure(outcome.changed(), lab, probes);
        progress(n, title, outcome.problem() == null ? "cut the denied connection, kept the allowed one" : outcome.problem(),
                System.nanoTime() - t, differing);
        return outcome.changed();
    }

    private ClusterSnapshot newPodStep(ClusterSnapshot current, RulePath rules, Lab lab) throws Exception {
        int n = 6;
        String title = "A new pod under a DefaultDeny, sending from its first instant";
        pause(n);
        header(n, title, "made through the node's CNI (fail-closed, the default): nothing the policies deny gets out before"
                + " its rules arrive");
        String problem;
        ClusterSnapshot changed = current;
        try {
            NewPodStep.Outcome outcome = NewPodStep.run(lab, rules, current, this::say);
            problem = outcome.problem();
            changed = outcome.changed();
        } catch (NotEnforcedException e) {
            problem = "the new pod's rules were not enforced: " + e.getMessage();
        }
        if (problem != null) {
            mismatches.add("step " + n + ": " + problem);
        }
        say("[" + n + "/" + STEPS + "] " + title + ": " + (problem == null
                ? "0 denied datagrams arrived, the allowed connection worked" : problem));
        return changed;
    }

    private void flowLogStep(DemoManifests demo, ClusterSnapshot current, RulePath rules, Lab lab) throws Exception {
        int n = 7;
        String title = "What the policies deny, in the flow log; a policy in audit mode";
        pause(n);
        header(n, title, "each node's enforcer logs the packets its policies deny, with the deciding policy (netfence flows);"
                + " an audited policy denies nothing and logs what it would deny");
        String problem;
        try {
            problem = FlowLogStep.run(lab, rules, demo, current, this::say).problem();
        } catch (NotEnforcedException e) {
            problem = "not enforced: " + e.getMessage();
        }
        if (problem != null) {
            mismatches.add("step " + n + ": " + problem);
        }
        say("[" + n + "/" + STEPS + "] " + title + ": " + (problem == null
                ? "denied and logged with its DefaultDeny; in audit mode connected and logged would-deny; denied again"
                + " once enforcing" : problem));
    }

    /** What {@code kubectl apply} sends: an UPDATE of the object if the cluster holds one of that name, else a CREATE. */
    private static Change kubectlApply(ClusterSnapshot cluster, PolicyObject object) {
        Optional<PolicyObject> existing;
        if (object instanceof PolicyObject.Policy p) {
            existing = cluster.policiesInNamespace(p.policy().namespace()).stream()
                    .filter(x -> x.name().equals(p.policy().name())).findFirst().map(PolicyObject::of);
        } else {
            DefaultDeny dd = ((PolicyObject.Deny) object).defaultDeny();
            existing = cluster.defaultDeniesInNamespace(dd.namespace()).stream().filter(x -> x.name().equals(dd.name()))
                    .findFirst().map(x -> PolicyObject.of(x, Map.of()));
        }
        return existing.map(old -> Change.update(old, object)).orElseGet(() -> Change.create(object));
    }

    /** The cluster as it would be had the change been admitted. */
    private static ClusterSnapshot admitted(ClusterSnapshot cluster, Change change) {
        ClusterSnapshot.Builder b = cluster.toBuilder();
        change.removed().forEach(o -> o.removeFrom(b));
        change.added().forEach(o -> o.addTo(b));
        return b.build();
    }

    /** Probes every port, prints measured next to predicted, and returns how many cells differ. */
    private int measure(ClusterSnapshot state, Lab lab, List<Probe> probes) {
        int differing = 0;
        for (Probe p : probes) {
            MatrixPair pair = new MatrixPair(lab.measure(p.port, p.protocol), ReachabilityMatrix.compute(state, p.protocol, p.port));
            out.print(pair.render());
            List<String> diff = pair.differences();
            diff.forEach(d -> mismatches.add(p + " " + d));
            differing += diff.size();
        }
        out.flush();
        return differing;
    }

    private void printMatrix(ReachabilityMatrix m) {
        List<String> names = m.names();
        int width = names.stream().mapToInt(String::length).max().orElse(0) + 3;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            String label = (i + 1) + " " + names.get(i);
            sb.append("    ").append(label).append(" ".repeat(Math.max(1, width - label.length())));
            for (int j = 0; j < names.size(); j++) {
                sb.append(j == 0 ? "" : " ").append(m.allowed()[i][j] ? '.' : 'X');
            }
            sb.append('\n');
        }
        out.print(sb);
        out.flush();
    }

    private void header(int n, String title, String what) {
        say("");
        say("Step " + n + "/" + STEPS + "  " + title);
        say("  " + what);
    }

    private void progress(int n, String title, String enforcement, long probeNanos, int differing) {
        say("[" + n + "/" + STEPS + "] " + title + ": " + enforcement + "; probed in " + seconds(probeNanos)
                + "; " + (differing == 0 ? "measured = predicted" : differing < 0 ? "not measured"
                : differing + " cells differ from the prediction"));
    }

    private void pause(int n) {
        if (nonInteractive || System.console() == null) {
            return;
        }
        out.print(n == 1 ? "\npress Enter to start (Ctrl-C stops and removes the lab) " : "\npress Enter for step " + n + " ");
        out.flush();
        try {
            if (stdin == null) {
                stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            }
            stdin.readLine();
        } catch (IOException e) {
            // no terminal to read from: go on
        }
    }

    private void say(String line) {
        out.println(line);
        out.flush();
    }

    /** What to probe: every declared container port (TCP/UDP), by port then protocol. */
    static List<Probe> probes(ClusterSnapshot cluster) {
        Set<Probe> all = new LinkedHashSet<>();
        for (Pod p : cluster.podsWithIps()) {
            for (ContainerPort cp : p.ports()) {
                if (cp.protocol() != Protocol.SCTP) {
                    all.add(new Probe(cp.port(), cp.protocol()));
                }
            }
        }
        return all.stream().sorted(Comparator.comparingInt((Probe p) -> -p.port).thenComparing(p -> p.protocol)).toList();
    }

    record Probe(int port, Protocol protocol) {
        @Override
        public String toString() {
            return port + "/" + protocol;
        }
    }

    private static String indent(String message) {
        return message.replace("\n", "\n  ");
    }

    static String millis(long nanos) {
        return nanos >= 10_000_000_000L ? seconds(nanos) : (nanos / 1_000_000) + " ms";
    }

    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    /** demo/ of the checkout. */
    static Path defaultManifests() {
        return checkoutRoot().resolve("demo");
    }

    /**
     * The Netfence checkout: the working directory when it is one (it has demo/ and crds/), else the
     * one this jar was built in (cli/target/quarkus-app/..), else the working directory (whose missing
     * files then name themselves in the error).
     */
    static Path checkoutRoot() {
        Path here = Path.of("");
        if (isCheckout(here)) {
            return here;
        }
        try {
            Path jar = Path.of(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path dir = jar.getParent(); dir != null; dir = dir.getParent()) {
                if (isCheckout(dir)) {
                    return dir;
                }
            }
        } catch (URISyntaxException | RuntimeException e) {
            // fall through to the working directory
        }
        return here;
    }

    private static boolean isCheckout(Path dir) {
        return Files.isDirectory(dir.resolve("demo")) && Files.isDirectory(dir.resolve("crds"));
    }

    /** How the user started us, for messages that say what to run. */
    static String launcher() {
        String fromScript = System.getenv("NETFENCE_LAUNCHER");
        return fromScript != null && !fromScript.isBlank() ? fromScript : "netfence";
    }
}
