package dev.netfence.webhook;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready until every informer has synced: an empty cache would judge against an empty cluster. */
@Readiness
@ApplicationScoped
public class CachesSyncedCheck implements HealthCheck {

    private final ClusterCache cache;

    CachesSyncedCheck(ClusterCache cache) {
        this.cache = cache;
    }

    @Override
    public HealthCheckResponse call() {
        boolean synced = cache.synced();
        if (synced) {
            cache.view();   // build the snapshot before the first request needs it
        }
        return HealthCheckResponse.named("informer-caches").status(synced).build();
    }
}
