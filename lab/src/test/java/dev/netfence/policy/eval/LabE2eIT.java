package dev.netfence.policy.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.netfence.lab.Lab;
import dev.netfence.lab.LabEnforcer;
import dev.netfence.lab.LabOptions;
import dev.netfence.lab.LabTopology;
import dev.netfence.lab.cni.LabNodeEnforcers;
import dev.netfence.lab.ProbeResult;
import dev.netfence.lab.ProbeTimings;
import dev.netfence.lab.ReachabilityMatrix;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.testing.E2eModel;
import dev.netfence.policy.testing.Reachability;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine's upstream e2e cases ({@link E2eReachabilityTest}, hence this package), enforced for
 * real: one lab of the e2e model (9 pods on 2 nodes) whose pods are made through CNI as a runtime
 * makes them (routed: Debian's ptp + host-local, then the netfence plugin), one real enforcer loop per
 * node ({@link LabNodeEnforcers}: production defaults, fail-closed new pods, libnftables inside the
 * node) applying the compiler's rule sets; the matrix measured with real packets must equal the
 * engine's matrix cell for cell, and the case's expected table.
 */
class LabE2eIT {

    private static Lab lab;
    private static LabNodeEnforcers enforcers;

    @BeforeAll
    static void up() {
        start(LabTopology.ROUTED);
    }

    static void start(LabTopology topology) {
        assumeTrue(Lab.prerequisitesMissing().isEmpty(), () -> "skipped: " + Lab.prerequisitesMissing().orElse(""));
        assumeTrue(LabEnforcer.unavailableReason().isEmpty(), () -> "skipped: " + LabEnforcer.unavailableReason().orElse(""));
        ProbeTimings quick = new ProbeTimings(Duration.ofMillis(300), Duration.ofMillis(400), Duration.ofMillis(100));
        ClusterSnapshot model = E2eModel.builder().build();
        // one enforcer per node with the DaemonSet's defaults; every pod is made by the node's conflist,
        // Debian's plugins chained with netfence, which announces it to that enforcer
        enforcers = new LabNodeEnforcers(model);
        lab = Lab.up(model, LabOptions.DEFAULT.withTimings(quick).withTopology(topology).withEnforcers(enforcers));
        assertThat(enforcers.loop("node-1").waitingPods().pods()).as("every pod named when its ADD arrived").isEmpty();
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

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.netfence.policy.eval.E2eReachabilityTest#tcp80Cases")
    void tcp80CasesMeasuredOverIpv4AndIpv6(E2eReachabilityTest.Case c) {
        ClusterSnapshot snapshot = E2eModel.with(c.policies().toArray(NetworkPolicy[]::new));
        enforce(snapshot);

        // both families at once: a probe spends its time waiting for dropped handshakes to time out
        var overIpv6 = java.util.concurrent.CompletableFuture.supplyAsync(() -> lab.probe(80, Protocol.TCP, true));
        ProbeResult overIpv4 = lab.probe(80, Protocol.TCP, false);
        for (boolean v6 : new boolean[] {false, true}) {
            ReachabilityMatrix measured = measured(v6 ? overIpv6.join() : overIpv4);
            ReachabilityMatrix predicted = matrix(Reachability.probe(snapshot, Protocol.TCP, 80, v6), Protocol.TCP, 80);
            assertThat(measured.differences(predicted)).as("measured vs engine, " + (v6 ? "IPv6" : "IPv4")).isEmpty();
            assertThat(measured.differences(matrix(Reachability.parse(c.expected()), Protocol.TCP, 80)))
                    .as("measured vs the e2e table").isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"dev.netfence.policy.eval.E2eReachabilityTest#portCases",
        "dev.netfence.policy.eval.E2eReachabilityTest#egressPortCases"})
    void portCasesMeasuredOnTheirProtocolAndPort(E2eReachabilityTest.PortCase c) {
        ClusterSnapshot snapshot = E2eModel.with(c.policy());
        enforce(snapshot);

        ProbeResult result = lab.probe(c.port(), c.protocol());
        if (c.protocol() == Protocol.SCTP) {
            // the SCTP rules were rendered and loaded above; the packets cannot be sent here
            assertThat(result).isInstanceOf(ProbeResult.Unprobeable.class);
            return;
        }
        ReachabilityMatrix measured = measured(result);
        ReachabilityMatrix predicted = matrix(Reachability.probe(snapshot, c.protocol(), c.port()), c.protocol(), c.port());
        assertThat(measured.differences(predicted)).as("measured vs engine").isEmpty();
    }

    private static void enforce(ClusterSnapshot snapshot) {
        enforcers.enforce(snapshot);
    }

    static ReachabilityMatrix measured(ProbeResult result) {
        assertThat(result).isInstanceOf(ProbeResult.Measured.class);
        return ((ProbeResult.Measured) result).matrix();
    }

    static ReachabilityMatrix matrix(Reachability engine, Protocol protocol, int port) {
        List<String> pods = E2eModel.podKeys();
        boolean[][] cells = new boolean[pods.size()][pods.size()];
        for (int i = 0; i < pods.size(); i++) {
            for (int j = 0; j < pods.size(); j++) {
                cells[i][j] = engine.allowed(pods.get(i), pods.get(j));
            }
        }
        return new ReachabilityMatrix(protocol, port, pods, cells);
    }
}
