package dev.netfence.benchmarks;

import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.ContainerPort;
import dev.netfence.policy.model.IpBlock;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.LabelSelector.Operator;
import dev.netfence.policy.model.LabelSelector.Requirement;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.PolicyPort;
import dev.netfence.policy.model.PolicyRule;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A deterministic cluster shaped like a real multi-team one: 20 namespaces of 50 pods (10 apps of
 * 5 replicas, labelled app/tier/version/pod-template-hash) on 50 nodes, and 10 policies per
 * namespace (200 in all) of the kinds teams write: a default deny, app-to-app allows with named
 * ports, monitoring and ingress-controller access across namespaces, egress to databases, DNS and
 * an ipBlock with except, matchExpressions (In, NotIn, Exists) and endPort ranges.
 */
public final class SyntheticCluster {

    static final String[] APPS = {"web", "api", "cart", "checkout", "payments", "catalog", "search", "auth", "db", "cache"};

    private SyntheticCluster() {
    }

    public static ClusterSnapshot build(int namespaces, int podsPerNamespace, long seed) {
        Random r = new Random(seed);
        ClusterSnapshot.Builder b = ClusterSnapshot.builder();
        int nodes = 50;
        for (int n = 0; n < nodes; n++) {
            b.node(new Node(String.format("node-%02d", n), List.of(IpAddress.parse("10.250." + n / 250 + "." + (n % 250 + 1)))));
        }
        b.namespace(new Namespace("kube-system", Map.of()));
        int podIndex = 0;
        for (int ns = 0; ns < namespaces; ns++) {
            String name = namespaceName(ns);
            Map<String, String> nsLabels = new HashMap<>();
            nsLabels.put("team", "team-" + (ns % 7));
            nsLabels.put("env", ns % 5 == 0 ? "staging" : ns % 11 == 0 ? "dev" : "prod");
            if (ns == 0) {
                nsLabels.put("purpose", "monitoring");
            } else if (ns == 1) {
                nsLabels.put("purpose", "ingress");
            }
            b.namespace(new Namespace(name, nsLabels));
            for (int i = 0; i < podsPerNamespace; i++) {
                String app = app(ns, i % APPS.length);
                Map<String, String> labels = new HashMap<>();
                labels.put("app", app);
                labels.put("tier", tier(i % APPS.length));
                labels.put("version", r.nextInt(4) == 0 ? "v2" : "v1");
                labels.put("pod-template-hash", Integer.toHexString(0x10000 + r.nextInt(0xfffff)));
                List<ContainerPort> ports = List.of(
                        new ContainerPort("http", 8080, Protocol.TCP),
                        new ContainerPort("metrics", 9090, Protocol.TCP),
                        new ContainerPort("grpc", 50051, Protocol.TCP));
                String ip = "10.0." + (podIndex / 250) + "." + (podIndex % 250 + 1);
                b.pod(new Pod(name, app + "-" + i, labels, List.of(IpAddress.parse(ip)),
                        String.format("node-%02d", podIndex % nodes), false, ports));
                podIndex++;
            }
            for (NetworkPolicy np : policies(name, nsLabels.get("team"))) {
                b.policy(np);
            }
        }
        return b.build();
    }

    static String namespaceName(int ns) {
        return ns == 0 ? "monitoring" : ns == 1 ? "ingress-nginx" : String.format("shop-%02d", ns);
    }

    static String app(int ns, int i) {
        if (i == 0 && ns == 0) {
            return "prometheus";
        }
        if (i == 0 && ns == 1) {
            return "ingress-nginx";
        }
        return APPS[i];
    }

    static String tier(int i) {
        return i == 0 ? "frontend" : i >= 8 ? "data" : "backend";
    }

    static LabelSelector labels(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return LabelSelector.of(m);
    }

    static PolicyPort tcp(int port) {
        return PolicyPort.of(Protocol.TCP, port);
    }

    static List<PolicyRule> rules(PolicyRule... rules) {
        return List.of(rules);
    }

    static PolicyRule rule(List<Peer> peers, PolicyPort... ports) {
        return new PolicyRule(peers, List.of(ports));
    }

    static List<NetworkPolicy> policies(String ns, String team) {
        Peer dns = Peer.podsInNamespaces(labels("k8s-app", "kube-dns"), labels("kubernetes.io/metadata.name", "kube-system"));
        return List.of(
                new NetworkPolicy(ns, "default-deny-ingress", LabelSelector.ALL, List.of("Ingress"), null, null, null),
                new NetworkPolicy(ns, "web-from-ingress", labels("app", "web"), null, rules(rule(
                        List.of(Peer.podsInNamespaces(labels("app", "ingress-nginx"), labels("purpose", "ingress"))),
                        tcp(8080))), null, null),
                new NetworkPolicy(ns, "backend-from-web", labels("tier", "backend"), null, rules(rule(
                        List.of(Peer.pods(labels("app", "web"))), PolicyPort.named(Protocol.TCP, "http"),
                        PolicyPort.named(Protocol.TCP, "grpc"))), null, null),
                new NetworkPolicy(ns, "data-from-backend", labels("tier", "data"), null, rules(rule(
                        List.of(Peer.pods(new LabelSelector(null, List.of(new Requirement("tier", Operator.IN,
                                List.of("backend")))))), tcp(5432), tcp(6379))), null, null),
                new NetworkPolicy(ns, "metrics-from-prometheus", LabelSelector.ALL, null, rules(rule(
                        List.of(Peer.podsInNamespaces(labels("app", "prometheus"), labels("purpose", "monitoring"))),
                        PolicyPort.named(Protocol.TCP, "metrics"))), null, null),
                new NetworkPolicy(ns, "backend-egress", labels("tier", "backend"), List.of("Egress"), null, rules(
                        rule(List.of(Peer.pods(labels("tier", "data"))), tcp(5432), tcp(6379)),
                        rule(List.of(dns), PolicyPort.of(Protocol.UDP, 53), tcp(53)),
                        rule(List.of(new Peer(null, null, new IpBlock("10.0.0.0/8", List.of("10.96.0.0/12")))), tcp(443))),
                        null),
                new NetworkPolicy(ns, "same-team", new LabelSelector(null, List.of(
                        new Requirement("version", Operator.IN, List.of("v1", "v2")),
                        new Requirement("app", Operator.NOT_IN, List.of("db")))), null, rules(rule(
                        List.of(Peer.namespaces(labels("team", team))), PolicyPort.range(Protocol.TCP, 8000, 8999))), null, null),
                new NetworkPolicy(ns, "canary-from-prod", labels("version", "v2"), null, rules(rule(
                        List.of(Peer.podsInNamespaces(new LabelSelector(null, List.of(new Requirement("app", Operator.EXISTS,
                                        List.of()))),
                                new LabelSelector(null, List.of(new Requirement("env", Operator.NOT_IN, List.of("dev")))))),
                        tcp(8080))), null, null),
                new NetworkPolicy(ns, "web-nodeports", labels("app", "web"), null, rules(rule(
                        List.of(new Peer(null, null, new IpBlock("0.0.0.0/0", List.of("10.0.0.0/8")))),
                        PolicyPort.range(Protocol.TCP, 30000, 32767))), null, null),
                new NetworkPolicy(ns, "frontend-egress", labels("tier", "frontend"), List.of("Egress"), null, rules(
                        rule(List.of(Peer.pods(labels("tier", "backend")))),
                        rule(List.of(dns), PolicyPort.of(Protocol.UDP, 53))), null));
    }
}
