package dev.netfence.lab;

import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.ContainerPort;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Small clusters for lab tests, shaped like the upstream e2e model (namespaces x, y, z; pods a, b, c). */
final class LabFixtures {

    static final List<ContainerPort> SERVED = List.of(
            new ContainerPort("serve-80-tcp", 80, Protocol.TCP),
            new ContainerPort("serve-81-udp", 81, Protocol.UDP));

    private LabFixtures() {
    }

    static Pod pod(String ns, String name, String node, String... ips) {
        return new Pod(ns, name, Map.of("pod", name), Arrays.stream(ips).map(IpAddress::parse).toList(), node, false, SERVED);
    }

    /** Two nodes, five pods; x/a and y/a are dual stack. */
    static ClusterSnapshot twoNodes() {
        return ClusterSnapshot.builder()
                .namespace(Namespace.of("x")).namespace(Namespace.of("y")).namespace(Namespace.of("z"))
                .node(new Node("node-a", List.of(IpAddress.parse("172.31.0.11"))))
                .node(new Node("node-b", List.of(IpAddress.parse("172.31.0.12"))))
                .pod(pod("x", "a", "node-a", "10.244.1.10", "fd00:10:244:1::10"))
                .pod(pod("x", "b", "node-a", "10.244.1.11"))
                .pod(pod("y", "a", "node-b", "10.244.2.10", "fd00:10:244:2::10"))
                .pod(pod("y", "b", "node-b", "10.244.2.11"))
                .pod(pod("z", "c", "node-b", "10.244.2.12"))
                .build();
    }

    /** {@code nodes} nodes with {@code podsPerNode} pods each, spread over namespaces x, y, z. */
    static ClusterSnapshot cluster(int nodes, int podsPerNode) {
        ClusterSnapshot.Builder b = ClusterSnapshot.builder();
        String[] namespaces = {"x", "y", "z"};
        for (String ns : namespaces) {
            b.namespace(Namespace.of(ns));
        }
        int k = 0;
        for (int n = 1; n <= nodes; n++) {
            b.node(new Node("node-" + n, List.of(IpAddress.parse("172.31.0." + n))));
            for (int p = 0; p < podsPerNode; p++, k++) {
                b.pod(pod(namespaces[k % 3], "pod-" + k, "node-" + n, "10.244." + n + "." + (10 + p)));
            }
        }
        return b.build();
    }
}
