package dev.netfence.lab.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netfence.enforcer.cni.CniEndpoint;
import dev.netfence.enforcer.cni.CniSettings;
import dev.netfence.enforcer.cni.PodAnnouncements;
import dev.netfence.enforcer.datapath.NftablesDatapath;
import dev.netfence.enforcer.loop.EnforcerLoop;
import dev.netfence.enforcer.loop.EnforcerObserver;
import dev.netfence.enforcer.loop.EnforcerSettings;
import dev.netfence.enforcer.loop.NewPodSettings;
import dev.netfence.enforcer.loop.StatusSink;
import dev.netfence.enforcer.source.FileRuleSetSource;
import dev.netfence.enforcer.source.RuleSetYaml;
import dev.netfence.lab.Lab;
import dev.netfence.lab.cni.NewPodTraffic.Receiver;
import dev.netfence.lab.cni.NewPodTraffic.Sender;
import dev.netfence.lab.netns.NamespaceExecutor;
import dev.netfence.policy.compile.RuleSetCompiler;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.PolicyPort;
import dev.netfence.policy.model.PolicyRule;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.Cidr;
import dev.netfence.policy.net.IpAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A new pod made through the real CNI path (Debian's ptp + host-local chained with the netfence
 * plugin, run from inside the lab node's namespace as a runtime does) under a DefaultDeny sends UDP
 * from the first instant its sandbox exists, before its interface does, to a pod on the same node:
 * to a port no policy allows (9000) and to one its own policy allows (9001). The receiver counts
 * what arrives. Fail-closed (the default): 0 denied datagrams arrive, ever; the allowed ones arrive
 * once the node's rule set names the pod. Fail-open: denied datagrams arrive until then (the window
 * this closes). The rule set is published through the enforcer's file source with its production
 * poll interval, half a second after the ADD returned, as an operator that compiles the pod once the
 * kubelet reports its address would.
 */
class NewPodFailClosedIT {
    static final Path PLUGIN = Path.of("../enforcer-core/target/cni/netfence").toAbsolutePath();
    static final Cidr POD_CIDR = Cidr.parse("10.244.9.0/24");
    static final String NODE = "node-a";
    static final IpAddress RECEIVER = IpAddress.parse("10.244.1.20");

    static ClusterSnapshot cluster() {
        return ClusterSnapshot.builder()
                .namespace(Namespace.of("shop")).namespace(Namespace.of("other"))
                .node(new Node(NODE, List.of(IpAddress.parse("172.31.0.11"))))
                .pod(new Pod("other", "recv", Map.of("app", "recv"), List.of(RECEIVER), NODE, false, List.of()))
                .defaultDeny(new DefaultDeny("shop", "deny-all", Set.of(Direction.INGRESS, Direction.EGRESS), false, false,
                        LabelSelector.of(Map.of())))
                .policy(new NetworkPolicy("shop", "new-to-recv-9001", LabelSelector.of("app", "new"), List.of("Egress"),
                        List.of(), List.of(new PolicyRule(List.of(Peer.namespaces(LabelSelector.of(
                                "kubernetes.io/metadata.name", "other"))), List.of(PolicyPort.of(Protocol.UDP, 9001)))),
                        Map.of()))
                .build();
    }

    record Outcome(long sentDenied, long deliveredDenied, long deliveredAllowed, Duration addTook,
                   Duration publishToAllowed, long heldBeforePublish) {
    }

    @Test
    void aNewPodUnderDefaultDenyGetsNoDeniedPacketThroughFromItsFirstInstant() throws Exception {
        Outcome o = run(NewPodSettings.DEFAULTS.withPodCidrs(List.of(POD_CIDR)));
        System.out.printf("fail-closed: %d denied datagrams sent, %d delivered; ADD took %d ms; allowed flow working %d ms"
                        + " after the rule set was published%n", o.sentDenied(), o.deliveredDenied(), o.addTook().toMillis(),
                o.publishToAllowed().toMillis());
        assertThat(o.sentDenied()).as("the probe really sent while the pod was new").isGreaterThan(200);
        assertThat(o.deliveredDenied()).as("denied datagrams counted at the receiver").isZero();
        assertThat(o.deliveredAllowed()).as("the allowed flow works once the rules arrive").isPositive();
        assertThat(o.heldBeforePublish()).as("allowed datagrams before the pod's rules: held too").isZero();
    }

    @Test
    void failOpenLetsTheNewPodThroughUntilItsRulesArrive() throws Exception {
        // the control: the same probe detects the window when the setting opens it
        Outcome o = run(NewPodSettings.DEFAULTS.withMode(NewPodSettings.Mode.FAIL_OPEN));
        System.out.printf("fail-open: %d denied datagrams sent, %d delivered before the rules arrived%n", o.sentDenied(),
                o.deliveredDenied());
        assertThat(o.deliveredDenied()).isPositive();
    }

    /**
     * An enforcer that stops while a new pod is held (crash, upgrade: nothing is removed from the kernel
     * on close) and starts again with its state directory: the pod stays held through the restart and
     * the new enforcer's first apply (a full, atomic replacement) still holds it; its rules then arrive.
     */
    @Test
    void aHeldPodStaysHeldAcrossAnEnforcerRestart() throws Exception {
        assumeTrue(Lab.prerequisitesMissing().isEmpty(), () -> "skipped: " + Lab.prerequisitesMissing().orElse(""));
        String missing = CniPods.prerequisitesMissing(PLUGIN);
        assumeTrue(missing == null, () -> "skipped: " + missing);
        Path work = Files.createTempDirectory("nf-cni");
        Path rules = Files.createDirectories(work.resolve("rules"));
        ClusterSnapshot before = cluster();
        publish(rules, before);
        NewPodSettings newPods = NewPodSettings.DEFAULTS; // announcements only, no pod CIDR: the state directory matters
        CniSettings cni = CniSettings.under(work);
        try (Lab lab = Lab.up(before);
             Receiver denied = receiver(lab, 9000)) {
            PodAnnouncements announced = PodAnnouncements.persistent(cni.stateDir());
            EnforcerLoop running = enforcer(lab, rules, newPods, announced);
            CniEndpoint endpoint = CniEndpoint.start(cni, running, announced);
            await().atMost(Duration.ofSeconds(20)).until(() -> running.state().appliedHash() != null);
            CniPods pods = new CniPods(lab, NODE, PLUGIN, cni.socket(), POD_CIDR, work);
            Sender sent = sender();
            try (pods; NamespaceExecutor inPod = new NamespaceExecutor(pods.sandbox(), 1)) {
                CniPods.CniPod pod = pods.add(inPod.namespace(), "shop", "new");
                CompletableFuture<Object> sender = inPod.submit(sent);
                await().atMost(Duration.ofSeconds(5)).until(() -> sent.sent(0) > 100);

                // the enforcer goes away (its socket with it) and comes back with what its state directory holds
                endpoint.close();
                running.close();
                long sentWhileDown = sent.sent(0);
                await().atMost(Duration.ofSeconds(5)).until(() -> sent.sent(0) > sentWhileDown + 100);
                PodAnnouncements reloaded = PodAnnouncements.persistent(cni.stateDir());
                assertThat(reloaded.get(pod.containerId())).isPresent();
                try (EnforcerLoop second = enforcer(lab, rules, newPods, reloaded);
                     CniEndpoint again = CniEndpoint.start(cni, second, reloaded)) {
                    await().atMost(Duration.ofSeconds(20)).until(() -> second.state().appliedHash() != null);
                    assertThat(second.state().lastResult().kind()).as("the restarted enforcer replaces the table whole")
                            .isEqualTo(dev.netfence.enforcer.nft.ApplyResult.Kind.FULL);
                    assertThat(second.waitingPods().pods()).extracting(a -> a.podKey()).containsExactly("shop/new");
                    long sentAfterRestart = sent.sent(0);
                    await().atMost(Duration.ofSeconds(5)).until(() -> sent.sent(0) > sentAfterRestart + 100);
                    sent.stop();
                    sender.get();
                    System.out.printf("restart: %d denied datagrams sent across the enforcer's stop and restart, %d delivered%n",
                            sent.sent(0), denied.count());
                    assertThat(denied.count()).isZero();
                    pods.delete(pod);
                }
            }
        }
    }

    /** From the new pod: 9000 (no policy allows it, index 0) and 9001 (its own policy allows it). */
    private static Sender sender() {
        return new Sender(List.of(Sender.target(RECEIVER, 9000), Sender.target(RECEIVER, 9001)));
    }

    private static Receiver receiver(Lab lab, int port) {
        return Receiver.open(lab, "other/recv", RECEIVER, port, POD_CIDR);
    }

    private static EnforcerLoop enforcer(Lab lab, Path rules, NewPodSettings newPods, PodAnnouncements announced) {
        EnforcerSettings settings = new EnforcerSettings(NODE, EnforcerSettings.Source.FILE, rules,
                EnforcerSettings.DEFAULT_POLL_INTERVAL, EnforcerSettings.DEFAULT_RETRY_INITIAL,
                EnforcerSettings.DEFAULT_RETRY_MAX, Optional.empty(), EnforcerSettings.DEFAULT_RESYNC_INTERVAL,
                EnforcerSettings.DEFAULT_COUNTER_INTERVAL, EnforcerSettings.DEFAULT_COALESCE_DELAY);
        return new EnforcerLoop(settings, new FileRuleSetSource(rules, NODE), new NftablesDatapath(lab.inNode(NODE)),
                StatusSink.NONE, EnforcerObserver.NONE, newPods, announced).start();
    }

    private Outcome run(NewPodSettings newPods) throws Exception {
        assumeTrue(Lab.prerequisitesMissing().isEmpty(), () -> "skipped: " + Lab.prerequisitesMissing().orElse(""));
        String missing = CniPods.prerequisitesMissing(PLUGIN);
        assumeTrue(missing == null, () -> "skipped: " + missing);
        Path work = Files.createTempDirectory("nf-cni");
        Path rules = Files.createDirectories(work.resolve("rules"));
        ClusterSnapshot before = cluster();
        publish(rules, before);
        try (Lab lab = Lab.up(before)) {
            PodAnnouncements announced = PodAnnouncements.persistent(work.resolve("pods"));
            EnforcerSettings settings = new EnforcerSettings(NODE, EnforcerSettings.Source.FILE, rules,
                    EnforcerSettings.DEFAULT_POLL_INTERVAL, EnforcerSettings.DEFAULT_RETRY_INITIAL,
                    EnforcerSettings.DEFAULT_RETRY_MAX, Optional.empty(), EnforcerSettings.DEFAULT_RESYNC_INTERVAL,
                    EnforcerSettings.DEFAULT_COUNTER_INTERVAL, EnforcerSettings.DEFAULT_COALESCE_DELAY);
            CniSettings cni = CniSettings.under(work);
            try (EnforcerLoop loop = new EnforcerLoop(settings, new FileRuleSetSource(rules, NODE),
                    new NftablesDatapath(lab.inNode(NODE)), StatusSink.NONE, EnforcerObserver.NONE, newPods, announced).start();
                 CniEndpoint endpoint = CniEndpoint.start(cni, loop, announced);
                 CniPods pods = new CniPods(lab, NODE, PLUGIN, cni.socket(), POD_CIDR, work);
                 Receiver denied = receiver(lab, 9000);
                 Receiver allowed = receiver(lab, 9001)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> loop.state().appliedHash() != null);

                String sandbox = pods.sandbox();
                Sender sent = sender();
                try (NamespaceExecutor inPod = new NamespaceExecutor(sandbox, 1)) {
                    CompletableFuture<Object> sender = inPod.submit(sent);
                    long t0 = System.nanoTime();
                    CniPods.CniPod pod = pods.add(sandbox, "shop", "new");
                    Duration addTook = Duration.ofNanos(System.nanoTime() - t0);
                    assertThat(pod.ips()).hasSize(1).allSatisfy(ip -> assertThat(POD_CIDR.contains(ip)).isTrue());
                    long sentAtAdd = sent.sent(0);
                    // the operator's lag: half a second in which the pod is announced but not compiled
                    if (newPods.failClosed()) {
                        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                                .until(() -> denied.count() == 0 && allowed.count() == 0);
                    } else {
                        // the control: the window is open until the rules arrive; the first datagram may take a moment
                        await().atMost(Duration.ofSeconds(5)).until(() -> denied.count() > 0);
                    }
                    long heldBeforePublish = allowed.count();
                    long deniedBeforePublish = denied.count();
                    ClusterSnapshot after = before.toBuilder().pod(new Pod("shop", "new", Map.of("app", "new"), pod.ips(),
                            NODE, false, List.of())).build();
                    long published = System.nanoTime();
                    publish(rules, after);
                    await().atMost(Duration.ofSeconds(15)).until(() -> allowed.count() > 0);
                    Duration toAllowed = Duration.ofNanos(System.nanoTime() - published);
                    String named = RuleSetCompiler.compile(after).forNode(NODE).ruleSet().contentHash();
                    await().atMost(Duration.ofSeconds(15)).until(() -> named.equals(loop.state().ruleSetHash()));
                    assertThat(loop.waitingPods().pods()).isEmpty();
                    // and the denied port stays closed once the pod is known (a datagram in flight may land)
                    await().atMost(Duration.ofSeconds(1)).pollDelay(Duration.ofMillis(50)).until(() -> true);
                    long deniedAtAllowed = denied.count();
                    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                            .until(() -> denied.count() == deniedAtAllowed);
                    sent.stop();
                    sender.get();
                    assertThat(sent.sent(0)).as("sent before the ADD returned").isGreaterThanOrEqualTo(sentAtAdd);

                    // DEL releases the pod; DEL of a pod never added succeeds; malformed stdin gets the spec's error
                    pods.delete(pod);
                    assertThat(announced.snapshot().pods()).isEmpty();
                    checkDelOfUnknownAndMalformedInput(pods, cni.socket());
                    return new Outcome(sent.sent(0), newPods.failClosed() ? denied.count() : deniedBeforePublish,
                            allowed.count(), addTook, toAllowed, heldBeforePublish);
                }
            }
        }
    }

    private static void checkDelOfUnknownAndMalformedInput(CniPods pods, Path socket) throws Exception {
        JsonNode netfence = new ObjectMapper().readTree(pods.conflist()).get("plugins").get(1);
        CniRuntime.Sandbox unknown = new CniRuntime.Sandbox("never-added", Path.of("/run/netns/none"), "eth0", "shop", "ghost");
        pods.runtime().call("DEL", netfence, null, unknown); // throws on a non-zero exit
        CniRuntime.Run bad = CniRuntime.run(PLUGIN, Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "x1",
                "CNI_NETNS", "/run/netns/none", "CNI_IFNAME", "eth0", "CNI_PATH", "/usr/lib/cni"),
                "{\"cniVersion\":\"1.0.0\",\"socket\":\"" + socket + "\",\"name\":\"n\",\"type\":\"netfence\",");
        assertThat(bad.exit()).isEqualTo(1);
        JsonNode e = new ObjectMapper().readTree(bad.stdout());
        assertThat(e.get("code").asInt()).isEqualTo(6);
        assertThat(e.get("msg").asText()).contains("not JSON");
    }

    private static void publish(Path dir, ClusterSnapshot snapshot) throws IOException {
        Path tmp = dir.resolve("." + NODE + ".tmp");
        Files.writeString(tmp, RuleSetYaml.write(RuleSetCompiler.compile(snapshot).forNode(NODE)));
        Files.move(tmp, dir.resolve(NODE + ".yaml"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
