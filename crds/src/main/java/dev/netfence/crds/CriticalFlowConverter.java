package dev.netfence.crds;

import dev.netfence.crds.adapter.InvalidFieldException;
import dev.netfence.policy.analysis.CriticalPort;
import dev.netfence.policy.analysis.Severity;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.util.ArrayList;
import java.util.List;

/**
 * Translates a {@link CriticalFlow} resource into the analysis model; a bad value throws
 * {@link InvalidFieldException} naming its field (callers add the object and where it came from).
 */
public final class CriticalFlowConverter {

    private CriticalFlowConverter() {
    }

    public static dev.netfence.policy.analysis.CriticalFlow toModel(CriticalFlow cf) {
        String name = cf.getMetadata() == null ? null : cf.getMetadata().getName();
        CriticalFlowSpec spec = cf.getSpec();
        if (spec == null) {
            throw new InvalidFieldException("spec", "required");
        }
        CriticalFlowSpec.Source src = spec.source == null ? new CriticalFlowSpec.Source() : spec.source;
        CriticalFlowSpec.Destination dst = spec.destination == null ? new CriticalFlowSpec.Destination() : spec.destination;
        List<IpAddress> ips = new ArrayList<>();
        List<String> written = dst.ips == null ? List.of() : dst.ips;
        for (int i = 0; i < written.size(); i++) {
            if (!IpAddress.isValid(written.get(i))) {
                throw new InvalidFieldException("spec.destination.ips[" + i + "]", "\"" + written.get(i)
                        + "\" is not an IP address (write 169.254.20.10 or fd00::a, without a prefix length)");
            }
            ips.add(IpAddress.parse(written.get(i)));
        }
        if (dst.podSelector == null && ips.isEmpty()) {
            throw new InvalidFieldException("spec.destination", "set podSelector and/or ips");
        }
        if (spec.ports == null || spec.ports.isEmpty()) {
            throw new InvalidFieldException("spec.ports", "at least one port is required");
        }
        List<CriticalPort> ports = new ArrayList<>();
        for (int i = 0; i < spec.ports.size(); i++) {
            ports.add(port(spec.ports.get(i), "spec.ports[" + i + "]"));
        }
        if (name == null || name.isEmpty()) {
            throw new InvalidFieldException("metadata.name", "required");
        }
        return new dev.netfence.policy.analysis.CriticalFlow(name, spec.description, selector(src.namespaceSelector),
                selector(src.podSelector), selector(dst.namespaceSelector), selector(dst.podSelector), ips, ports);
    }

    private static CriticalPort port(CriticalFlowSpec.Port p, String path) {
        Protocol protocol = p.protocol == null ? Protocol.TCP : Protocol.valueOf(p.protocol.name());
        Severity severity = p.severity == CriticalFlowSpec.SeverityValue.Warning ? Severity.WARNING : Severity.ERROR;
        IntOrString port = p.port;
        if (port == null || (port.getIntVal() == null && (port.getStrVal() == null || port.getStrVal().isEmpty()))) {
            throw new InvalidFieldException(path + ".port", "required (a number or a container port name)");
        }
        if (port.getIntVal() != null) {
            if (port.getIntVal() < 1 || port.getIntVal() > 65535) {
                throw new InvalidFieldException(path + ".port", "must be between 1 and 65535, got " + port.getIntVal());
            }
            return CriticalPort.number(protocol, port.getIntVal(), severity);
        }
        return CriticalPort.named(protocol, port.getStrVal(), severity);
    }

    /** Absent stays absent (null): for a critical flow's source, absent means "every". */
    static LabelSelector selector(io.fabric8.kubernetes.api.model.LabelSelector s) {
        return dev.netfence.crds.adapter.ModelAdapter.labelSelector(s);
    }
}
