package dev.netfence.policy.eval;

import dev.netfence.policy.model.Pod;
import dev.netfence.policy.net.IpAddress;

/**
 * One end of a flow: a pod (with the address the flow uses) or a host address. Host-network pods
 * are {@link Host} endpoints on their node: pod selectors never match them, ipBlocks may.
 */
public sealed interface Endpoint permits Endpoint.PodEndpoint, Endpoint.Host {

    IpAddress ip();

    /** The node the endpoint is on, or null for an address outside the cluster. */
    String nodeName();

    String describe();

    record PodEndpoint(Pod pod, IpAddress ip) implements Endpoint {
        @Override
        public String nodeName() {
            return pod.nodeName();
        }

        @Override
        public String describe() {
            return "pod " + pod.key() + " (" + ip + ")";
        }
    }

    /** A node address, a host-network pod (then {@code pod} is set) or an external address. */
    record Host(IpAddress ip, String nodeName, Pod pod) implements Endpoint {
        @Override
        public String describe() {
            if (pod != null) {
                return "host-network pod " + pod.key() + " (" + ip + ", node traffic)";
            }
            return nodeName != null ? "node " + nodeName + " (" + ip + ")" : "address " + ip;
        }
    }

    /**
     * The endpoint for a pod, using its address of the given family when it has one (dual stack),
     * else its first address.
     */
    static Endpoint of(Pod pod, boolean v6) {
        IpAddress ip = pod.ips().stream().filter(a -> a.v6() == v6).findFirst()
                .orElseGet(() -> pod.ips().isEmpty() ? null : pod.ips().get(0));
        if (ip == null) {
            throw new IllegalArgumentException("pod " + pod.key() + " has no IP address yet");
        }
        return pod.hostNetwork() ? new Host(ip, pod.nodeName(), pod) : new PodEndpoint(pod, ip);
    }

    static Endpoint of(Pod pod) {
        return of(pod, false);
    }
}
