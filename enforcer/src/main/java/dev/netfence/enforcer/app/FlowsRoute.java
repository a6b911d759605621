package dev.netfence.enforcer.app;

import dev.netfence.enforcer.flow.FlowDecider;
import dev.netfence.enforcer.flow.FlowLog;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * {@code GET /flows?since=&verdict=&pod=&namespace=&limit=} on the enforcer's HTTP port (loopback of
 * the node, like the metrics): the flow records of the in-memory ring after sequence number
 * {@code since} (0: the oldest kept), as {@code {"node", "next", "records", "lost"}}; a reader
 * follows by passing {@code next} back as {@code since}. A bad parameter is a 400 with the fix.
 */
@ApplicationScoped
public class FlowsRoute {
    static final int MAX_LIMIT = 10_000;
    private final EnforcerApp app;

    FlowsRoute(EnforcerApp app) {
        this.app = app;
    }

    void routes(@Observes Router router) {
        router.get("/flows").handler(this::flows);
    }

    private void flows(RoutingContext ctx) {
        FlowLog log = app.flowLog();
        if (log == null) {
            ctx.response().setStatusCode(404).putHeader("content-type", "text/plain")
                    .end("the flow log is off on this node: set netfence.enforcer.flow-log.denied=true (the default), and see"
                            + " the enforcer's log for why NFLOG could not be bound\n");
            return;
        }
        try {
            long since = number(ctx, "since", 0, Long.MAX_VALUE, 0);
            int limit = (int) number(ctx, "limit", 1, MAX_LIMIT, 1000);
            String verdict = ctx.request().getParam("verdict");
            if (verdict != null) {
                FlowDecider.Verdict.of(verdict);
            }
            String body = log.queryJson(since, verdict, ctx.request().getParam("pod"), ctx.request().getParam("namespace"), limit);
            ctx.response().putHeader("content-type", "application/json").end(body + "\n");
        } catch (IllegalArgumentException e) {
            ctx.response().setStatusCode(400).putHeader("content-type", "text/plain").end(e.getMessage() + "\n");
        }
    }

    private static long number(RoutingContext ctx, String name, long min, long max, long absent) {
        String v = ctx.request().getParam(name);
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
