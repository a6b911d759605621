package dev.netfence.operator;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** Readiness: informers have synced. Liveness: the sync worker runs and its last sync succeeded. */
public class OperatorHealth {

    @ApplicationScoped
    @Readiness
    static class Ready implements HealthCheck {
        private final NetfenceOperator operator;

        Ready(NetfenceOperator operator) {
            this.operator = operator;
        }

        @Override
        public HealthCheckResponse call() {
            OperatorRuntime r = operator.runtime();
            return HealthCheckResponse.named("informers-synced").status(r != null && r.ready())
                    .withData("leader", r != null && r.leader()).build();
        }
    }

    @ApplicationScoped
    @Liveness
    static class Live implements HealthCheck {
        private final NetfenceOperator operator;

        Live(NetfenceOperator operator) {
            this.operator = operator;
        }

        @Override
        public HealthCheckResponse call() {
            OperatorRuntime r = operator.runtime();
            return HealthCheckResponse.named("sync-worker").status(r != null && r.live()).build();
        }
    }
}
