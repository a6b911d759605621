package dev.netfence.benchmarks;

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
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A synthetic cluster at the Kubernetes scale limits with selectors shaped like real ones:
 * {@code namespaces} namespaces (labels {@code team}, {@code env}) of {@code podsPerNamespace} pods
 * in 15 apps of 3 tiers, spread round-robin over {@code nodes} nodes (so every node runs pods of
 * many namespaces), and {@code policiesPerNamespace} NetworkPolicies per namespace:
 * <ul>
 *   <li>policy 0: ingress for every pod from the same namespace (podSelector {} peer);</li>
 *   <li>policies 1..n-3: app {@code k} accepts app {@code k-1} on TCP 8080 and the named port {@code http},
 *       and the monitoring namespaces (namespaceSelector team=monitoring) on 9090;</li>
 *   <li>policy n-2: egress of the db tier to 10.0.0.0/8 except two /16s, and to DNS;</li>
 *   <li>policy n-1: ingress of the web tier from the ingress controller namespace (namespace + pod selector);</li>
 * </ul>
 * plus a DefaultDeny (egress, DNS allowed) in one namespace of ten.
 */
public final class ScaleLimitCluster {

    public static final int APPS = 15;

    private ScaleLimitCluster() {
    }

    public static ClusterSnapshot build(int nodes, int namespaces, int podsPerNamespace, int policiesPerNamespace) {
        ClusterSnapshot.Builder b = ClusterSnapshot.builder();
        for (int n = 0; n < nodes; n++) {
            b.node(new Node(nodeName(n), List.of(IpAddress.parse("172.20." + (n >> 8) + "." + (n & 255)))));
        }
        b.namespace(new Namespace("kube-system", Map.of()));
        b.pod(new Pod("kube-system", "coredns-0", Map.of("k8s-app", "kube-dns"), List.of(IpAddress.parse("10.255.0.10")),
                nodeName(0), false, List.of(new ContainerPort("dns", 53, Protocol.UDP))));
        int podIndex = 0;
        for (int ns = 0; ns < namespaces; ns++) {
            String name = namespaceName(ns);
            String team = ns % 50 == 0 ? "monitoring" : ns % 50 == 1 ? "ingress" : "team-" + (ns % 40);
            b.namespace(new Namespace(name, Map.of("team", team, "env", ns % 3 == 0 ? "prod" : "dev")));
            for (int p = 0; p < podsPerNamespace; p++) {
                b.pod(pod(name, p, podIndex++, nodes));
            }
            for (int k = 0; k < policiesPerNamespace; k++) {
                b.policy(policy(name, k, policiesPerNamespace));
            }
            if (ns % 10 == 0) {
                b.defaultDeny(new DefaultDeny(name, "default-deny", Set.of(Direction.EGRESS), true, false, null));
            }
        }
        return b.build();
    }

    public static String nodeName(int n) {
        return "node-" + n;
    }

    public static String namespaceName(int ns) {
        return "ns-" + ns;
    }

    public static Pod pod(String namespace, int p, int podIndex, int nodes) {
        int app = p % APPS;
        String tier = app % 3 == 0 ? "web" : app % 3 == 1 ? "api" : "db";
        IpAddress ip = IpAddress.parse("10." + (64 + (podIndex >> 16)) + "." + ((podIndex >> 8) & 255) + "." + (podIndex & 255));
        return new Pod(namespace, "pod-" + p, Map.of("app", "app-" + app, "tier", tier, "pod-template-hash", "h" + (p % 7)),
                List.of(ip), nodeName(podIndex % nodes), false,
                List.of(new ContainerPort("http", 8080, Protocol.TCP), new ContainerPort("metrics", 9090, Protocol.TCP)));
    }

    public static NetworkPolicy policy(String namespace, int k, int perNamespace) {
        if (k == 0) {
            return new NetworkPolicy(namespace, "allow-same-namespace", LabelSelector.ALL, List.of("Ingress"),
                    List.of(new PolicyRule(List.of(Peer.pods(LabelSelector.ALL)), List.of())), null, Map.of());
        }
        if (k == perNamespace - 2) {
            return new NetworkPolicy(namespace, "db-egress", LabelSelector.of("tier", "db"), List.of("Egress"), null,
                    List.of(new PolicyRule(List.of(Peer.ipBlock("10.0.0.0/8", "10.64.0.0/16", "10.65.0.0/16")),
                                    List.of(PolicyPort.tcp(5432))),
                            new PolicyRule(List.of(Peer.podsInNamespaces(LabelSelector.of("k8s-app", "kube-dns"),
                                    LabelSelector.of(Namespace.NAME_LABEL, "kube-system"))),
                                    List.of(PolicyPort.of(Protocol.UDP, 53)))), Map.of());
        }
        if (k == perNamespace - 1) {
            return new NetworkPolicy(namespace, "web-from-ingress", LabelSelector.of("tier", "web"), List.of("Ingress"),
                    List.of(new PolicyRule(List.of(Peer.podsInNamespaces(LabelSelector.of("app", "app-0"),
                            LabelSelector.of("team", "ingress"))), List.of(PolicyPort.tcp(8080)))), null, Map.of());
        }
        int app = k % APPS;
        return new NetworkPolicy(namespace, "app-" + app + "-ingress-" + k, LabelSelector.of("app", "app-" + app),
                List.of("Ingress"),
                List.of(new PolicyRule(List.of(Peer.pods(LabelSelector.of("app", "app-" + ((app + APPS - 1) % APPS)))),
                                List.of(PolicyPort.tcp(8080), PolicyPort.named(Protocol.TCP, "http"))),
                        new PolicyRule(List.of(Peer.namespaces(LabelSelector.of("team", "monitoring"))),
                                List.of(PolicyPort.tcp(9090)))),
                null, Map.of());
    }
}
