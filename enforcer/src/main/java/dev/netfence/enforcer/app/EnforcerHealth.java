package dev.netfence.enforcer.app;

import dev.netfence.enforcer.loop.EnforcementState;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** Health: live while the worker runs; ready once a rule set is in force and the last apply succeeded. */
public final class EnforcerHealth {
    private EnforcerHealth() {
    }

    @Liveness
    @ApplicationScoped
    public static class Worker implements HealthCheck {
        private final EnforcerApp loop;
        private final EnforcerConfig config;

        public Worker(EnforcerApp loop, EnforcerConfig config) {
            this.loop = loop;
            this.config = config;
        }

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("netfence-enforcer-worker").status(!config.enabled() || loop.running()).build();
        }
    }

    @Readiness
    @ApplicationScoped
    public static class RulesInForce implements HealthCheck {
        private final EnforcerApp loop;

        public RulesInForce(EnforcerApp loop) {
            this.loop = loop;
        }

        @Override
        public HealthCheckResponse call() {
            EnforcementState s = loop.state();
            HealthCheckResponseBuilder b = HealthCheckResponse.named("netfence-rules")
                    .status(s.appliedHash() != null && s.lastError() == null);
            if (s.appliedHash() != null) {
                b.withData("appliedHash", s.appliedHash()).withData("appliedAt", s.appliedAt().toString());
            }
            if (s.waitingFor() != null) {
                b.withData("waitingFor", s.waitingFor());
            }
            if (loop.waitingPods() > 0) {
                // not a readiness failure: the node enforces what it has; new pods wait for the operator
                b.withData("podsWaitingForRules", loop.waitingPods());
            }
            if (loop.connectionsRevoked() > 0) {
                b.withData("connectionsRevoked", loop.connectionsRevoked());
            }
            if (s.lastError() != null) {
                b.withData("lastError", s.lastError()).withData("consecutiveFailures", s.consecutiveFailures());
            }
            var bridge = loop.checkBridgeNetfilter();
            if (bridge != null) {
                // not a readiness failure either: only bridge CNIs need it (the data says what to set)
                b.withData("bridgedPodTrafficFiltered", bridge.filtersBridgedTraffic());
                if (!bridge.filtersBridgedTraffic()) {
                    b.withData("bridgeNetfilter", bridge.describe());
                }
            }
            return b.build();
        }
    }
}
