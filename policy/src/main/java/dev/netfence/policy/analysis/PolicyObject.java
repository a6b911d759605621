package dev.netfence.policy.analysis;

import dev.netfence.policy.model.ClusterDelta;
import dev.netfence.policy.model.ClusterNetworkPolicy;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.ObjectRef;
import dev.netfence.policy.model.Pod;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An object a change can create, update or delete: a NetworkPolicy, a DefaultDeny or a
 * ClusterNetworkPolicy (cluster-scoped: {@link #namespace()} is null).
 */
public sealed interface PolicyObject permits PolicyObject.Policy, PolicyObject.Deny, PolicyObject.Cluster {

    ObjectRef ref();

    String namespace();

    Map<String, String> annotations();

    /** The pods of the snapshot this object isolates in some direction (host-network pods never). */
    List<Pod> isolatedPods(ClusterSnapshot snapshot);

    void addTo(ClusterSnapshot.Builder builder);

    void removeFrom(ClusterSnapshot.Builder builder);

    /** Writes this object as an upsert to a change set. */
    void addTo(ClusterDelta.Builder delta);

    /** Writes this object's removal to a change set. */
    void removeFrom(ClusterDelta.Builder delta);

    static PolicyObject of(NetworkPolicy np) {
        return new Policy(np);
    }

    static PolicyObject of(ClusterNetworkPolicy cnp, Map<String, String> annotations) {
        return new Cluster(cnp, annotations == null ? Map.of() : Map.copyOf(annotations));
    }

    static PolicyObject of(DefaultDeny dd, Map<String, String> annotations) {
        return new Deny(dd, annotations == null ? Map.of() : Map.copyOf(annotations));
    }

    /** The flows named in {@code netfence.dev/allow-cut} (comma separated, case-insensitive). */
    default Set<String> allowedCuts() {
        String v = annotations().get(Rules.ALLOW_CUT_ANNOTATION);
        if (v == null) {
            return Set.of();
        }
        return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(s -> s.toLowerCase(java.util.Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    record Policy(NetworkPolicy policy) implements PolicyObject {
        public ObjectRef ref() {
            return policy.ref();
        }

        public String namespace() {
            return policy.namespace();
        }

        public Map<String, String> annotations() {
            return policy.annotations();
        }

        public List<Pod> isolatedPods(ClusterSnapshot snapshot) {
            return snapshot.selectPods(policy.namespace(), policy.podSelector());
        }

        public LabelSelector podSelector() {
            return policy.podSelector();
        }

        public void addTo(ClusterSnapshot.Builder b) {
            b.policy(policy);
        }

        public void removeFrom(ClusterSnapshot.Builder b) {
            b.removePolicy(policy.namespace(), policy.name());
        }

        public void addTo(ClusterDelta.Builder d) {
            d.policy(policy);
        }

        public void removeFrom(ClusterDelta.Builder d) {
            d.removePolicy(policy.namespace(), policy.name());
        }
    }

    /** A ClusterNetworkPolicy: it can change the egress and ingress of the pods its subject selects, in any namespace. */
    record Cluster(ClusterNetworkPolicy policy, Map<String, String> annotations) implements PolicyObject {
        public ObjectRef ref() {
            return policy.ref();
        }

        public String namespace() {
            return null;
        }

        public List<Pod> isolatedPods(ClusterSnapshot snapshot) {
            return new dev.netfence.policy.eval.PolicyEngine(snapshot).subjectPods(policy);
        }

        public void addTo(ClusterSnapshot.Builder b) {
            b.clusterPolicy(policy);
        }

        public void removeFrom(ClusterSnapshot.Builder b) {
            b.removeClusterPolicy(policy.name());
        }

        public void addTo(ClusterDelta.Builder d) {
            d.clusterPolicy(policy);
        }

        public void removeFrom(ClusterDelta.Builder d) {
            d.removeClusterPolicy(policy.name());
        }
    }

    record Deny(DefaultDeny defaultDeny, Map<String, String> annotations) implements PolicyObject {
        public ObjectRef ref() {
            return defaultDeny.ref();
        }

        public String namespace() {
            return defaultDeny.namespace();
        }

        public List<Pod> isolatedPods(ClusterSnapshot snapshot) {
            LabelSelector exempt = defaultDeny.exemptPodSelector();
            return snapshot.podsInNamespace(defaultDeny.namespace()).stream()
                    .filter(p -> !p.hostNetwork() && (exempt == null || !exempt.matches(p.labels()))).toList();
        }

        public void addTo(ClusterSnapshot.Builder b) {
            b.defaultDeny(defaultDeny);
        }

        public void removeFrom(ClusterSnapshot.Builder b) {
            b.removeDefaultDeny(defaultDeny.namespace(), defaultDeny.name());
        }

        public void addTo(ClusterDelta.Builder d) {
            d.defaultDeny(defaultDeny);
        }

        public void removeFrom(ClusterDelta.Builder d) {
            d.removeDefaultDeny(defaultDeny.namespace(), defaultDeny.name());
        }
    }
}
