package dev.netfence.policy.model;

/**
 * One {@code protocols} entry of a ClusterNetworkPolicy rule: a protocol with a destination port
 * or an inclusive range ({@code tcp: {destinationPort: {number: 80}}}, {@code range: {start, end}}),
 * or {@code destinationNamedPort}: a container port of the destination pod by name, whatever its
 * protocol ({@code protocol} null then). "If unspecified, protocol-specific attributes will not be
 * used to match traffic": an empty protocols list matches every protocol and port.
 */
public record ClusterPort(Protocol protocol, int start, int end, String namedPort) {

    public static ClusterPort port(Protocol protocol, int port) {
        return new ClusterPort(protocol, port, port, null);
    }

    public static ClusterPort range(Protocol protocol, int start, int end) {
        return new ClusterPort(protocol, start, end, null);
    }

    public static ClusterPort named(String name) {
        return new ClusterPort(null, 0, 0, name);
    }

    public boolean isNamed() {
        return namedPort != null;
    }

    @Override
    public String toString() {
        if (isNamed()) {
            return "named port " + namedPort;
        }
        return protocol + "/" + (start == end ? String.valueOf(start) : start + "-" + end);
    }
}
