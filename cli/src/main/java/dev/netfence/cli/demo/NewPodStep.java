package dev.netfence.cli.demo;

import dev.netfence.cli.simulate.ReachabilityMatrix;
import dev.netfence.lab.Lab;
import dev.netfence.lab.LabNode;
import dev.netfence.lab.PodRange;
import dev.netfence.lab.cni.LabPodNetwork;
import dev.netfence.lab.cni.NewPodTraffic;
import dev.netfence.lab.netns.NamespaceExecutor;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The demo's step 6: a pod starts in {@code shop} (DefaultDeny both ways) while the demo runs, made as
 * a kubelet and its runtime make one: a sandbox namespace, then the CNI ADD through the node's conflist
 * (Debian's plugin chained with netfence, whose ADD returns once the node's enforcer holds the pod's
 * addresses under the fail-closed rule, the production default), then the Pod object with
 * {@code spec.nodeName} and {@code status.podIP} (on the operator path: in the API server, from which
 * the operator publishes the NodeRuleSet that names the pod). From before its interface exists the pod
 * sends a UDP datagram every millisecond to {@code api:8080/UDP}, which no policy allows (counted at
 * a socket in the api pod), and tries {@code api:8080/TCP}, which its label's policies allow. The step
 * shows that none of the denied datagrams arrived and when the allowed connection first worked.
 */
final class NewPodStep {
    static final String NAMESPACE = "shop";
    static final String NAME = "frontend-2";
    static final Map<String, String> LABELS = Map.of("app", "frontend");
    /** The pod it talks to, on the same node (the lab routes a node's pod range only for the pods it planned). */
    static final String TARGET = "shop/api";
    static final int PORT = 8080;
    /** How long one connection attempt waits for the SYN-ACK: the resolution of the measured time. */
    static final int CONNECT_TIMEOUT_MS = 50;
    static final long GIVE_UP_MS = 30_000;

    record Outcome(ClusterSnapshot changed, String problem) {
    }

    private NewPodStep() {
    }

    static Outcome run(Lab lab, RulePath rules, ClusterSnapshot current, Consumer<String> say) throws Exception {
        Pod target = current.pod("shop", "api").orElseThrow(() -> new IllegalStateException("the demo cluster has no pod "
                + TARGET));
        IpAddress api = target.ips().get(0);
        LabNode node = lab.node(target.nodeName());
        PodRange range = node.podRanges().stream().filter(r -> r.subnet().v6() == api.v6()).findFirst()
                .orElseThrow(() -> new IllegalStateException("node " + node.name() + " has no pod range for " + api));
        LabPodNetwork cni = lab.podNetwork(node.name());
        String netns = lab.plan().prefix() + "new-" + NAME;
        String containerId = "nfnew-" + lab.runId() + "-" + NAME;
        ip("netns", "add", netns);
        NewPodTraffic.Sender sender = new NewPodTraffic.Sender(List.of(NewPodTraffic.Sender.target(api, PORT)));
        AtomicBoolean stop = new AtomicBoolean();
        // the pod's threads (its sender and its connection attempts), and the runtime's thread in the node: not the
        // node's own executor, which the node's enforcer uses for the apply that the plugin's ADD waits for
        try (NewPodTraffic.Receiver denied = NewPodTraffic.Receiver.open(lab, TARGET, api, PORT, range.subnet());
             NamespaceExecutor inPod = new NamespaceExecutor(netns, 2);
             NamespaceExecutor runtime = new NamespaceExecutor(node.namespace(), 1)) {
            CompletableFuture<Object> sending = inPod.submit(sender);
            CompletableFuture<Long> connected = inPod.submit(() -> firstConnection(api, stop));
            say.accept("  kubelet on " + node.name() + ": sandbox " + netns + " made; the pod sends from now on, before its"
                    + " interface exists");
            long add = System.nanoTime();
            List<IpAddress> ips = runtime.call(() -> cni.addNew(containerId, netns, NAMESPACE, NAME));
            long added = System.nanoTime();
            say.accept("  CNI ADD (" + cni.runtime().types().stream().reduce((a, b) -> a + " -> " + b).orElse("")
                    + ") returned in " + DemoCommand.millis(added - add) + ": " + NAMESPACE + "/" + NAME + " has " + ips
                    + ", held fail-closed by the node's enforcer until its rules name it");
            ClusterSnapshot changed = current.toBuilder().pod(new Pod(NAMESPACE, NAME, LABELS, ips, node.name(), false,
                    List.of())).build();
            String engine = engineDisagrees(changed);
            say.accept("  kubelet reports the pod: Pod " + NAMESPACE + "/" + NAME + " with spec.nodeName " + node.name()
                    + " and status.podIP " + ips.get(0));
            java.time.Duration enforced = rules.enforce(changed, List.of(podObject(node.name(), ips)));
            say.accept("  its rules enforced on " + lab.nodes().size() + " nodes " + DemoCommand.millis(
                    System.nanoTime() - add) + " after the ADD started (" + DemoCommand.millis(enforced.toNanos())
                    + " after the Pod was reported" + rules.lastTiming() + ")");
            Long first;
            try {
                first = connected.get();
            } finally {
                stop.set(true);
            }
            // the denied port stays closed once the pod is known: another half second of datagrams
            Thread.sleep(500);
            sender.stop();
            sending.get();
            long sent = sender.sent(0);
            long arrived = denied.count();
            say.accept("  denied  " + NAMESPACE + "/" + NAME + " -> api:" + PORT + "/UDP   " + sent + " datagrams sent, "
                    + arrived + " arrived");
            say.accept("  allowed " + NAMESPACE + "/" + NAME + " -> api:" + PORT + "/TCP   " + (first == null
                    ? "NOT working " + GIVE_UP_MS / 1000 + " s after the ADD"
                    : "first connection " + DemoCommand.millis(first - add) + " after the ADD started (attempts every "
                    + CONNECT_TIMEOUT_MS + " ms)"));
            String problem = engine != null ? engine : arrived > 0 ? arrived + " datagrams that the policy denies reached api from the new pod"
                    : first == null ? "the new pod's allowed connection to api:" + PORT + " did not work"
                    : sent == 0 ? "the new pod sent nothing" : null;
            return new Outcome(changed, problem);
        } finally {
            stop.set(true);
            sender.stop();
        }
    }

    /** The engine's word on both flows, so the step shows the kernel doing what the engine predicts. */
    private static String engineDisagrees(ClusterSnapshot probe) {
        if (allowed(probe, Protocol.UDP)) {
            return "the engine allows " + NAMESPACE + "/" + NAME + " -> api:" + PORT + "/UDP, which the step expects denied";
        }
        if (!allowed(probe, Protocol.TCP)) {
            return "the engine denies " + NAMESPACE + "/" + NAME + " -> api:" + PORT + "/TCP, which the step expects allowed";
        }
        return null;
    }

    private static boolean allowed(ClusterSnapshot s, Protocol protocol) {
        ReachabilityMatrix m = ReachabilityMatrix.compute(s, protocol, PORT);
        int from = index(m, NAMESPACE, NAME);
        int to = index(m, "shop", "api");
        return m.allowed()[from][to];
    }

    private static int index(ReachabilityMatrix m, String namespace, String name) {
        for (int i = 0; i < m.pods().size(); i++) {
            if (m.pods().get(i).namespace().equals(namespace) && m.pods().get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalStateException("no pod " + namespace + "/" + name + " in the matrix");
    }

    /** The Pod as the kubelet reports it once the ADD returned. */
    private static HasMetadata podObject(String node, List<IpAddress> ips) {
        return new PodBuilder().withNewMetadata().withNamespace(NAMESPACE).withName(NAME).withLabels(LABELS).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("web").withImage("nginx:1.27").endContainer()
                .endSpec()
                .withNewStatus().withPhase("Running").withPodIP(ips.get(0).toString())
                .withPodIPs(ips.stream().map(ip -> new PodIP(ip.toString())).toList()).endStatus()
                .build();
    }

    /**
     * Connection attempts to api:8080 from the pod until one is accepted; returns {@link System#nanoTime()}
     * when it was, or null after {@link #GIVE_UP_MS}. A held SYN gets no answer: the attempt times out.
     */
    private static Long firstConnection(IpAddress api, AtomicBoolean stop) throws InterruptedException {
        long deadline = System.nanoTime() + GIVE_UP_MS * 1_000_000;
        InetSocketAddress to = NewPodTraffic.Sender.target(api, PORT);
        while (!stop.get() && System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(to, CONNECT_TIMEOUT_MS);
                return System.nanoTime();
            } catch (IOException e) {
                Thread.sleep(1); // no interface yet, or held: try again
            }
        }
        return null;
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out.strip());
        }
    }
}
