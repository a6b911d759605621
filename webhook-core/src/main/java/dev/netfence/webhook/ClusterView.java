package dev.netfence.webhook;

import dev.netfence.policy.analysis.CriticalFlow;
import dev.netfence.policy.model.ClusterSnapshot;
import java.util.List;
import java.util.Set;

/**
 * One consistent, immutable view of the cluster the judge decides against: the snapshot, the
 * namespaces being deleted and the declared critical flows, with the version of the model it was
 * taken at (two views with the same version hold the same objects).
 */
public record ClusterView(long version, ClusterSnapshot snapshot, Set<String> terminatingNamespaces,
                          List<CriticalFlow> criticalFlows) {

    public ClusterView {
        terminatingNamespaces = Set.copyOf(terminatingNamespaces);
        criticalFlows = List.copyOf(criticalFlows);
    }

    /** A view of a snapshot no informer maintains (the demo, tests): no namespace terminating. */
    public static ClusterView of(ClusterSnapshot snapshot, List<CriticalFlow> criticalFlows) {
        return new ClusterView(0, snapshot, Set.of(), criticalFlows);
    }
}
