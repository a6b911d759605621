package dev.netfence.cli.common;

import dev.netfence.crds.manifest.Manifests;
import dev.netfence.crds.manifest.WorkloadPods;
import dev.netfence.policy.model.ClusterDns;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster a command works on: the objects (from files or from an API server), the hypothetical
 * pods of the workloads among them ({@link WorkloadPods}), and the snapshot the engine evaluates,
 * which holds both. The second replica of a workload with several ({@link WorkloadPods#twins()})
 * is in the snapshot too, so the engine can judge a flow between two replicas, but no command
 * lists it as a pod of its own.
 */
public record ClusterInput(Manifests manifests, WorkloadPods workloads, ClusterSnapshot snapshot) {

    public static ClusterInput of(Manifests manifests, WorkloadPods workloads) {
        List<Pod> more = new ArrayList<>(workloads.pods());
        more.addAll(workloads.twins().values());
        return new ClusterInput(manifests, workloads, manifests.snapshot(ClusterDns.DEFAULT, more));
    }

    /** The pods to show (in the snapshot's order): every pod but the second replicas. */
    public List<Pod> podsWithIps() {
        Map<String, Pod> twins = workloads.twins();
        java.util.Set<String> hidden = new java.util.HashSet<>();
        twins.values().forEach(t -> hidden.add(t.key()));
        return snapshot.podsWithIps().stream().filter(p -> !hidden.contains(p.key())).toList();
    }

    /** True for a second replica, which stands only for flows between replicas. */
    public boolean isSecondReplica(Pod pod) {
        return WorkloadPods.isSecondReplica(pod);
    }

    /** The second replica of a hypothetical pod whose workload runs several. */
    public Optional<Pod> secondReplica(Pod pod) {
        return Optional.ofNullable(workloads.twins().get(pod.key()));
    }
}
