package dev.netfence.cli.common;

import dev.netfence.policy.model.Protocol;
import picocli.CommandLine.Option;

/** {@code --port N [--protocol TCP|UDP|SCTP]}: the destination port of the flows a command evaluates. */
public class FlowOptions {

    @Option(names = "--port", required = true, paramLabel = "N", description = "Destination port (1-65535).")
    int port;

    @Option(names = "--protocol", defaultValue = "TCP", paramLabel = "PROTOCOL",
            description = "TCP, UDP or SCTP (default: ${DEFAULT-VALUE}).")
    Protocol protocol;

    public int port() {
        return port;
    }

    public Protocol protocol() {
        return protocol;
    }

    /** Picocli checks types; the range is ours. */
    public void check(picocli.CommandLine commandLine) {
        if (port < 1 || port > 65535) {
            throw new picocli.CommandLine.ParameterException(commandLine,
                    "--port must be between 1 and 65535 (got " + port + ")");
        }
    }
}
