package dev.netfence.enforcer.app;

import dev.netfence.enforcer.flow.FlowQuery;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * {@code GET /flows?since=&verdict=&pod=&namespace=&limit=} on the enforcer's HTTP port (loopback of
 * the node, like the metrics): the flow records of the in-memory ring after sequence number
 * {@code since} (0: the oldest kept), as {@code {"node", "next", "records", "lost"}}; a reader
 * follows by passing {@code next} back as {@code since}. A bad parameter is a 400 with the fix
 * ({@link FlowQuery}, which the demo's per-node endpoint answers with too).
 */
@ApplicationScoped
public class FlowsRoute {
    private final EnforcerApp app;

    FlowsRoute(EnforcerApp app) {
        this.app = app;
    }

    void routes(@Observes Router router) {
        router.get("/flows").handler(this::flows);
    }

    private void flows(RoutingContext ctx) {
        FlowQuery.Answer answer = FlowQuery.answer(app.flowLog(), ctx.request()::getParam);
        ctx.response().setStatusCode(answer.status()).putHeader("content-type", answer.contentType()).end(answer.body());
    }
}
