package dev.netfence.cli.simulate;

import dev.netfence.policy.model.Protocol;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/** {@code --port 80,443,53/UDP}: the ports of the matrices {@code simulate} prints, each with its protocol. */
record PortList(List<Port> ports) {

    record Port(Protocol protocol, int number) {
        @Override
        public String toString() {
            return protocol + "/" + number;
        }
    }

    /** {@code values}: the --port arguments (each a comma-separated list); {@code defaultProtocol} for ports without /PROTOCOL. */
    static PortList parse(List<String> values, Protocol defaultProtocol) {
        LinkedHashSet<Port> out = new LinkedHashSet<>();
        for (String value : values) {
            for (String item : value.split(",")) {
                String s = item.strip();
                if (s.isEmpty()) {
                    continue;
                }
                Protocol protocol = defaultProtocol;
                int slash = s.indexOf('/');
                if (slash >= 0) {
                    String p = s.substring(slash + 1).toUpperCase(Locale.ROOT);
                    try {
                        protocol = Protocol.valueOf(p);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("--port " + s + ": unknown protocol \"" + s.substring(slash + 1)
                                + "\"; use TCP, UDP or SCTP (e.g. 53/UDP)");
                    }
                    s = s.substring(0, slash);
                }
                int n;
                try {
                    n = Integer.parseInt(s);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--port " + item.strip() + ": not a port number (write e.g. 80,443,53/UDP)");
                }
                if (n < 1 || n > 65535) {
                    throw new IllegalArgumentException("--port must be between 1 and 65535 (got " + n + ")");
                }
                out.add(new Port(protocol, n));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--port: give at least one port, e.g. --port 80 or --port 80,443,53/UDP");
        }
        return new PortList(new ArrayList<>(out));
    }
}
