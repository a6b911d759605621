package dev.netfence.policy.model;

/**
 * One {@code ports} entry, as written. {@code protocol} null means TCP. {@code port} is a number,
 * a name (an IANA_SVC_NAME resolved against the destination pod's container ports), or null for
 * every port of the protocol. {@code endPort} turns a numeric port into the range [port, endPort].
 */
public record PolicyPort(String protocol, Integer number, String name, Integer endPort) {

    public static PolicyPort tcp(int port) {
        return new PolicyPort("TCP", port, null, null);
    }

    public static PolicyPort of(Protocol protocol, int port) {
        return new PolicyPort(protocol.name(), port, null, null);
    }

    public static PolicyPort named(Protocol protocol, String name) {
        return new PolicyPort(protocol.name(), null, name, null);
    }

    public static PolicyPort range(Protocol protocol, int port, int endPort) {
        return new PolicyPort(protocol.name(), port, null, endPort);
    }

    public static PolicyPort allOf(Protocol protocol) {
        return new PolicyPort(protocol.name(), null, null, null);
    }

    /** The protocol; assumes the entry was validated. */
    public Protocol proto() {
        return Protocol.parse(protocol);
    }

    public boolean isNamed() {
        return name != null;
    }

    @Override
    public String toString() {
        String p = name != null ? name : number == null ? "*" : endPort != null ? number + "-" + endPort : String.valueOf(number);
        return proto() + "/" + p;
    }
}
