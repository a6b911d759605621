package dev.netfence.cli.common;

import dev.netfence.policy.model.Protocol;
import picocli.CommandLine.Option;

/** {@code --port N [--protocol TCP|UDP|SCTP]}: the destination port of the flows a command evaluates. */
public class FlowOptions {

    /** Checked in {@link #check} rather than by picocli: {@code explain --from-flow} takes the port from the record. */
    @Option(names = "--port", paramLabel = "N", description = "Destination port (1-65535).")
    Integer port;

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
        if (port == null) {
            throw new picocli.CommandLine.ParameterException(commandLine, "Missing required option: '--port=N'");
        }
        if (port < 1 || port > 65535) {
            throw new picocli.CommandLine.ParameterException(commandLine,
                    "--port must be between 1 and 65535 (got " + port + ")");
        }
    }
}
