package dev.netfence.operator.status;

import dev.netfence.cluster.ClusterInformers;
import dev.netfence.cluster.ClusterModel;
import dev.netfence.crds.NodeRuleSet;
import dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy;
import dev.netfence.crds.clusterpolicy.ClusterNetworkPolicyStatus;
import dev.netfence.operator.publish.RuleSetHashes;
import dev.netfence.policy.compile.CompiledCluster;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.cache.Store;
import java.util.Map;
import java.util.function.Supplier;

/**
 * After each sync, reports realization where kubectl users look. NetworkPolicies (their status is
 * not ours to write) get the annotation {@value ClusterInformers#REALIZATION_ANNOTATION}, e.g.
 * {@code Enforced: 3/3 nodes, 12 pods}, written here and only when it changed. DefaultDenies get a
 * status, written by the {@link DefaultDenyStatusReconciler}: this class only leaves their
 * realization in {@link DefaultDenyRealizations}, which triggers the ones that changed.
 * ClusterNetworkPolicies get their status conditions ({@link ClusterPolicyConditions}: {@code Accepted},
 * {@code netfence.dev/Enforced}) from the {@link ClusterPolicyStatusWriter}, here, when they change.
 *
 * <p>The annotation is a courtesy, not part of enforcement: it is written in the background
 * ({@link RealizationAnnotations}); a write that fails (the admission webhook down with
 * {@code failurePolicy: Fail}, a refusal) is logged, counted and tried again on the next report, and
 * never fails or delays the sync (which would hold back rule sets and, through liveness, restart
 * the operator because another component is down).
 */
public final class RealizationReporter {
    private final KubernetesClient client;
    private final Supplier<Store<NetworkPolicy>> policies;
    private final Supplier<Store<NodeRuleSet>> ruleSets;
    private final RuleSetHashes hashes;
    private final ClusterModel model;
    private final DefaultDenyRealizations defaultDenies;
    private final RealizationAnnotations annotations;
    private final Supplier<Store<ClusterNetworkPolicy>> clusterPolicies;
    private final ClusterPolicyStatusWriter clusterPolicyStatuses;

    /**
     * @param clusterPolicies the ClusterNetworkPolicy informer's store, or null when they are not watched
     *                        (the CRD is not served)
     */
    public RealizationReporter(KubernetesClient client, Supplier<Store<NetworkPolicy>> policies,
                               Supplier<Store<ClusterNetworkPolicy>> clusterPolicies,
                               Supplier<Store<NodeRuleSet>> ruleSets, RuleSetHashes hashes, ClusterModel model,
                               DefaultDenyRealizations defaultDenies) {
        this.client = client;
        this.policies = policies;
        this.clusterPolicies = clusterPolicies;
        this.clusterPolicyStatuses = new ClusterPolicyStatusWriter(client);
        this.ruleSets = ruleSets;
        this.hashes = hashes;
        this.model = model;
        this.defaultDenies = defaultDenies;
        this.annotations = new RealizationAnnotations(client);
    }

    /** @return the number of NetworkPolicy annotations offered for writing (written in the background) */
    public int update(CompiledCluster compiled) {
        RealizationSummary summary = new RealizationSummary(compiled, node -> {
            NodeRuleSet rs = ruleSets.get().getByKey(node);
            return rs == null ? null : rs.getStatus();
        }, hashes::of);
        defaultDenies.publish(DefaultDenyRealization.of(summary, model));
        int offered = 0;
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (NetworkPolicy np : policies.get().list()) {
            String ns = np.getMetadata().getNamespace();
            String name = np.getMetadata().getName();
            keys.add(ns + "/" + name);
            String invalid = model.invalid("NetworkPolicy", ns, name);
            String value = invalid != null ? "Invalid: " + invalid : summary.of("NetworkPolicy", ns, name).summary();
            Map<String, String> a = np.getMetadata().getAnnotations();
            if (invalid == null && a != null && "audit".equalsIgnoreCase(String.valueOf(
                    a.get(dev.netfence.policy.model.Enforcement.ANNOTATION)).trim()) && value.startsWith("Enforced: ")) {
                // applied, in audit mode: it denies nothing, its would-be denials are logged (Enforcement)
                value = "Audit: " + value.substring("Enforced: ".length()) + " (would-deny logged, nothing denied)";
            }
            if (a == null || !value.equals(a.get(ClusterInformers.REALIZATION_ANNOTATION))) {
                annotations.offer(ns + "/" + name, value);
                offered++;
            }
        }
        annotations.retain(keys);
        annotations.flush();
        Store<ClusterNetworkPolicy> cnps = clusterPolicies.get();
        if (cnps != null) {
            String now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
            clusterPolicyStatuses.update(cnps.list(), o -> clusterPolicyStatus(o, summary, now));
        }
        return offered;
    }

    /** The conditions a ClusterNetworkPolicy should show, or null while the model has not seen this version of it. */
    private ClusterNetworkPolicyStatus clusterPolicyStatus(ClusterNetworkPolicy o, RealizationSummary summary, String now) {
        String name = o.getMetadata().getName();
        if (!model.knowsClusterPolicy(name)) {
            return null;
        }
        String invalid = model.invalid(dev.netfence.policy.model.ClusterNetworkPolicy.KIND, "", name);
        long inForce = model.clusterPolicyGeneration(name);
        long generation = o.getMetadata().getGeneration() == null ? 0 : o.getMetadata().getGeneration();
        if (invalid == null && inForce != generation) {
            return null;   // this generation is on its way to the model: its change triggers another report
        }
        return ClusterPolicyConditions.build(summary.of(dev.netfence.policy.model.ClusterNetworkPolicy.KIND, "", name),
                generation, inForce, invalid, o.getStatus(), now);
    }

    /** ClusterNetworkPolicy status writes that failed so far (each tried again by the next report). */
    public long clusterPolicyStatusFailures() {
        return clusterPolicyStatuses.failures();
    }

    /** ClusterNetworkPolicy statuses written so far. */
    public long clusterPolicyStatusWrites() {
        return clusterPolicyStatuses.writes();
    }

    /** Annotation writes that failed so far (the webhook down, refusals). */
    public long annotationFailures() {
        return annotations.failures();
    }

    /** Annotation writes that succeeded so far. */
    public long annotationWrites() {
        return annotations.writes();
    }

    /** Stops the annotation writer. */
    public void close() {
        annotations.close();
        clusterPolicyStatuses.close();
    }
}
