package dev.netfence.enforcer.nft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the per-rule counters of the table from a terse JSON listing and sums them by rule
 * comment, which names the policy and rule ({@code NetworkPolicy shop/web spec.ingress[0]}) or the
 * drop of a profile ({@code deny ingress shop/web}).
 */
public final class RuleCounters {

    /** Packets and bytes counted for one policy rule. */
    public record Count(long packets, long bytes) {
        Count plus(long p, long b) {
            return new Count(packets + p, bytes + b);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private RuleCounters() {
    }

    public static Map<String, Count> read(Nftables nft) {
        return parse(nft.jsonTerse("list table " + RenderedTable.TABLE));
    }

    static Map<String, Count> parse(String json) {
        Map<String, Count> out = new TreeMap<>();
        try {
            for (JsonNode item : JSON.readTree(json).path("nftables")) {
                JsonNode rule = item.get("rule");
                if (rule == null || !rule.hasNonNull("comment")) {
                    continue;
                }
                for (JsonNode expr : rule.path("expr")) {
                    JsonNode counter = expr.get("counter");
                    if (counter != null) {
                        out.merge(rule.get("comment").asText(), new Count(counter.path("packets").asLong(),
                                counter.path("bytes").asLong()), (a, b) -> a.plus(b.packets(), b.bytes()));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable nftables JSON listing", e);
        }
        return out;
    }
}
