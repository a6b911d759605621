package dev.netfence.policy.analysis;

import dev.netfence.policy.model.Protocol;

/**
 * A port of a critical flow: a number, or a name resolved against the destination pod's container
 * ports (a destination that does not expose the name is not part of the flow on this port).
 * {@code severityWhenCut} is what losing it costs: for DNS, UDP is an error and TCP a warning
 * (TCP is only the fallback for large answers).
 */
public record CriticalPort(Protocol protocol, Integer number, String name, Severity severityWhenCut) {
    public CriticalPort {
        protocol = protocol == null ? Protocol.TCP : protocol;
        severityWhenCut = severityWhenCut == null ? Severity.ERROR : severityWhenCut;
        if ((number == null) == (name == null)) {
            throw new IllegalArgumentException("a critical port has either a number or a name");
        }
    }

    public static CriticalPort number(Protocol protocol, int number, Severity severity) {
        return new CriticalPort(protocol, number, null, severity);
    }

    public static CriticalPort named(Protocol protocol, String name, Severity severity) {
        return new CriticalPort(protocol, null, name, severity);
    }

    @Override
    public String toString() {
        return protocol + "/" + (name != null ? name : number);
    }
}
