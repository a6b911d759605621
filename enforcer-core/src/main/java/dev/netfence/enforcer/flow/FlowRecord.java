package dev.netfence.enforcer.flow;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * One logged flow, as the enforcer's log (a JSON line), {@code GET /flows} and {@code netfence flows}
 * show it. {@code source}/{@code destination} are {@code namespace/name} when the address is a pod of
 * this node's rule set, else the address; {@code port} is the destination port (-1 when the protocol
 * has none or the copy was cut before it). {@code direction} is the side that decided: the source's
 * {@code Egress} or the destination's {@code Ingress}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"seq", "time", "node", "verdict", "direction", "protocol", "source", "sourceAddress", "sourcePort",
        "destination", "destinationAddress", "port", "policies", "rule"})
public record FlowRecord(long seq, String time, String node, String verdict, String direction, String protocol,
                         String source, String sourceAddress, int sourcePort, String destination,
                         String destinationAddress, int port, List<String> policies, String rule) {

    /** The pod ({@code ns/name}) this record is about on the side that decided. */
    public String subject() {
        return "Ingress".equals(direction) ? destination : source;
    }

    /** Whether {@code pod} ({@code ns/name}, or an address) is the source or the destination. */
    public boolean involves(String pod) {
        return pod.equals(source) || pod.equals(destination) || pod.equals(sourceAddress) || pod.equals(destinationAddress);
    }

    /** The namespace of the pod that was judged, or {@code -} when it is known only by address. */
    public String subjectNamespace() {
        String s = subject();
        int slash = s == null ? -1 : s.indexOf('/');
        return slash < 0 ? "-" : s.substring(0, slash);
    }
}
