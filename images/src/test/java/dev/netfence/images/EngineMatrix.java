package dev.netfence.images;

import dev.netfence.lab.ReachabilityMatrix;
import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.eval.Flow;
import dev.netfence.policy.eval.PolicyEngine;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.Protocol;
import java.util.List;

/** The matrix the engine predicts, in the lab's pod order, to compare with what the lab measured. */
final class EngineMatrix {
    private EngineMatrix() {
    }

    static ReachabilityMatrix predicted(ClusterSnapshot snapshot, ReachabilityMatrix measured) {
        PolicyEngine engine = new PolicyEngine(snapshot);
        List<String> pods = measured.pods();
        boolean[][] allowed = new boolean[pods.size()][pods.size()];
        for (int i = 0; i < pods.size(); i++) {
            for (int j = 0; j < pods.size(); j++) {
                Pod src = pod(snapshot, pods.get(i));
                Pod dst = pod(snapshot, pods.get(j));
                allowed[i][j] = engine.allowed(new Flow(Endpoint.of(src), Endpoint.of(dst), measured.protocol(), measured.port()));
            }
        }
        return new ReachabilityMatrix(measured.protocol(), measured.port(), pods, allowed);
    }

    private static Pod pod(ClusterSnapshot snapshot, String key) {
        return snapshot.pods().stream().filter(p -> p.key().equals(key)).findFirst().orElseThrow();
    }

    static final List<Object[]> DEMO_PORTS = List.of(
            new Object[] {8080, Protocol.TCP}, new Object[] {5432, Protocol.TCP},
            new Object[] {53, Protocol.TCP}, new Object[] {53, Protocol.UDP});
}
