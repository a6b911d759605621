package dev.netfence.crds.manifest;

import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What NetworkPolicy needs to know of a Service: nothing for the verdict (kube-proxy rewrites the
 * destination to an endpoint before the packet reaches the policy: the policy sees the pod), but
 * which endpoints a flow to it reaches, and that its ClusterIPs are no pod addresses.
 * {@code selector} null: the Service selects no pods (its EndpointSlices are managed by hand).
 */
public record ServiceModel(String namespace, String name, List<IpAddress> clusterIps, Map<String, String> selector,
                           List<Port> ports) {

    /** {@code targetPort} as written: a number, a container port name, or null (the same as {@code port}). */
    public record Port(String name, Protocol protocol, int port, Integer targetNumber, String targetName) {
    }

    public String key() {
        return namespace + "/" + name;
    }

    static ServiceModel of(Service s) {
        String ns = s.getMetadata().getNamespace() == null ? "default" : s.getMetadata().getNamespace();
        List<IpAddress> ips = new ArrayList<>();
        List<String> written = s.getSpec() == null ? List.of() : new ArrayList<>();
        if (s.getSpec() != null) {
            // fabric8 gives an empty list for an absent clusterIPs: fall back to clusterIP (the first of them)
            if (s.getSpec().getClusterIPs() != null && !s.getSpec().getClusterIPs().isEmpty()) {
                written.addAll(s.getSpec().getClusterIPs());
            } else if (s.getSpec().getClusterIP() != null) {
                written.add(s.getSpec().getClusterIP());
            }
        }
        for (String ip : written) {
            if (IpAddress.isValid(ip)) {   // "None" (headless) has no ClusterIP
                ips.add(IpAddress.parse(ip));
            }
        }
        List<Port> ports = new ArrayList<>();
        if (s.getSpec() != null && s.getSpec().getPorts() != null) {
            for (int i = 0; i < s.getSpec().getPorts().size(); i++) {
                ServicePort p = s.getSpec().getPorts().get(i);
                Protocol protocol = p.getProtocol() == null ? Protocol.TCP : protocol(p.getProtocol(), "spec.ports[" + i + "].protocol");
                IntOrString target = p.getTargetPort();
                Integer number = target == null ? null : target.getIntVal();
                String name = target == null ? null : target.getStrVal();
                ports.add(new Port(p.getName(), protocol, p.getPort() == null ? 0 : p.getPort(), number, name));
            }
        }
        Map<String, String> selector = s.getSpec() == null ? null : s.getSpec().getSelector();
        return new ServiceModel(ns, s.getMetadata().getName(), List.copyOf(ips),
                selector == null || selector.isEmpty() ? null : Map.copyOf(selector), List.copyOf(ports));
    }

    static Protocol protocol(String value, String fieldPath) {
        for (Protocol p : Protocol.values()) {
            if (p.name().equals(value)) {
                return p;
            }
        }
        throw new dev.netfence.crds.adapter.InvalidFieldException(fieldPath, "unsupported protocol \"" + value
                + "\": use TCP, UDP or SCTP");
    }
}
