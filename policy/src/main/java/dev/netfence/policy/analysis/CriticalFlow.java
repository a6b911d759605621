package dev.netfence.policy.analysis;

import dev.netfence.policy.model.ClusterDns;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A flow no policy may cut: from the source pods to the destination pods and addresses, on the
 * ports. Selectors follow NetworkPolicy peer semantics except that an absent namespace selector
 * means every namespace: {@code sourceNamespaces} null = every namespace, {@code sourcePods} null =
 * every pod; {@code destinationPods} null = no destination pods (only {@code destinationIps}).
 * A pod "has" the flow to a destination when both the source's egress and the destination's
 * ingress allow it; every destination it reached before a change must stay reachable after it.
 */
public record CriticalFlow(String name, String description, LabelSelector sourceNamespaces, LabelSelector sourcePods,
                           LabelSelector destinationNamespaces, LabelSelector destinationPods,
                           List<IpAddress> destinationIps, List<CriticalPort> ports) {

    public static final String DNS = "dns";

    public CriticalFlow {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a critical flow needs a name");
        }
        destinationIps = destinationIps == null ? List.of() : List.copyOf(destinationIps);
        ports = List.copyOf(ports);
        if (ports.isEmpty()) {
            throw new IllegalArgumentException("critical flow " + name + " needs at least one port");
        }
    }

    /**
     * The built-in DNS flow: every pod to the cluster DNS pods (and configured DNS addresses) on
     * the DNS ports; cutting a UDP port costs {@code udp}, cutting a TCP port costs {@code tcp}.
     */
    public static CriticalFlow dns(ClusterDns dns, Severity udp, Severity tcp) {
        List<CriticalPort> ports = new ArrayList<>();
        for (ClusterDns.DnsPort p : dns.ports()) {
            ports.add(CriticalPort.number(p.protocol(), p.port(), p.protocol() == Protocol.UDP ? udp : tcp));
        }
        return new CriticalFlow(DNS, "egress to the cluster DNS", null, null,
                LabelSelector.of(Namespace.NAME_LABEL, dns.namespace()), dns.podSelector(), dns.extraIps(), ports);
    }

    public static CriticalFlow dns(ClusterDns dns) {
        return dns(dns, Severity.ERROR, Severity.WARNING);
    }

    public boolean isDns() {
        return DNS.equals(name);
    }

    /** Source namespace test; absent selector = every namespace. */
    public boolean sourceNamespace(java.util.Map<String, String> namespaceLabels) {
        return sourceNamespaces == null || sourceNamespaces.matches(namespaceLabels);
    }

    public boolean sourcePod(java.util.Map<String, String> podLabels) {
        return sourcePods == null || sourcePods.matches(podLabels);
    }

    public boolean destinationNamespace(java.util.Map<String, String> namespaceLabels) {
        return destinationPods != null && (destinationNamespaces == null || destinationNamespaces.matches(namespaceLabels));
    }

    public boolean destinationPod(java.util.Map<String, String> podLabels) {
        return destinationPods != null && destinationPods.matches(podLabels);
    }
}
