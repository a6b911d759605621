package dev.netfence.policy.model;

import java.util.List;

/**
 * One {@code from}/{@code to} entry of a ClusterNetworkPolicy rule: exactly one field is set
 * upstream ({@code MinProperties=1, MaxProperties=1}). {@link Unknown} stands for an entry with no
 * field Netfence knows (a newer CRD's field, or {@code domainNames}, which Netfence does not
 * resolve): "If an implementation sees no fields are set then it can infer that the deployed CRD is
 * of an incompatible version with an unknown field. In that case it should fail closed. For
 * "Accept" rules, "fail closed" means: "treat the rule as matching no traffic". For "Deny" and
 * "Pass" rules, "fail closed" means: "treat the rule as a 'Deny all' rule"."
 */
public sealed interface ClusterPeer {

    /** Every pod (never a host-network one) of the namespaces matching the selector. */
    record Namespaces(LabelSelector namespaces) implements ClusterPeer {
    }

    /** Pods matching {@code pods} in namespaces matching {@code namespaces} (AND); host-network pods never. */
    record Pods(LabelSelector namespaces, LabelSelector pods) implements ClusterPeer {
        public Pods {
            namespaces = namespaces == null ? LabelSelector.ALL : namespaces;
            pods = pods == null ? LabelSelector.ALL : pods;
        }
    }

    /** Egress only: the addresses of the nodes matching the selector ("if present but empty, it selects all Nodes"). */
    record Nodes(LabelSelector nodes) implements ClusterPeer {
    }

    /** Egress only: CIDRs. Pod traffic matches them too ("cluster-internal traffic will be checked against the rule as well"). */
    record Networks(List<String> cidrs) implements ClusterPeer {
        public Networks {
            cidrs = List.copyOf(cidrs);
        }
    }

    /** An entry Netfence cannot read: {@code what} names it for messages ("domainNames", "no field set"). */
    record Unknown(String what) implements ClusterPeer {
    }
}
