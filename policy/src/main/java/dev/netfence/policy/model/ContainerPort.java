package dev.netfence.policy.model;

/** A declared container port; {@code name} may be null. */
public record ContainerPort(String name, int port, Protocol protocol) {
    public ContainerPort {
        protocol = protocol == null ? Protocol.TCP : protocol;
    }
}
