package dev.netfence.lab;

import dev.netfence.policy.model.Pod;

/**
 * A pod of the lab. A pod that is not host-network has its own namespace (its sandbox), whose
 * {@code eth0} the node's CNI plugins make; a host-network pod lives in its node's namespace.
 */
public record LabPod(Pod pod, String namespace) {
    public boolean hostNetwork() {
        return pod.hostNetwork();
    }

    public String key() {
        return pod.key();
    }
}
