package dev.netfence.lab.flow;

import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.NetworkPolicy;
import java.util.List;
import java.util.Map;

/** Policies of the flow-log tests, as YAML would give them. */
final class NetworkPolicyFixtures {
    private NetworkPolicyFixtures() {
    }

    /** {@code podSelector: {}, policyTypes: [Ingress]} in {@code namespace}: isolates every pod, allows nothing in. */
    static NetworkPolicy denyIngress(String namespace) {
        return new NetworkPolicy(namespace, "deny-ingress", LabelSelector.ALL, List.of("Ingress"), List.of(), null, Map.of());
    }

    static NetworkPolicy audited(NetworkPolicy np) {
        return new NetworkPolicy(np.namespace(), np.name(), np.podSelector(), np.policyTypes(), np.ingress(), np.egress(),
                Map.of(dev.netfence.policy.model.Enforcement.ANNOTATION, "audit"));
    }
}
