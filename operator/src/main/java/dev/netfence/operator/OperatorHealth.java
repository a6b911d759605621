package dev.netfence.operator;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: informers have synced. Liveness: the sync runner is alive. Neither depends on the last
 * sync having succeeded, nor on the admission webhook: a failing sync (API server unreachable) is
 * retried with backoff and reported in the health data and {@code netfence_sync_failures}, and a
 * restart would not cure it.
 */
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
            var crd = r == null ? null : r.clusterPolicyCrd();
            // ClusterNetworkPolicy support is optional (upstream's CRD): its state is data, never a reason to be unready
            return HealthCheckResponse.named("informers-synced").status(r != null && r.ready())
                    .withData("leader", r != null && r.leader())
                    .withData("clusterNetworkPolicies", crd == null ? "unknown" : crd.status() == dev.netfence.cluster
                            .ClusterPolicyCrdCheck.Status.SERVED ? "watched" : "ignored: " + crd.message())
                    .withData("lastSyncFailed", r != null && r.lastSyncFailed()).build();
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
            return HealthCheckResponse.named("sync-runner").status(r != null && r.live()).build();
        }
    }
}
