package dev.netfence.cli.demo;

import dev.netfence.lab.cni.LabNodeEnforcers;
import dev.netfence.policy.model.ClusterSnapshot;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.List;

/**
 * The compiler called directly, each node's enforcer loop applying its rule set inside the node's
 * namespace ({@link LabNodeEnforcers}, which also answered the netfence CNI plugin when the pods were
 * made). No API server or operator: the objects of a step matter only through the snapshot.
 */
final class LabEnforcerPath implements RulePath {

    private final LabNodeEnforcers enforcers;
    private final NodeFlowLogs flowLogs;

    /** {@code enforcers} made {@link LabNodeEnforcers#withFlowLogs with} {@code flowLogs}. */
    LabEnforcerPath(LabNodeEnforcers enforcers, NodeFlowLogs flowLogs) {
        this.enforcers = enforcers;
        this.flowLogs = flowLogs;
    }

    @Override
    public NodeFlowLogs flowLogs() {
        return flowLogs;
    }

    @Override
    public String description() {
        return "compiler -> one enforcer loop per node (production defaults, libnftables in the node's namespace)";
    }

    @Override
    public Duration enforce(ClusterSnapshot expected, List<HasMetadata> objects) {
        return enforcers.enforce(expected);
    }

    @Override
    public void close() {
        enforcers.close(); // the kernel tables stay, as a stopped enforcer leaves them
        flowLogs.close();
    }
}
