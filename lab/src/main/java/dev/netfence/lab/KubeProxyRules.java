package dev.netfence.lab;

import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import java.util.List;
import java.util.Locale;

/**
 * A Service's ClusterIP translated to its pod endpoints the way kube-proxy's nftables mode does it, in
 * a table of its own ({@code ip kube-proxy}, next to Netfence's {@code inet netfence}): a {@code nat}
 * chain on prerouting (and output, for the node's own connections) at priority {@code dstnat} looks
 * the destination up in the {@code service-ips} verdict map, the service's chain picks an endpoint with
 * {@code numgen random}, and the endpoint's chain DNATs to it. The translation happens before routing,
 * so Netfence's chains on the forward hook (priority filter) see the endpoint pod as destination: the
 * pod NetworkPolicy selects and its peers are pods, never ClusterIPs. Conntrack translates the replies
 * back.
 */
public final class KubeProxyRules {

    /** One port of a Service and the pod endpoints it sends to. */
    public record ServicePort(String name, IpAddress clusterIp, Protocol protocol, int port, List<IpAddress> endpoints,
                              int targetPort) {
        public ServicePort {
            endpoints = List.copyOf(endpoints);
            if (endpoints.isEmpty() || clusterIp.v6() || endpoints.stream().anyMatch(IpAddress::v6)) {
                throw new IllegalArgumentException("service " + name + ": needs IPv4 endpoints and an IPv4 ClusterIP");
            }
        }
    }

    private KubeProxyRules() {
    }

    /** The {@code nft -f} text of the table (IPv4; kube-proxy writes the same shape into {@code ip6 kube-proxy}). */
    public static String render(List<ServicePort> services) {
        StringBuilder t = new StringBuilder();
        t.append("add table ip kube-proxy\n");
        t.append("add chain ip kube-proxy nat-prerouting { type nat hook prerouting priority dstnat; policy accept; }\n");
        // dstnat is -100; nft 1.0.6 accepts the name on prerouting only
        t.append("add chain ip kube-proxy nat-output { type nat hook output priority -100; policy accept; }\n");
        t.append("add chain ip kube-proxy services\n");
        t.append("add map ip kube-proxy service-ips { type ipv4_addr . inet_proto . inet_service : verdict; }\n");
        t.append("add rule ip kube-proxy nat-prerouting jump services\n");
        t.append("add rule ip kube-proxy nat-output jump services\n");
        t.append("add rule ip kube-proxy services ip daddr . meta l4proto . th dport vmap @service-ips\n");
        for (ServicePort s : services) {
            String proto = s.protocol().name().toLowerCase(Locale.ROOT);
            String chain = "service-" + s.name() + "-" + proto + "-" + s.port();
            t.append("add chain ip kube-proxy ").append(chain).append('\n');
            StringBuilder pick = new StringBuilder();
            for (int i = 0; i < s.endpoints().size(); i++) {
                IpAddress ep = s.endpoints().get(i);
                String epChain = "endpoint-" + s.name() + "-" + proto + "-" + ep.toString().replace('.', '-') + "-" + s.targetPort();
                t.append("add chain ip kube-proxy ").append(epChain).append('\n');
                t.append("add rule ip kube-proxy ").append(epChain).append(" meta l4proto ").append(proto)
                        .append(" dnat to ").append(ep).append(':').append(s.targetPort()).append('\n');
                pick.append(i == 0 ? "" : ", ").append(i).append(" : goto ").append(epChain);
            }
            t.append("add rule ip kube-proxy ").append(chain).append(" numgen random mod ").append(s.endpoints().size())
                    .append(" vmap { ").append(pick).append(" }\n");
            t.append("add element ip kube-proxy service-ips { ").append(s.clusterIp()).append(" . ").append(proto)
                    .append(" . ").append(s.port()).append(" : goto ").append(chain).append(" }\n");
        }
        return t.toString();
    }
}
