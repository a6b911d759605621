package dev.netfence.crds.manifest;

import dev.netfence.policy.model.ClusterDns;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.Pod;
import java.util.List;

/**
 * What a set of manifest files holds: the objects in file order, the notes about skipped ones, the
 * warnings of lenient mode (unknown fields, ignored), and the snapshot they make.
 */
public record Manifests(List<ManifestObject> objects, List<ManifestNote> notes, List<ManifestProblem> warnings) {

    public Manifests {
        objects = List.copyOf(objects);
        notes = List.copyOf(notes);
        warnings = List.copyOf(warnings);
    }

    public Manifests(List<ManifestObject> objects, List<ManifestNote> notes) {
        this(objects, notes, List.of());
    }

    /** The objects of one engine record type, e.g. {@code NetworkPolicy.class}. */
    public <T> List<ManifestObject> objectsOf(Class<T> modelType) {
        return objects.stream().filter(o -> modelType.isInstance(o.model())).toList();
    }

    public ClusterSnapshot snapshot() {
        return snapshot(ClusterDns.DEFAULT);
    }

    public ClusterSnapshot snapshot(ClusterDns dns) {
        return snapshot(dns, List.of());
    }

    /** The snapshot with more pods than the manifests hold: the hypothetical pods of {@link WorkloadPods}. */
    public ClusterSnapshot snapshot(ClusterDns dns, List<Pod> morePods) {
        ClusterSnapshot.Builder b = ClusterSnapshot.builder().dns(dns);
        morePods.forEach(b::pod);
        for (ManifestObject o : objects) {
            Object m = o.model();
            if (m instanceof Namespace n) {
                b.namespace(n);
            } else if (m instanceof Pod p) {
                b.pod(p);
            } else if (m instanceof Node n) {
                b.node(n);
            } else if (m instanceof NetworkPolicy np) {
                b.policy(np);
            } else if (m instanceof DefaultDeny dd) {
                b.defaultDeny(dd);
            } else if (m instanceof dev.netfence.policy.model.ClusterNetworkPolicy cnp) {
                b.clusterPolicy(cnp);
            }
        }
        return b.build();
    }
}
