package dev.netfence.policy.testing;

import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.eval.Flow;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;

/** Endpoints and flows by name: {@code flow(snapshot, "x/a", "y/b", TCP, 80)}. */
public final class Flows {

    private Flows() {
    }

    public static Pod pod(ClusterSnapshot snapshot, String key) {
        String[] nsName = key.split("/");
        return snapshot.pod(nsName[0], nsName[1]).orElseThrow(() -> new IllegalArgumentException("no pod " + key));
    }

    /** A pod (by {@code ns/name}, its IPv4 address) or, when the text has no '/', a bare address. */
    public static Endpoint endpoint(ClusterSnapshot snapshot, String podKeyOrIp) {
        if (podKeyOrIp.contains("/")) {
            return Endpoint.of(pod(snapshot, podKeyOrIp));
        }
        return address(podKeyOrIp);
    }

    /** An address outside the cluster, or a node address given without its node. */
    public static Endpoint address(String ip) {
        return new Endpoint.Host(IpAddress.parse(ip), null, null);
    }

    public static Endpoint nodeAddress(String ip, String nodeName) {
        return new Endpoint.Host(IpAddress.parse(ip), nodeName, null);
    }

    public static Flow flow(ClusterSnapshot snapshot, String from, String to, Protocol protocol, int port) {
        return new Flow(endpoint(snapshot, from), endpoint(snapshot, to), protocol, port);
    }

    public static Flow flow(Endpoint from, Endpoint to, Protocol protocol, int port) {
        return new Flow(from, to, protocol, port);
    }
}
