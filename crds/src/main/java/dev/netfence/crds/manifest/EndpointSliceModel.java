package dev.netfence.crds.manifest;

import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.List;

/**
 * The endpoints of a Service ({@code discovery.k8s.io/v1}, label {@code kubernetes.io/service-name}):
 * the addresses kube-proxy rewrites a flow to the Service into, and the port numbers, by port name.
 * Endpoints whose {@code conditions.ready} is false receive no traffic and are left out.
 */
public record EndpointSliceModel(String namespace, String name, String serviceName, List<IpAddress> addresses,
                                 List<Port> ports) {

    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    public record Port(String name, Protocol protocol, int port) {
    }

    static EndpointSliceModel of(EndpointSlice s) {
        String ns = s.getMetadata().getNamespace() == null ? "default" : s.getMetadata().getNamespace();
        String service = s.getMetadata().getLabels() == null ? null : s.getMetadata().getLabels().get(SERVICE_NAME_LABEL);
        List<IpAddress> addresses = new ArrayList<>();
        if (s.getEndpoints() != null) {
            for (Endpoint e : s.getEndpoints()) {
                boolean ready = e.getConditions() == null || e.getConditions().getReady() == null || e.getConditions().getReady();
                if (ready && e.getAddresses() != null) {
                    e.getAddresses().stream().filter(IpAddress::isValid).map(IpAddress::parse).forEach(addresses::add);
                }
            }
        }
        List<Port> ports = new ArrayList<>();
        if (s.getPorts() != null) {
            for (int i = 0; i < s.getPorts().size(); i++) {
                EndpointPort p = s.getPorts().get(i);
                if (p.getPort() != null) {
                    ports.add(new Port(p.getName(), p.getProtocol() == null ? Protocol.TCP : protocol(p.getProtocol(), "ports[" + i + "].protocol"),
                            p.getPort()));
                }
            }
        }
        return new EndpointSliceModel(ns, s.getMetadata().getName(), service, List.copyOf(addresses), List.copyOf(ports));
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
