package dev.netfence.enforcer.flow;

import java.util.function.Function;

/**
 * {@code GET /flows?since=&verdict=&pod=&namespace=&limit=}: the parameters read and checked, and
 * the answer of the flow log (the same on the enforcer's HTTP port and on the demo's per-node
 * endpoint, so {@code netfence flows} reads both alike). {@code since} is a sequence number (0: the
 * oldest kept), {@code limit} 1 to {@value #MAX_LIMIT} (default 1,000); a bad parameter is a 400
 * naming it and the range; no flow log (off, or NFLOG could not be bound) a 404 saying why.
 */
public final class FlowQuery {
    public static final int MAX_LIMIT = 10_000;
    static final int DEFAULT_LIMIT = 1_000;

    /** An HTTP answer: status, content type, body. */
    public record Answer(int status, String contentType, String body) {
    }

    private FlowQuery() {
    }

    /** @param param the request's query parameter by name (null: absent) */
    public static Answer answer(FlowLog log, Function<String, String> param) {
        if (log == null) {
            return new Answer(404, "text/plain", "the flow log is off on this node: set netfence.enforcer.flow-log.denied=true"
                    + " (the default), and see the enforcer's log for why NFLOG could not be bound\n");
        }
        try {
            long since = number(param, "since", 0, Long.MAX_VALUE, 0);
            int limit = (int) number(param, "limit", 1, MAX_LIMIT, DEFAULT_LIMIT);
            String verdict = param.apply("verdict");
            if (verdict != null) {
                FlowDecider.Verdict.of(verdict);
            }
            return new Answer(200, "application/json",
                    log.queryJson(since, verdict, param.apply("pod"), param.apply("namespace"), limit) + "\n");
        } catch (IllegalArgumentException e) {
            return new Answer(400, "text/plain", e.getMessage() + "\n");
        }
    }

    private static long number(Function<String, String> param, String name, long min, long max, long absent) {
        String v = param.apply(name);
        if (v == null || v.isEmpty()) {
            return absent;
        }
        try {
            long n = Long.parseLong(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("parameter " + name + "=" + v + " is not a number from " + min + " to " + max);
    }
}
