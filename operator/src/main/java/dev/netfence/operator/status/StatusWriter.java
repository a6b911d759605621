package dev.netfence.operator.status;

import dev.netfence.crds.DefaultDeny;
import dev.netfence.crds.DefaultDenyStatus;
import dev.netfence.crds.NodeRuleSet;
import dev.netfence.operator.cluster.ClusterInformers;
import dev.netfence.operator.cluster.ClusterState;
import dev.netfence.operator.publish.RuleSetHashes;
import dev.netfence.policy.compile.CompiledCluster;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes realization where kubectl users look: the status of each DefaultDeny, and the annotation
 * {@value ClusterInformers#REALIZATION_ANNOTATION} on each NetworkPolicy (its status is not ours to
 * write), e.g. {@code Enforced: 3/3 nodes, 12 pods}. Writes only what changed.
 */
public final class StatusWriter {
    private final KubernetesClient client;
    private final ClusterInformers informers;
    private final RuleSetHashes hashes;
    private final ClusterState state;

    public StatusWriter(KubernetesClient client, ClusterInformers informers, RuleSetHashes hashes, ClusterState state) {
        this.client = client;
        this.informers = informers;
        this.hashes = hashes;
        this.state = state;
    }

    /** @return the number of objects written */
    public int update(CompiledCluster compiled) {
        RealizationSummary summary = new RealizationSummary(compiled, node -> {
            NodeRuleSet rs = informers.ruleSetStore().getByKey(node);
            return rs == null ? null : rs.getStatus();
        }, hashes::of);
        int written = 0;
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        for (DefaultDeny dd : informers.defaultDenyStore().list()) {
            String ns = dd.getMetadata().getNamespace();
            String name = dd.getMetadata().getName();
            long generation = dd.getMetadata().getGeneration() == null ? 0 : dd.getMetadata().getGeneration();
            DefaultDenyStatus status = DefaultDenyStatusAggregator.build(summary.of("DefaultDeny", ns, name), generation,
                    state.invalid("DefaultDeny", ns, name), dd.getStatus(), now);
            if (!DefaultDenyStatusAggregator.same(status, dd.getStatus())) {
                DefaultDeny copy = client.getKubernetesSerialization().clone(dd);
                copy.setStatus(status);
                client.resources(DefaultDeny.class).inNamespace(ns).resource(copy).updateStatus();
                written++;
            }
        }
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
