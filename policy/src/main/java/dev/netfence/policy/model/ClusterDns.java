package dev.netfence.policy.model;

import dev.netfence.policy.net.IpAddress;
import java.util.List;

/**
 * Where the cluster's DNS lives: the pods ({@code namespace} + {@code podSelector}), the ports
 * they serve on, and optional extra addresses (NodeLocal DNSCache such as 169.254.20.10, or the
 * kube-dns ClusterIP) that count as DNS too.
 */
public record ClusterDns(String namespace, LabelSelector podSelector, List<DnsPort> ports, List<IpAddress> extraIps) {

    public record DnsPort(Protocol protocol, int port) {
    }

    public static final ClusterDns DEFAULT = new ClusterDns("kube-system", LabelSelector.of("k8s-app", "kube-dns"),
            List.of(new DnsPort(Protocol.UDP, 53), new DnsPort(Protocol.TCP, 53)), List.of());

    public ClusterDns {
        podSelector = podSelector == null ? LabelSelector.ALL : podSelector;
        ports = List.copyOf(ports);
        extraIps = extraIps == null ? List.of() : List.copyOf(extraIps);
    }

    public boolean isDnsPod(Pod pod) {
        return !pod.hostNetwork() && pod.namespace().equals(namespace) && podSelector.matches(pod.labels());
    }

    public boolean isDnsPort(Protocol protocol, int port) {
        return ports.contains(new DnsPort(protocol, port));
    }
}
