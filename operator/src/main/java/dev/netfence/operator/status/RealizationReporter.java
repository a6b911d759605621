package dev.netfence.operator.status;

import dev.netfence.crds.NodeRuleSet;
import dev.netfence.operator.cluster.ClusterInformers;
import dev.netfence.operator.cluster.ClusterState;
import dev.netfence.operator.publish.RuleSetHashes;
import dev.netfence.policy.compile.CompiledCluster;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.HashMap;
import java.util.Map;

/**
 * After each sync, reports realization where kubectl users look. NetworkPolicies (their status is
 * not ours to write) get the annotation {@value ClusterInformers#REALIZATION_ANNOTATION}, e.g.
 * {@code Enforced: 3/3 nodes, 12 pods}, written here and only when it changed. DefaultDenies get a
 * status, written by the {@link DefaultDenyStatusReconciler}: this class only leaves their
 * realization in {@link DefaultDenyRealizations}, which triggers the ones that changed.
 */
public final class RealizationReporter {
    private final KubernetesClient client;
    private final ClusterInformers informers;
    private final RuleSetHashes hashes;
    private final ClusterState state;
    private final DefaultDenyRealizations defaultDenies;

    public RealizationReporter(KubernetesClient client, ClusterInformers informers, RuleSetHashes hashes, ClusterState state,
                               DefaultDenyRealizations defaultDenies) {
        this.client = client;
        this.informers = informers;
        this.hashes = hashes;
        this.state = state;
        this.defaultDenies = defaultDenies;
    }

    /** @return the number of NetworkPolicy annotations written */
    public int update(CompiledCluster compiled) {
        RealizationSummary summary = new RealizationSummary(compiled, node -> {
            NodeRuleSet rs = informers.ruleSetStore().getByKey(node);
            return rs == null ? null : rs.getStatus();
        }, hashes::of);
        defaultDenies.publish(DefaultDenyRealization.of(summary, state));
        int written = 0;
        for (NetworkPolicy np : informers.policyStore().list()) {
            String ns = np.getMetadata().getNamespace();
            String name = np.getMetadata().getName();
            String invalid = state.invalid("NetworkPolicy", ns, name);
            String value = invalid != null ? "Invalid: " + invalid : summary.of("NetworkPolicy", ns, name).summary();
            Map<String, String> annotations = np.getMetadata().getAnnotations();
            if (annotations == null || !value.equals(annotations.get(ClusterInformers.REALIZATION_ANNOTATION))) {
                try {
                    client.network().v1().networkPolicies().inNamespace(ns).withName(name).edit(p -> {
                        Map<String, String> a = p.getMetadata().getAnnotations() == null ? new HashMap<>()
                                : new HashMap<>(p.getMetadata().getAnnotations());
                        a.put(ClusterInformers.REALIZATION_ANNOTATION, value);
                        p.getMetadata().setAnnotations(a);
                        return p;
                    });
                    written++;
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 404) {
                        throw e;
                    }
                }
            }
        }
        return written;
    }
}
