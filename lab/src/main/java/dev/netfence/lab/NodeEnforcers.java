package dev.netfence.lab;

import java.nio.file.Path;

/**
 * The Netfence enforcers of a lab's nodes, as the DaemonSet runs one per node: started by
 * {@link Lab#up} once the nodes exist and before any pod is made, so that the {@code netfence} CNI
 * plugin chained in each node's conflist finds its enforcer, as on a node where the enforcer
 * (host-network, so made without CNI) runs before the pods it guards.
 */
public interface NodeEnforcers {

    /** The {@code netfence} plugin binary ({@code enforcer-core/target/cni/netfence}). */
    Path plugin();

    /**
     * Starts the enforcer of {@code node} (called outside every lab namespace; kernel work goes through
     * {@link Lab#inNode}) and returns the unix socket its CNI endpoint serves, once it can answer an ADD.
     */
    Path start(Lab lab, LabNode node);
}
