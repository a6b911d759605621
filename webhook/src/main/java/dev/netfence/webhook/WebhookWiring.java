package dev.netfence.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** CDI wiring only: the core's classes, constructed with the settings the configuration maps to (singletons: they are final). */
@ApplicationScoped
public class WebhookWiring {

    @Produces
    @Singleton
    WebhookSettings settings(WebhookConfig config) {
        return config.settings();
    }

    @Produces
    @Singleton
    ClusterViewPublisher views(Instance<ClusterCache> cache, WebhookConfig config) {
        return new ClusterViewPublisher(cache.get(), () -> cache.get().synced(), config.model().refreshInterval());
    }

    @Produces
    @Singleton
    ClusterCache cluster(KubernetesClient client, WebhookSettings settings, Instance<ClusterViewPublisher> views) {
        return new ClusterCache(client, settings.dns(), () -> views.get().changed());
    }

    @Produces
    @Singleton
    AdmissionJudge judge(WebhookSettings settings) {
        return new AdmissionJudge(settings);
    }

    @Produces
    @Singleton
    AdmissionReviewHandler handler(ObjectMapper mapper, ClusterViewPublisher views, AdmissionJudge judge) {
        return new AdmissionReviewHandler(mapper, views, judge);
    }

    void start(@Observes StartupEvent ignored, ClusterCache cluster) {
        cluster.start();
    }

    void stop(@Observes ShutdownEvent ignored, ClusterCache cluster, ClusterViewPublisher views) {
        cluster.stop();
        views.close();
    }
}
