package dev.netfence.lab;

/**
 * How the lab's CNI wires pods into their node and nodes to each other. Either way every pod is
 * made by Debian's CNI plugins, run by {@link dev.netfence.lab.cni.CniRuntime} from inside the node.
 */
public enum LabTopology {
    /**
     * {@code ptp} + {@code host-local}: one veth per pod, the node routes the pod's /32 (/128) to it
     * (as Calico or the AWS VPC CNI); nodes route each other's pods over the underlay. Every packet
     * between two pods is forwarded by a node at layer 3.
     */
    ROUTED,
    /**
     * {@code bridge} + {@code host-local}: the pods of a node share the bridge {@code cni0} (its
     * gateway address on the bridge), nodes are joined by one VXLAN device each with static FDB and
     * neighbour entries (Flannel's vxlan backend). Traffic between two pods of one node is bridged,
     * not routed: nftables' inet hooks see it only with br_netfilter ({@code bridge-nf-call-iptables}).
     */
    BRIDGED_VXLAN
}
