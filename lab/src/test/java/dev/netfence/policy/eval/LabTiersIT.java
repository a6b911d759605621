package dev.netfence.policy.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.netfence.lab.Lab;
import dev.netfence.lab.LabEnforcer;
import dev.netfence.lab.LabOptions;
import dev.netfence.lab.LabTopology;
import dev.netfence.lab.ProbeResult;
import dev.netfence.lab.ProbeTimings;
import dev.netfence.lab.ReachabilityMatrix;
import dev.netfence.lab.cni.LabNodeEnforcers;
import dev.netfence.policy.model.ClusterNetworkPolicy;
import dev.netfence.policy.model.ClusterPeer;
import dev.netfence.policy.model.ClusterPort;
import dev.netfence.policy.model.ClusterRule;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.ClusterSubject;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.PolicyRule;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.model.RuleAction;
import dev.netfence.policy.model.Tier;
import dev.netfence.policy.testing.E2eModel;
import dev.netfence.policy.testing.Reachability;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ClusterNetworkPolicy tiers enforced for real on the e2e model (x/y/z, a/b/c on two nodes, c on node-2, so
 * every case crosses nodes too): the lab of {@link LabE2eIT} (CNI-made pods, one production enforcer loop per
 * node) applies the compiler's rule sets with their Admin and Baseline tier chains, and the matrix measured
 * with real packets (TCP/80 over IPv4 and IPv6, UDP/80 over IPv4; TCP/81 where a case is about a port) must
 * equal the engine's matrix ({@link PolicyEngine} with {@code TierEvaluator}) cell for cell.
 */
class LabTiersIT {

    private static final LabelSelector ALL = LabelSelector.ALL;
    private static Lab lab;
    private static LabNodeEnforcers enforcers;

    /** One case: the snapshot to enforce, and the probes that judge it (TCP/80 v4, v6 and UDP/80 v4 unless given). */
    record Case(ClusterSnapshot snapshot, List<Probe> probes) {
    }

    record Probe(Protocol protocol, int port, boolean v6) {
        @Override
        public String toString() {
            return protocol + "/" + port + (v6 ? " IPv6" : " IPv4");
        }
    }

    private static final List<Probe> STANDARD = List.of(new Probe(Protocol.TCP, 80, false), new Probe(Protocol.TCP, 80, true),
            new Probe(Protocol.UDP, 80, false));

    @BeforeAll
    static void up() {
        assumeTrue(Lab.prerequisitesMissing().isEmpty(), () -> "skipped: " + Lab.prerequisitesMissing().orElse(""));
        assumeTrue(LabEnforcer.unavailableReason().isEmpty(), () -> "skipped: " + LabEnforcer.unavailableReason().orElse(""));
        ProbeTimings quick = new ProbeTimings(Duration.ofMillis(300), Duration.ofMillis(400), Duration.ofMillis(100));
        ClusterSnapshot model = E2eModel.builder().build();
        enforcers = new LabNodeEnforcers(model);
        lab = Lab.up(model, LabOptions.DEFAULT.withTimings(quick).withTopology(LabTopology.ROUTED).withEnforcers(enforcers));
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
        if (enforcers != null) {
            enforcers.close();
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                tiers("Admin Deny of a namespace: nothing from y reaches any pod", STANDARD,
                        cnp("deny-from-y", Tier.ADMIN, 10, ClusterSubject.namespaces(ALL),
                                List.of(rule("from-y", RuleAction.DENY, namespaces("y"))), List.of())),
                tiers("Admin Pass then NetworkPolicy: x's NetworkPolicy decides for y, Admin denies the rest", STANDARD,
                        List.of(networkPolicy("x", "from-y-a", ingressFrom(Peer.podsInNamespaces(LabelSelector.of("pod", "a"),
                                LabelSelector.of("ns", "y"))))),
                        cnp("x-guard", Tier.ADMIN, 10, ClusterSubject.namespaces(LabelSelector.of("ns", "x")),
                                List.of(rule("pass-y", RuleAction.PASS, namespaces("y")),
                                        rule("deny-rest", RuleAction.DENY, new ClusterPeer.Namespaces(ALL))), List.of())),
                tiers("Admin Accept on egress still needs the destination's ingress: x may send to y, y/a's"
                                + " NetworkPolicy denies it, x's own deny-all egress NetworkPolicy is overridden", STANDARD,
                        List.of(networkPolicy("y", "a-closed", LabelSelector.of("pod", "a"), List.of("Ingress"), List.of(), null),
                                networkPolicy("x", "no-egress", ALL, List.of("Egress"), null, List.of())),
                        cnp("x-to-y", Tier.ADMIN, 10, ClusterSubject.namespaces(LabelSelector.of("ns", "x")),
                                List.of(), List.of(rule("to-y", RuleAction.ACCEPT, namespaces("y"))))),
                tiers("Baseline deny-all egress with a DNS-style Accept to z/c on TCP and UDP 80", STANDARD,
                        cnp("baseline", Tier.BASELINE, 0, ClusterSubject.namespaces(ALL), List.of(), List.of(
                                new ClusterRule("dns", RuleAction.ACCEPT, List.of(new ClusterPeer.Pods(LabelSelector.of("ns", "z"),
                                        LabelSelector.of("pod", "c"))), List.of(ClusterPort.port(Protocol.UDP, 80),
                                        ClusterPort.port(Protocol.TCP, 80))),
                                rule("deny-all", RuleAction.DENY, new ClusterPeer.Namespaces(ALL))))),
                tiers("Baseline deny-all ingress overridden by a NetworkPolicy: y/a allows everyone", STANDARD,
                        List.of(networkPolicy("y", "a-open", LabelSelector.of("pod", "a"), List.of("Ingress"),
                                List.of(PolicyRule.ALLOW_ALL), null)),
                        cnp("baseline", Tier.BASELINE, 0, ClusterSubject.namespaces(ALL),
                                List.of(rule("deny-all", RuleAction.DENY, new ClusterPeer.Namespaces(ALL))), List.of())),
                tiers("networks peer matching pod addresses: x may not send to y's pod networks (IPv4 and IPv6)", STANDARD,
                        cnp("x-not-to-y-net", Tier.ADMIN, 10, ClusterSubject.namespaces(LabelSelector.of("ns", "x")), List.of(),
                                List.of(rule("y-net", RuleAction.DENY, new ClusterPeer.Networks(List.of("10.0.2.0/24",
                                        "fd00::2:0/112")))))),
                tiers("named port: z may not reach serve-81-tcp, port 80 stays open",
                        List.of(new Probe(Protocol.TCP, 81, false), new Probe(Protocol.TCP, 80, false), new Probe(Protocol.UDP, 81, false)),
                        cnp("no-81-from-z", Tier.ADMIN, 10, ClusterSubject.namespaces(ALL),
                                List.of(new ClusterRule("z-81", RuleAction.DENY, List.of(namespaces("z")),
                                        List.of(ClusterPort.named("serve-81-tcp")))), List.of())),
                tiers("priority tie resolved by name: aaa-deny (z) before bbb-accept (all) before ccc-deny (all)", STANDARD,
                        cnp("ccc-deny", Tier.ADMIN, 5, ClusterSubject.namespaces(ALL),
                                List.of(rule("all", RuleAction.DENY, new ClusterPeer.Namespaces(ALL))), List.of()),
                        cnp("bbb-accept", Tier.ADMIN, 5, ClusterSubject.namespaces(ALL),
                                List.of(rule("all", RuleAction.ACCEPT, new ClusterPeer.Namespaces(ALL))), List.of()),
                        cnp("aaa-deny", Tier.ADMIN, 5, ClusterSubject.namespaces(ALL),
                                List.of(rule("z", RuleAction.DENY, namespaces("z"))), List.of())),
                tiers("Admin Pass to Baseline: y passes Admin's deny and is denied by Baseline, x's egress to z is"
                                + " accepted by Baseline before its deny-all", STANDARD,
                        cnp("admin", Tier.ADMIN, 1, ClusterSubject.namespaces(ALL),
                                List.of(rule("pass-y", RuleAction.PASS, namespaces("y")),
                                        rule("deny-z", RuleAction.DENY, namespaces("z"))), List.of()),
                        cnp("base", Tier.BASELINE, 1, ClusterSubject.pods(ALL, LabelSelector.of("pod", "b")),
                                List.of(rule("deny-y", RuleAction.DENY, namespaces("y"))),
                                List.of(rule("to-z", RuleAction.ACCEPT, namespaces("z")),
                                        rule("deny-all", RuleAction.DENY, new ClusterPeer.Namespaces(ALL))))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void tiersMeasuredWithRealPacketsEqualTheEngine(Case c) {
        enforcers.enforce(c.snapshot());
        // all probes at once: a probe spends its time waiting for dropped handshakes to time out
        List<CompletableFuture<ProbeResult>> results = c.probes().stream()
                .map(p -> CompletableFuture.supplyAsync(() -> lab.probe(p.port(), p.protocol(), p.v6()))).toList();
        boolean someDenied = false;
        boolean someAllowed = false;
        for (int i = 0; i < c.probes().size(); i++) {
            Probe p = c.probes().get(i);
            ReachabilityMatrix measured = LabE2eIT.measured(results.get(i).join());
            Reachability engine = Reachability.probe(c.snapshot(), p.protocol(), p.port(), p.v6());
            ReachabilityMatrix predicted = LabE2eIT.matrix(engine, p.protocol(), p.port());
            assertThat(measured.differences(predicted)).as("measured vs engine, %s", p).isEmpty();
            for (String from : E2eModel.podKeys()) {
                for (String to : E2eModel.podKeys()) {
                    boolean allowed = engine.allowed(from, to);
                    someDenied |= !allowed;
                    someAllowed |= allowed;
                }
            }
        }
        // every case decides something both ways, so an enforcer that ignored the tiers (or denied all) would fail it
        assertThat(someDenied).as("the case denies something").isTrue();
        assertThat(someAllowed).as("the case allows something").isTrue();
    }

    private static Arguments tiers(String name, List<Probe> probes, ClusterNetworkPolicy... cnps) {
        return tiers(name, probes, List.of(), cnps);
    }

    private static Arguments tiers(String name, List<Probe> probes, List<NetworkPolicy> policies, ClusterNetworkPolicy... cnps) {
        ClusterSnapshot.Builder b = E2eModel.builder();
        policies.forEach(b::policy);
        for (ClusterNetworkPolicy cnp : cnps) {
            b.clusterPolicy(cnp);
        }
        return Arguments.of(Named.of(name, new Case(b.build(), probes)));
    }

    private static ClusterNetworkPolicy cnp(String name, Tier tier, int priority, ClusterSubject subject,
                                            List<ClusterRule> ingress, List<ClusterRule> egress) {
        return new ClusterNetworkPolicy(name, tier, priority, subject, ingress, egress);
    }

    private static ClusterRule rule(String name, RuleAction action, ClusterPeer peer) {
        return new ClusterRule(name, action, List.of(peer), List.of());
    }

    private static ClusterPeer namespaces(String ns) {
        return new ClusterPeer.Namespaces(LabelSelector.of("ns", ns));
    }

    private static NetworkPolicy networkPolicy(String ns, String name, List<PolicyRule> ingress) {
        return networkPolicy(ns, name, ALL, List.of("Ingress"), ingress, null);
    }

    private static NetworkPolicy networkPolicy(String ns, String name, LabelSelector pods, List<String> types,
                                               List<PolicyRule> ingress, List<PolicyRule> egress) {
        return new NetworkPolicy(ns, name, pods, types, ingress, egress, Map.of());
    }

    private static List<PolicyRule> ingressFrom(Peer peer) {
        return List.of(new PolicyRule(List.of(peer), List.of()));
    }
}
