package dev.netfence.policy.model;

import dev.netfence.policy.net.IpAddress;
import java.util.List;
import java.util.Map;

/**
 * The fields of a Pod that policy depends on. {@code ips} are {@code status.podIPs} (v4 and/or v6);
 * a pod without IPs is not yet running and takes part in no flow. Host-network pods share their
 * node's addresses and are never selected by pod selectors: their traffic is node traffic.
 */
public record Pod(String namespace, String name, Map<String, String> labels, List<IpAddress> ips,
                  String nodeName, boolean hostNetwork, List<ContainerPort> ports) {
    public Pod {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        ips = ips == null ? List.of() : List.copyOf(ips);
        ports = ports == null ? List.of() : List.copyOf(ports);
    }

    /** {@code namespace/name}. */
    public String key() {
        return namespace + "/" + name;
    }

    public ObjectRef ref() {
        return ObjectRef.pod(namespace, name);
    }

    /** The port number a named port resolves to for this pod and protocol, or -1. */
    public int resolveNamedPort(String portName, Protocol protocol) {
        for (ContainerPort p : ports) {
            if (portName.equals(p.name()) && p.protocol() == protocol) {
                return p.port();
            }
        }
        return -1;
    }

    public Pod withLabels(Map<String, String> newLabels) {
        return new Pod(namespace, name, newLabels, ips, nodeName, hostNetwork, ports);
    }
}
