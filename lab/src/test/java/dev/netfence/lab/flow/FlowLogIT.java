package dev.netfence.lab.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.netfence.enforcer.flow.FlowLog;
import dev.netfence.enforcer.flow.FlowLogSettings;
import dev.netfence.enforcer.flow.FlowRecord;
import dev.netfence.lab.Lab;
import dev.netfence.lab.LabEnforcer;
import dev.netfence.lab.LabOptions;
import dev.netfence.lab.ProbeResult;
import dev.netfence.lab.ProbeTimings;
import dev.netfence.lab.ReachabilityMatrix;
import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.eval.Flow;
import dev.netfence.policy.eval.PolicyEngine;
import dev.netfence.policy.eval.SideVerdict;
import dev.netfence.policy.eval.Verdict;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.ObjectRef;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import dev.netfence.policy.testing.E2eModel;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The flow log with real packets, in one lab of the upstream e2e model (9 pods on 2 nodes) run by
 * one production enforcer per node ({@link FlowLogNodes}) with the default flow-log settings: for
 * e2e cases, every probe the kernel denied appears in a node's flow log with its pods, addresses,
 * port, protocol, the side that denied it and the policies isolating that side, cell by cell as the
 * engine explains it; nothing is logged for allowed probes (allowed logging is off by default).
 */
class FlowLogIT {
    private static Lab lab;
    private static FlowLogNodes nodes;

    @BeforeAll
    static void up() throws Exception {
        assumeTrue(Lab.prerequisitesMissing().isEmpty(), () -> "skipped: " + Lab.prerequisitesMissing().orElse(""));
        assumeTrue(LabEnforcer.unavailableReason().isEmpty(), () -> "skipped: " + LabEnforcer.unavailableReason().orElse(""));
        ProbeTimings quick = new ProbeTimings(Duration.ofMillis(300), Duration.ofMillis(400), Duration.ofMillis(100));
        lab = Lab.up(E2eModel.builder().build(), LabOptions.DEFAULT.withTimings(quick));
        nodes = new FlowLogNodes(lab, FlowLogSettings.DEFAULTS);
    }

    @AfterAll
    static void down() {
        if (nodes != null) {
            nodes.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    /** A spread of the e2e cases: deny ingress, egress, both, by pod and namespace selectors, allow-all. */
    static Stream<Arguments> cases() {
        List<Arguments> all = dev.netfence.policy.eval.E2eAccess.tcp80Cases();
        List<Arguments> picked = new ArrayList<>();
        for (int i = 1; i < all.size(); i += 3) {
            picked.add(all.get(i));
        }
        return picked.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyDeniedProbeIsLoggedWithItsDecidingPolicies(List<NetworkPolicy> policies) {
        ClusterSnapshot snapshot = E2eModel.with(policies.toArray(NetworkPolicy[]::new));
        nodes.enforce(snapshot);
        Map<String, Long> mark = nodes.mark();
        boolean v6 = policies.size() % 2 == 1;   // both families across the cases
        ReachabilityMatrix measured = ((ProbeResult.Measured) lab.probe(80, Protocol.TCP, v6)).matrix();
        PolicyEngine engine = new PolicyEngine(snapshot);
        List<Expected> expected = new ArrayList<>();
        Set<String> allowedPairs = new HashSet<>();
        for (int i = 0; i < measured.pods().size(); i++) {
            for (int j = 0; j < measured.pods().size(); j++) {
                if (i == j) {
                    continue;   // a pod's traffic to itself never reaches a node
                }
                Pod from = pod(snapshot, measured.pods().get(i));
                Pod to = pod(snapshot, measured.pods().get(j));
                IpAddress src = address(from, v6);
                IpAddress dst = address(to, v6);
                Verdict v = engine.evaluate(new Flow(new Endpoint.PodEndpoint(from, src), new Endpoint.PodEndpoint(to, dst),
                        Protocol.TCP, 80));
                assertThat(measured.allowed(i, j)).as("measured %s -> %s", from.key(), to.key()).isEqualTo(v.allowed());
                if (v.allowed()) {
                    allowedPairs.add(src + ">" + dst);
                    continue;
                }
                // the source's egress is judged first, on the source's node; a packet it drops never reaches the ingress
                SideVerdict side = !v.egress().allowed() ? v.egress() : v.ingress();
                Pod judged = side.direction() == Direction.EGRESS ? from : to;
                expected.add(new Expected(from, to, src.toString(), dst.toString(), side.direction().apiName(),
                        side.isolatedBy().stream().map(ObjectRef::toString).collect(java.util.stream.Collectors.toSet()),
                        judged.nodeName()));
            }
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<FlowRecord> records = nodes.records(mark);
            for (Expected e : expected) {
                assertThat(records).as("a record of the denied probe %s -> %s", e.from().key(), e.to().key())
                        .anySatisfy(r -> {
                            assertThat(r.verdict()).isEqualTo("denied");
                            assertThat(r.node()).isEqualTo(e.node());
                            assertThat(r.sourceAddress()).isEqualTo(e.src());
                            assertThat(r.destinationAddress()).isEqualTo(e.dst());
                            assertThat(r.protocol()).isEqualTo("TCP");
                            assertThat(r.port()).isEqualTo(80);
                            assertThat(r.direction()).isEqualTo(e.direction());
                            assertThat(Set.copyOf(r.policies())).isEqualTo(e.policies());
                            // the pods of the deciding node are named; the other end too when it runs there
                            assertThat(e.direction().equals("Egress") ? r.source() : r.destination())
                                    .isEqualTo((e.direction().equals("Egress") ? e.from() : e.to()).key());
                        });
            }
        });
        List<FlowRecord> records = nodes.records(mark);
        assertThat(records).as("only denials are logged by default").allSatisfy(r -> {
            assertThat(r.verdict()).isEqualTo("denied");
            assertThat(allowedPairs).doesNotContain(r.sourceAddress() + ">" + r.destinationAddress());
        });
        assertThat(records).hasSizeGreaterThanOrEqualTo(expected.size());
    }

    /**
     * A flood of denied UDP datagrams (each one is a new flow for conntrack: its first packet was
     * dropped before it was confirmed) against the default budget of 300 per second: the records
     * stay within the budget (rate times the seconds, plus one burst), and what was not logged is
     * counted by the kernel's lost counter, which the flow log reports.
     */
    @Test
    void theRateLimitHoldsUnderAFloodAndTheRestIsCounted() throws Exception {
        ClusterSnapshot snapshot = E2eModel.with(NetworkPolicyFixtures.denyIngress("x"));
        nodes.enforce(snapshot);
        Map<String, Long> mark = nodes.mark();
        FlowLog node1 = nodes.log(E2eModel.NODE_1.name());
        long lostBefore = node1.lost().rateLimited();
        String target = E2eModel.v4("x", "a");
        long started = System.nanoTime();
        long sent = lab.runInPod("y/b", () -> {
            long n = 0;
            try (DatagramChannel ch = DatagramChannel.open()) {
                ByteBuffer payload = ByteBuffer.allocate(16);
                InetSocketAddress to = new InetSocketAddress(target, 9);
                long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                while (System.nanoTime() < end) {
                    payload.clear();
                    ch.send(payload, to);
                    n++;
                }
            }
            return n;
        });
        double seconds = (System.nanoTime() - started) / 1e9;
        FlowLogSettings s = FlowLogSettings.DEFAULTS;
        // the reader reads the kernel's lost counter every second: wait until it has caught the end of the flood
        await().atMost(Duration.ofSeconds(20)).until(() -> node1.lost().rateLimited() - lostBefore > 0
                && nodes.records(mark).stream().filter(r -> r.port() == 9).count() + node1.lost().rateLimited() - lostBefore
                >= sent * 9 / 10);
        List<FlowRecord> logged = nodes.records(mark).stream().filter(r -> r.port() == 9).toList();
        long lost = node1.lost().rateLimited() - lostBefore;
        System.out.printf("flood: %d datagrams in %.1f s, %d records, %d counted as over the rate limit%n", sent, seconds,
                logged.size(), lost);
        assertThat(sent).as("the flood really was more than the budget").isGreaterThan(5L * s.ratePerSecond());
        assertThat((long) logged.size()).isLessThanOrEqualTo((long) Math.ceil((seconds + 1) * s.ratePerSecond()) + s.burst());
        assertThat(logged).isNotEmpty().allSatisfy(r -> assertThat(r.verdict()).isEqualTo("denied"));
        assertThat(logged.size() + lost).as("every datagram is a record or counted as lost").isGreaterThanOrEqualTo(sent * 9 / 10);
    }

    /**
     * Audit mode: x's deny-all ingress is audited, y's enforces. The measured matrix is the engine's
     * enforced matrix (the audited policy changes nothing that is allowed), and every probe the
     * audited policy would deny is logged as would-deny, with that policy, by the destination's node.
     */
    @Test
    void anAuditedPolicyDeniesNothingAndItsDenialsAreLoggedAsWouldDeny() {
        ClusterSnapshot snapshot = E2eModel.with(NetworkPolicyFixtures.audited(NetworkPolicyFixtures.denyIngress("x")),
                NetworkPolicyFixtures.denyIngress("y"));
        nodes.enforce(snapshot);
        Map<String, Long> mark = nodes.mark();
        ReachabilityMatrix measured = ((ProbeResult.Measured) lab.probe(80, Protocol.TCP, false)).matrix();
        dev.netfence.policy.eval.AuditEvaluation evaluation = new dev.netfence.policy.eval.AuditEvaluation(snapshot);
        List<String[]> wouldDeny = new ArrayList<>();
        int denied = 0;
        for (int i = 0; i < measured.pods().size(); i++) {
            for (int j = 0; j < measured.pods().size(); j++) {
                Pod from = pod(snapshot, measured.pods().get(i));
                Pod to = pod(snapshot, measured.pods().get(j));
                if (i == j) {
                    continue;
                }
                var result = evaluation.evaluate(new Flow(new Endpoint.PodEndpoint(from, address(from, false)),
                        new Endpoint.PodEndpoint(to, address(to, false)), Protocol.TCP, 80));
                assertThat(measured.allowed(i, j)).as("measured %s -> %s = the enforced verdict", from.key(), to.key())
                        .isEqualTo(result.enforced().allowed());
                denied += result.enforced().allowed() ? 0 : 1;
                if (result.wouldDeny()) {
                    wouldDeny.add(new String[] {address(from, false).toString(), address(to, false).toString(), to.key(), to.nodeName()});
                }
            }
        }
        assertThat(wouldDeny).as("pairs into x").hasSize(6 * 3 + 3 * 2);
        assertThat(denied).as("pairs into y").isEqualTo(6 * 3 + 3 * 2);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<FlowRecord> records = nodes.records(mark);
            for (String[] w : wouldDeny) {
                assertThat(records).as("would-deny %s -> %s", w[0], w[2]).anySatisfy(r -> {
                    assertThat(r.verdict()).isEqualTo("would-deny");
                    assertThat(r.sourceAddress()).isEqualTo(w[0]);
                    assertThat(r.destinationAddress()).isEqualTo(w[1]);
                    assertThat(r.destination()).isEqualTo(w[2]);
                    assertThat(r.node()).isEqualTo(w[3]);
                    assertThat(r.direction()).isEqualTo("Ingress");
                    assertThat(r.policies()).containsExactly("NetworkPolicy x/deny-ingress");
                });
            }
            assertThat(records).filteredOn(r -> r.verdict().equals("denied")).isNotEmpty()
                    .allSatisfy(r -> assertThat(r.policies()).containsExactly("NetworkPolicy y/deny-ingress"));
        });
        // what netfence flows prints (the README quotes these lines)
        nodes.records(mark).stream().filter(r -> r.source().equals("z/c") || r.sourceAddress().equals(E2eModel.v4("z", "c")))
                .limit(4).forEach(r -> System.out.println("flow: " + dev.netfence.enforcer.flow.FlowText.line(r)));
    }

    record Expected(Pod from, Pod to, String src, String dst, String direction, Set<String> policies, String node) {
    }

    static Pod pod(ClusterSnapshot s, String key) {
        return s.pods().stream().filter(p -> p.key().equals(key)).findFirst().orElseThrow();
    }

    static IpAddress address(Pod p, boolean v6) {
        return p.ips().stream().filter(ip -> ip.v6() == v6).findFirst().orElseThrow();
    }
}
