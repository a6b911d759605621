package dev.netfence.webhook;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready until every informer has synced: an empty cache would judge against an empty cluster. */
@Readiness
@ApplicationScoped
public class CachesSyncedCheck implements HealthCheck {

    private final ClusterViewPublisher views;

    CachesSyncedCheck(ClusterViewPublisher views) {
        this.views = views;
    }

    @Override
    public HealthCheckResponse call() {
        boolean synced = views.synced();
        return HealthCheckResponse.named("informer-caches").status(synced).build();
    }
}
