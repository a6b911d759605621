package dev.netfence.enforcer.cni;

import java.util.List;
import java.util.Objects;

/**
 * What the CNI plugin tells the enforcer on ADD: a pod sandbox got these addresses on this
 * interface. {@code namespace} and {@code name} come from {@code CNI_ARGS}
 * ({@code K8S_POD_NAMESPACE}, {@code K8S_POD_NAME}, as the kubelet's runtimes pass them); they are
 * null when the runtime did not pass them (then the pod is treated as belonging to no exempt
 * namespace).
 *
 * @param containerId {@code CNI_CONTAINERID}: the key of ADD, CHECK and DEL
 * @param ips         canonical text of the addresses in {@code prevResult.ips}, without prefix length
 */
public record PodAnnouncement(String containerId, String namespace, String name, String ifName, List<String> ips) {
    public PodAnnouncement {
        Objects.requireNonNull(containerId, "containerId");
        ips = List.copyOf(ips);
    }

    /** {@code namespace/name}, or null when the runtime did not name the pod. */
    public String podKey() {
        return namespace == null || name == null ? null : namespace + "/" + name;
    }

    /** How logs and errors name the pod. */
    public String describe() {
        String key = podKey();
        return (key == null ? "container " + containerId : "pod " + key) + " " + ips;
    }
}
