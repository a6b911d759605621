package dev.netfence.policy.analysis;

/** The stable rule ids of findings. Renaming one breaks users' filters: add, never rename. */
public final class Rules {
    /** A change makes pods lose a critical flow (DNS, or a {@code CriticalFlow} object) they had. */
    public static final String CRITICAL_FLOW = "critical-flow";
    /** A peer selects the DNS namespace by a label Kubernetes does not set ({@code name: kube-system}). */
    public static final String DNS_SELECTOR_UNSET_LABEL = "dns-selector-unset-label";
    /** {@code namespaceSelector} and {@code podSelector} written as two peers (OR) where one peer (AND) was likely meant. */
    public static final String SPLIT_NAMESPACE_POD_PEER = "split-namespace-pod-peer";
    /** Rules of a direction that {@code policyTypes} lacks: Kubernetes ignores them silently. */
    public static final String IGNORED_RULES = "ignored-rules";
    /** A policy or a peer that selects no pod. */
    public static final String SELECTS_NO_PODS = "selects-no-pods";
    /** A named port that no destination pod exposes. */
    public static final String UNEXPOSED_NAMED_PORT = "unexposed-named-port";
    /** An ipBlock that covers pod addresses (pod IPs change; select pods instead). */
    public static final String IPBLOCK_COVERS_PODS = "ipblock-covers-pod-network";
    /**
     * An ipBlock that covers a Service's ClusterIP (or the service CIDR): NetworkPolicy sees traffic
     * after kube-proxy's DNAT, addressed to the endpoints, so the rule never matches traffic sent to the Service.
     */
    public static final String IPBLOCK_COVERS_SERVICE_IP = "ipblock-covers-service-ip";
    /**
     * Two ClusterNetworkPolicies of one tier with the same priority that select common pods: upstream
     * leaves their order to the implementation; Netfence evaluates them by name.
     */
    public static final String SAME_PRIORITY_OVERLAP = "same-priority-overlap";
    /** A ClusterNetworkPolicy peer Netfence cannot read (a newer CRD's field, domainNames): the rule fails closed. */
    public static final String FAIL_CLOSED_PEER = "fail-closed-peer";
    /** The object is invalid (what the API server would refuse). */
    public static final String INVALID = "invalid";

    /** Annotation on a policy naming the critical flows it may cut, comma separated: {@code dns}. */
    public static final String ALLOW_CUT_ANNOTATION = "netfence.dev/allow-cut";

    private Rules() {
    }
}
