package dev.netfence.webhook;

import dev.netfence.cluster.ClusterInformers;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready until the cluster view is published (an empty cache would judge against an empty
 * cluster), and not ready while the API server is unreachable (the watches are down: the view
 * goes stale), so the Service sends requests to replicas that see the cluster. Liveness stays up:
 * restarting would not bring the API server back.
 */
@Readiness
@ApplicationScoped
public class CachesSyncedCheck implements HealthCheck {

    private final ClusterViewPublisher views;
    private final ClusterInformers informers;

    CachesSyncedCheck(ClusterViewPublisher views, ClusterInformers informers) {
        this.views = views;
        this.informers = informers;
    }

    @Override
    public HealthCheckResponse call() {
        boolean synced = views.synced();
        boolean watching = informers.watching();
        return HealthCheckResponse.named("informer-caches").status(synced && watching)
                .withData("synced", synced).withData("api-server-watched", watching).build();
    }
}
