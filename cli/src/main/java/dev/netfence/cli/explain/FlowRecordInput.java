package dev.netfence.cli.explain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netfence.cli.UserInputException;
import dev.netfence.enforcer.flow.FlowRecord;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The flow records {@code explain --from-flow} reads: one JSON object per line as {@code netfence
 * flows -o json} prints them and the enforcer logs them (category {@code netfence.flows}), or a whole
 * {@code GET /flows} answer (its {@code records}); from a file, standard input ({@code -}) or the
 * argument itself when it starts with <code>{</code> (or {@code [}, refused as not an object). Each record is checked for what explaining it
 * needs (protocol, destination port, both ends by address or {@code namespace/pod}), and a bad one is
 * a user error naming the input, line and field.
 */
final class FlowRecordInput {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String OPTION = "--from-flow";

    /** A record and where it was read (for messages: {@code flows.json:3}). */
    record Located(FlowRecord record, String where) {
    }

    private FlowRecordInput() {
    }

    static List<Located> read(String argument, InputStream stdin) {
        String name;
        String text;
        if (argument.strip().startsWith("{") || argument.strip().startsWith("[")) {
            name = "the argument";
            text = argument;
        } else if (argument.equals("-")) {
            name = "standard input";
            try {
                text = new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UserInputException(OPTION + " -: cannot read standard input (" + e.getMessage() + ")");
            }
        } else {
            name = argument;
            try {
                text = Files.readString(Path.of(argument));
            } catch (NoSuchFileException e) {
                throw new UserInputException(OPTION + " " + argument + ": no such file; pass a file of flow records (netfence"
                        + " flows -o json > flows.json), - for standard input, or one record's JSON");
            } catch (IOException | java.io.UncheckedIOException e) {
                throw new UserInputException(OPTION + " " + argument + ": cannot read it (" + e.getMessage() + ")");
            }
        }
        List<Located> out = new ArrayList<>();
        String[] lines = text.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            String where = OPTION + " " + name + (lines.length > 1 ? " line " + (i + 1) : "");
            JsonNode node = parse(lines[i], where);
            if (node.has("records") && node.path("records").isArray()) {   // a whole GET /flows answer
                int n = 0;
                for (JsonNode r : node.path("records")) {
                    out.add(new Located(record(r, where + " records[" + n + "]"), where + " records[" + n++ + "]"));
                }
            } else {
                out.add(new Located(record(node, where), where));
            }
        }
        if (out.isEmpty()) {
            throw new UserInputException(OPTION + " " + name + ": no flow record in it (expected one JSON object per line,"
                    + " as netfence flows -o json prints them)");
        }
        return out;
    }

    private static JsonNode parse(String line, String where) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            String at = e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr();
            throw new UserInputException(where + ": not JSON" + at + " (" + e.getOriginalMessage().replaceAll("\\s+", " ")
                    + "): expected one flow record per line, as netfence flows -o json prints them");
        }
        if (node == null || !node.isObject()) {
            throw new UserInputException(where + ": not a JSON object: expected a flow record such as {\"verdict\": \"denied\","
                    + " \"protocol\": \"TCP\", \"source\": \"shop/web\", \"destinationAddress\": \"10.0.1.4\", \"port\": 5432, ...}");
        }
        return node;
    }

    /** The fields explaining needs, checked; the others as the record has them (absent: empty). */
    static FlowRecord record(JsonNode r, String where) {
        String protocol = text(r, "protocol", where, true);
        String proto = protocol.toUpperCase(Locale.ROOT);
        try {
            Protocol.valueOf(proto);
        } catch (IllegalArgumentException e) {
            throw new UserInputException(where + ": field protocol: \"" + protocol + "\" is not TCP, UDP or SCTP, the protocols"
                    + " NetworkPolicy judges");
        }
        if (!r.hasNonNull("port")) {
            throw missing(where, "port", "the destination port");
        }
        if (!r.get("port").canConvertToInt() || r.get("port").asInt() < 1 || r.get("port").asInt() > 65535) {
            throw new UserInputException(where + ": field port: " + r.get("port") + " is not a port from 1 to 65535"
                    + (r.get("port").asInt() == -1 ? " (the enforcer writes -1 when the packet copy ended before the port)" : ""));
        }
        String source = end(r, "source", "sourceAddress", where);
        String destination = end(r, "destination", "destinationAddress", where);
        String verdict = text(r, "verdict", where, false);
        if (verdict != null && !List.of("denied", "allowed", "would-deny").contains(verdict)) {
            throw new UserInputException(where + ": field verdict: \"" + verdict + "\" is not denied, allowed or would-deny");
        }
        String direction = text(r, "direction", where, false);
        if (direction != null && !direction.equals("Ingress") && !direction.equals("Egress")) {
            throw new UserInputException(where + ": field direction: \"" + direction + "\" is not Ingress or Egress");
        }
        List<String> policies = new ArrayList<>();
        if (r.has("policies")) {
            if (!r.get("policies").isArray()) {
                throw new UserInputException(where + ": field policies: expected a list of policy names such as"
                        + " [\"NetworkPolicy shop/web\"], not " + r.get("policies"));
            }
            r.get("policies").forEach(p -> policies.add(p.asText()));
        }
        return new FlowRecord(r.path("seq").asLong(0), r.path("time").asText(""), r.path("node").asText(""), verdict,
                direction, proto, source, address(r, "sourceAddress", where), r.path("sourcePort").asInt(-1), destination,
                address(r, "destinationAddress", where), r.get("port").asInt(), policies,
                r.hasNonNull("rule") ? r.get("rule").asText() : null);
    }

    /** {@code source} ({@code ns/pod} or an address) or, when absent, the address field. */
    private static String end(JsonNode r, String field, String addressField, String where) {
        String named = text(r, field, where, false);
        String address = address(r, addressField, where);
        if (named == null && address == null) {
            throw missing(where, field + "\" or \"" + addressField, "who " + (field.equals("source") ? "sent" : "received")
                    + " the packet (a pod as namespace/name, or an address)");
        }
        if (named != null && !IpAddress.isValid(named) && (named.indexOf('/') <= 0 || named.endsWith("/"))) {
            throw new UserInputException(where + ": field " + field + ": \"" + named + "\" is neither namespace/pod nor an IP"
                    + " address");
        }
        return named != null ? named : address;
    }

    private static String address(JsonNode r, String field, String where) {
        String a = text(r, field, where, false);
        if (a != null && !IpAddress.isValid(a)) {
            throw new UserInputException(where + ": field " + field + ": \"" + a + "\" is not an IP address");
        }
        return a;
    }

    private static String text(JsonNode r, String field, String where, boolean required) {
        JsonNode v = r.get(field);
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isBlank())) {
            if (required) {
                throw missing(where, field, field.equals("protocol") ? "the protocol (TCP, UDP or SCTP)" : field);
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new UserInputException(where + ": field " + field + ": expected a string, not " + v);
        }
        return v.asText();
    }

    private static UserInputException missing(String where, String field, String what) {
        return new UserInputException(where + ": field \"" + field + "\" is missing: a flow record names " + what
                + " (netfence flows -o json prints every field)");
    }
}
