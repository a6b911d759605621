package dev.netfence.lab;

import dev.netfence.policy.model.Protocol;
import java.time.Duration;

/** The outcome of probing one port: a measured matrix, or the reason it cannot be measured here. */
public sealed interface ProbeResult permits ProbeResult.Measured, ProbeResult.Unprobeable {

    Protocol protocol();

    int port();

    record Measured(ReachabilityMatrix matrix, Duration elapsed) implements ProbeResult {
        @Override
        public Protocol protocol() {
            return matrix.protocol();
        }

        @Override
        public int port() {
            return matrix.port();
        }
    }

    /** Rules for this protocol are still rendered and loaded; only the packets cannot be sent. */
    record Unprobeable(Protocol protocol, int port, String reason) implements ProbeResult {
    }
}
