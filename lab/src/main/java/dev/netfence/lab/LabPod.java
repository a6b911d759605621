package dev.netfence.lab;

import dev.netfence.policy.model.Pod;

/**
 * A pod of the lab. A routed pod has its own namespace and a veth whose node side is
 * {@code hostInterface}; a host-network pod lives in its node's namespace ({@code hostInterface}
 * and {@code mac} are then null).
 */
public record LabPod(Pod pod, String namespace, String hostInterface, String mac) {
    public boolean hostNetwork() {
        return pod.hostNetwork();
    }

    public String key() {
        return pod.key();
    }
}
