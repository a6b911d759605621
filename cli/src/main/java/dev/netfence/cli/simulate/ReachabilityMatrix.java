package dev.netfence.cli.simulate;

import dev.netfence.cli.common.Endpoints;
import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.eval.Flow;
import dev.netfence.policy.eval.PolicyEngine;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.Protocol;
import java.util.List;
import java.util.Optional;

/**
 * Who can reach whom on one port: {@code allowed[i][j]} is the flow from {@code pods[i]} to
 * {@code pods[j]}, for every pod that has an IP, in namespace/name order (a pod to itself included).
 * Pods that share no address family (an IPv4-only and an IPv6-only pod) cannot connect: denied.
 */
public record ReachabilityMatrix(Protocol protocol, int port, List<Pod> pods, boolean[][] allowed) {

    public static ReachabilityMatrix compute(ClusterSnapshot snapshot, Protocol protocol, int port) {
        PolicyEngine engine = new PolicyEngine(snapshot);
        List<Pod> pods = snapshot.podsWithIps();
        boolean[][] allowed = new boolean[pods.size()][pods.size()];
        for (int i = 0; i < pods.size(); i++) {
            for (int j = 0; j < pods.size(); j++) {
                Optional<Endpoint[]> ends = Endpoints.between(pods.get(i), pods.get(j));
                allowed[i][j] = ends.isPresent() && engine.allowed(new Flow(ends.get()[0], ends.get()[1], protocol, port));
            }
        }
        return new ReachabilityMatrix(protocol, port, pods, allowed);
    }

    public List<String> names() {
        return pods.stream().map(Pod::key).toList();
    }
}
