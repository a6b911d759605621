package dev.netfence.policy.eval;

import dev.netfence.policy.model.Protocol;

/** A connection attempt: from {@code source} to {@code destination} on {@code protocol}/{@code port}. */
public record Flow(Endpoint source, Endpoint destination, Protocol protocol, int port) {
    public String describe() {
        return source.describe() + " -> " + destination.describe() + " on " + protocol + "/" + port;
    }
}
