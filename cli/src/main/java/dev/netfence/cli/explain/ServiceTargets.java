package dev.netfence.cli.explain;

import dev.netfence.cli.UserInputException;
import dev.netfence.cli.common.Endpoints;
import dev.netfence.crds.manifest.EndpointSliceModel;
import dev.netfence.crds.manifest.Manifests;
import dev.netfence.crds.manifest.ServiceModel;
import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Where a flow to a Service goes: NetworkPolicy never sees the ClusterIP, because kube-proxy (or the
 * CNI's service implementation) rewrites the destination to one endpoint (DNAT) before the packet is
 * filtered. The endpoints are those of the Service's EndpointSlices when the manifests hold some
 * (ready endpoints, the port of the same name), else the pods its selector selects (the targetPort,
 * resolved by name on each pod).
 */
final class ServiceTargets {

    /** One endpoint: its address, the port after DNAT, and where that came from. */
    record Target(Endpoint endpoint, int port, String source) {
    }

    private ServiceTargets() {
    }

    static ServiceModel service(Manifests m, String text) {
        String[] parts = text.substring("svc/".length()).split("/");
        if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new UserInputException("--to " + text + ": expected svc/NAMESPACE/NAME (for example svc/shop/api)");
        }
        List<ServiceModel> services = m.objects().stream().flatMap(o -> o.model(ServiceModel.class).stream()).toList();
        return services.stream().filter(s -> s.namespace().equals(parts[0]) && s.name().equals(parts[1])).findFirst()
                .orElseThrow(() -> {
                    String there = services.stream().filter(s -> s.namespace().equals(parts[0])).map(ServiceModel::name)
                            .collect(Collectors.joining(", "));
                    return new UserInputException("--to " + text + ": no Service \"" + parts[1] + "\" in namespace \"" + parts[0]
                            + "\" in the input" + (there.isEmpty() ? "" : "; Services in " + parts[0] + ": " + there));
                });
    }

    static ServiceModel.Port port(ServiceModel s, Protocol protocol, int port) {
        return s.ports().stream().filter(p -> p.port() == port && p.protocol() == protocol).findFirst()
                .orElseThrow(() -> new UserInputException("Service " + s.key() + " has no port " + protocol + "/" + port
                        + "; its ports: " + s.ports().stream().map(p -> p.protocol() + "/" + p.port()
                        + (p.name() == null ? "" : " (" + p.name() + ")")).collect(Collectors.joining(", "))));
    }

    static List<Target> resolve(dev.netfence.cli.common.ClusterInput input, ServiceModel s, ServiceModel.Port port) {
        Manifests m = input.manifests();
        ClusterSnapshot snapshot = input.snapshot();
        List<EndpointSliceModel> slices = m.objects().stream().flatMap(o -> o.model(EndpointSliceModel.class).stream())
                .filter(e -> e.namespace().equals(s.namespace()) && s.name().equals(e.serviceName())).toList();
        List<Target> out = new ArrayList<>();
        if (!slices.isEmpty()) {
            for (EndpointSliceModel slice : slices) {
                Optional<EndpointSliceModel.Port> p = slice.ports().stream()
                        .filter(sp -> sp.protocol() == port.protocol() && same(sp.name(), port.name())).findFirst();
                if (p.isEmpty()) {
                    continue;
                }
                for (IpAddress ip : slice.addresses()) {
                    Endpoint e = Endpoints.address(snapshot, ip);
                    out.add(new Target(e, p.get().port(), "EndpointSlice " + slice.namespace() + "/" + slice.name()));
                }
            }
            return out;
        }
        if (s.selector() == null) {
            return out;
        }
        for (Pod pod : snapshot.selectPods(s.namespace(), LabelSelector.of(s.selector()))) {
            if (pod.ips().isEmpty() || input.isSecondReplica(pod)) {
                continue;   // a second replica stands only for flows between replicas
            }
            int target = port.targetNumber() != null ? port.targetNumber()
                    : port.targetName() != null ? pod.resolveNamedPort(port.targetName(), port.protocol()) : port.port();
            if (target < 0) {
                continue;   // the pod exposes no container port of that name: kube-proxy sends it nothing
            }
            out.add(new Target(Endpoint.of(pod, s.clusterIps().stream().anyMatch(IpAddress::v6)
                    && s.clusterIps().stream().noneMatch(ip -> !ip.v6())), target,
                    "selected by the Service's selector " + LabelSelector.of(s.selector())));
        }
        return out;
    }

    private static boolean same(String a, String b) {
        return (a == null || a.isEmpty()) ? (b == null || b.isEmpty()) : a.equals(b);
    }
}
