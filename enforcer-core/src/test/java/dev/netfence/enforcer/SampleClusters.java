package dev.netfence.enforcer;

import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.ContainerPort;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.PolicyPort;
import dev.netfence.policy.model.PolicyRule;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Small clusters used as fixtures by the renderer, applier and datapath tests. */
public final class SampleClusters {
    private SampleClusters() {
    }

    public static Pod pod(String ns, String name, String node, Map<String, String> labels, List<ContainerPort> ports,
                          String... ips) {
        return new Pod(ns, name, labels, Arrays.stream(ips).map(IpAddress::parse).toList(), node, false, ports);
    }

    /**
     * A shop on one node {@code n1} (10.77.0.0/24, fd77::/64) with a web pod (dual stack) that only the
     * api pod may reach on its named port {@code http} (TCP 8080) or UDP 5353, a db pod isolated for
     * egress by a DefaultDeny (DNS carve-out only), and an api pod that is not isolated.
     */
    public static ClusterSnapshot shop() {
        return shop(true);
    }

    /**
     * The shop with IPv4 pods only ({@code dualStack} false: web and api lose their IPv6 address), as on a
     * single-stack node, whose table has no IPv6 policy rules.
     */
    public static ClusterSnapshot shop(boolean dualStack) {
        String[] web = dualStack ? new String[]{"10.77.0.1", "fd77::1"} : new String[]{"10.77.0.1"};
        String[] api = dualStack ? new String[]{"10.77.0.2", "fd77::2"} : new String[]{"10.77.0.2"};
        return ClusterSnapshot.builder()
                .namespace(new Namespace("shop", Map.of("team", "shop")))
                .node(new Node("n1", List.of(IpAddress.parse("10.77.255.1"))))
                .node(new Node("n2", List.of(IpAddress.parse("10.77.255.2"))))
                .pod(pod("shop", "web", "n1", Map.of("app", "web"), List.of(new ContainerPort("http", 8080, Protocol.TCP)),
                        web))
                .pod(pod("shop", "api", "n1", Map.of("app", "api"), List.of(), api))
                .pod(pod("shop", "db", "n1", Map.of("app", "db"), List.of(new ContainerPort("pg", 5432, Protocol.TCP)),
                        "10.77.0.3"))
                .pod(pod("shop", "remote", "n2", Map.of("app", "api"), List.of(), "10.77.1.1"))
                .policy(new NetworkPolicy("shop", "web-from-api", LabelSelector.of("app", "web"), List.of("Ingress"),
                        List.of(new PolicyRule(List.of(Peer.pods(LabelSelector.of("app", "api")),
                                        Peer.ipBlock("172.16.0.0/16", "172.16.1.0/24")),
                                List.of(PolicyPort.named(Protocol.TCP, "http"), PolicyPort.of(Protocol.UDP, 5353)))),
                        null, Map.of()))
                .policy(new NetworkPolicy("shop", "db-ingress", LabelSelector.of("app", "db"), List.of("Ingress"),
                        List.of(new PolicyRule(List.of(Peer.pods(LabelSelector.of("app", "web"))),
                                List.of(PolicyPort.range(Protocol.TCP, 5432, 5433)))), null, Map.of()))
                .defaultDeny(new DefaultDeny("shop", "db-egress", Set.of(Direction.EGRESS), true, false,
                        new LabelSelector(Map.of(), List.of(new LabelSelector.Requirement("app", LabelSelector.Operator.NOT_IN,
                                List.of("db"))))))
                .build();
    }
}
