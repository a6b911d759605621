package dev.netfence.cli.simulate;

import dev.netfence.cli.common.Endpoints;
import dev.netfence.policy.eval.AuditEvaluation;
import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.eval.Flow;
import dev.netfence.policy.eval.PolicyEngine;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.Protocol;
import dev.netfence.cli.common.ClusterInput;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who can reach whom on one port: {@code allowed[i][j]} is the flow from {@code pods[i]} to
 * {@code pods[j]}, for every pod that has an IP, in namespace/name order (a pod to itself included;
 * for a workload's pod that stands for several replicas, the flow from one replica to another).
 * Pods that share no address family (an IPv4-only and an IPv6-only pod) cannot connect: denied.
 * {@code allowed} is the enforced verdict (audited policies change nothing); {@code audit}, present
 * only when some policy is audited, the verdict with the audited policies enforcing.
 */
public record ReachabilityMatrix(Protocol protocol, int port, List<Pod> pods, boolean[][] allowed, boolean[][] audit) {

    /** A matrix of enforced verdicts only (no audited policy). */
    public ReachabilityMatrix(Protocol protocol, int port, List<Pod> pods, boolean[][] allowed) {
        this(protocol, port, pods, allowed, null);
    }

    /** Whether some policy is audited: {@link #audit()} then holds the audit verdicts (audited policies as if enforced). */
    public boolean audited() {
        return audit != null;
    }

    public static ReachabilityMatrix compute(ClusterSnapshot snapshot, Protocol protocol, int port) {
        return compute(snapshot, snapshot.podsWithIps(), Map.of(), protocol, port);
    }

    /** The matrix of the input's pods; a workload's pod to itself is the flow between two of its replicas when it runs several. */
    public static ReachabilityMatrix compute(ClusterInput input, Protocol protocol, int port) {
        return compute(input.snapshot(), input.podsWithIps(), input.workloads().twins(), protocol, port);
    }

    /**
     * {@code secondReplicas}: for a pod that stands for several replicas, the other replica: its
     * diagonal cell is the flow from one replica to another (a pod's traffic to itself never leaves it).
     */
    static ReachabilityMatrix compute(ClusterSnapshot snapshot, List<Pod> pods, Map<String, Pod> secondReplicas,
                                      Protocol protocol, int port) {
        AuditEvaluation evaluation = new AuditEvaluation(snapshot);
        PolicyEngine engine = evaluation.enforcedEngine();
        PolicyEngine auditEngine = evaluation.anyAudited() ? evaluation.auditEngine() : null;
        boolean[][] allowed = new boolean[pods.size()][pods.size()];
        boolean[][] audit = auditEngine == null ? null : new boolean[pods.size()][pods.size()];
        for (int i = 0; i < pods.size(); i++) {
            for (int j = 0; j < pods.size(); j++) {
                Pod destination = i == j ? secondReplicas.getOrDefault(pods.get(j).key(), pods.get(j)) : pods.get(j);
                Optional<Endpoint[]> ends = Endpoints.between(pods.get(i), destination);
                allowed[i][j] = ends.isPresent() && engine.allowed(new Flow(ends.get()[0], ends.get()[1], protocol, port));
                if (audit != null) {
                    audit[i][j] = ends.isPresent() && auditEngine.allowed(new Flow(ends.get()[0], ends.get()[1], protocol, port));
                }
            }
        }
        return new ReachabilityMatrix(protocol, port, pods, allowed, audit);
    }

    public List<String> names() {
        return pods.stream().map(Pod::key).toList();
    }
}
