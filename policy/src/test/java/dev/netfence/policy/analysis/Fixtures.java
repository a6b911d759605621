package dev.netfence.policy.analysis;

import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.ContainerPort;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.PolicyPort;
import dev.netfence.policy.model.PolicyRule;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Tiny builders for analysis tests: pods, namespaces and policies people would recognise. */
final class Fixtures {

    static final LabelSelector KUBE_SYSTEM = LabelSelector.of(Namespace.NAME_LABEL, "kube-system");
    static final LabelSelector KUBE_DNS = LabelSelector.of("k8s-app", "kube-dns");

    private Fixtures() {
    }

    static Pod pod(String ns, String name, String ip, Map<String, String> labels, ContainerPort... ports) {
        return new Pod(ns, name, labels, List.of(IpAddress.parse(ip)), "node-1", false, List.of(ports));
    }

    static Pod coredns(String name, String ip) {
        return pod("kube-system", name, ip, Map.of("k8s-app", "kube-dns"),
                new ContainerPort("dns", 53, Protocol.UDP), new ContainerPort("dns-tcp", 53, Protocol.TCP));
    }

    /** kube-system with two CoreDNS pods; shop with web-1, web-2 (app=web) and db-1 (app=db, port "pg"). */
    static ClusterSnapshot.Builder cluster() {
        return ClusterSnapshot.builder()
                .namespace(Namespace.of("kube-system"))
                .namespace(new Namespace("shop", Map.of("team", "shop")))
                .namespace(new Namespace("monitoring", Map.of()))
                .pod(coredns("coredns-a", "10.0.0.10"))
                .pod(coredns("coredns-b", "10.0.0.11"))
                .pod(pod("shop", "web-1", "10.0.1.1", Map.of("app", "web")))
                .pod(pod("shop", "web-2", "10.0.1.2", Map.of("app", "web")))
                .pod(pod("shop", "db-1", "10.0.1.3", Map.of("app", "db"),
                        new ContainerPort("pg", 5432, Protocol.TCP), new ContainerPort("metrics", 9187, Protocol.TCP)))
                .pod(pod("monitoring", "prometheus-0", "10.0.2.1", Map.of("app", "prometheus")));
    }

    static UnaryOperator<NetworkPolicy> types(String... types) {
        return np -> new NetworkPolicy(np.namespace(), np.name(), np.podSelector(), List.of(types), np.ingress(), np.egress(),
                np.annotations());
    }

    static UnaryOperator<NetworkPolicy> egress(PolicyRule... rules) {
        return np -> new NetworkPolicy(np.namespace(), np.name(), np.podSelector(), np.policyTypes(), np.ingress(),
                List.of(rules), np.annotations());
    }

    static UnaryOperator<NetworkPolicy> ingress(PolicyRule... rules) {
        return np -> new NetworkPolicy(np.namespace(), np.name(), np.podSelector(), np.policyTypes(), List.of(rules),
                np.egress(), np.annotations());
    }

    static UnaryOperator<NetworkPolicy> annotation(String key, String value) {
        return np -> new NetworkPolicy(np.namespace(), np.name(), np.podSelector(), np.policyTypes(), np.ingress(),
                np.egress(), Map.of(key, value));
    }

    @SafeVarargs
    static NetworkPolicy policy(String ns, String name, LabelSelector podSelector, UnaryOperator<NetworkPolicy>... tweaks) {
        NetworkPolicy np = new NetworkPolicy(ns, name, podSelector, null, null, null, Map.of());
        for (UnaryOperator<NetworkPolicy> t : tweaks) {
            np = t.apply(np);
        }
        return np;
    }

    static PolicyRule rule(List<Peer> peers, PolicyPort... ports) {
        return new PolicyRule(peers, List.of(ports));
    }

    /** The egress rule everybody writes to keep DNS: kube-system/k8s-app=kube-dns on UDP and TCP 53. */
    static PolicyRule dnsRule(Protocol... protocols) {
        List<PolicyPort> ports = new ArrayList<>();
        for (Protocol p : protocols) {
            ports.add(PolicyPort.of(p, 53));
        }
        return new PolicyRule(List.of(Peer.podsInNamespaces(KUBE_DNS, KUBE_SYSTEM)), ports);
    }

    static DefaultDeny defaultDeny(String ns, boolean allowDns, Direction... types) {
        return new DefaultDeny(ns, "default-deny", types.length == 0 ? null : EnumSet.of(types[0], types), allowDns, false, null);
    }
}
