package dev.netfence.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netfence.cluster.ClusterChange.Kind;
import dev.netfence.cluster.ClusterInformers;
import dev.netfence.cluster.ClusterModel;
import dev.netfence.cluster.ClusterSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.EnumSet;
import org.eclipse.microprofile.config.Config;

/** CDI wiring only: the core's classes, constructed with the settings the configuration maps to (singletons: they are final). */
@ApplicationScoped
public class WebhookWiring {

    /**
     * What the webhook judges against: no nodes (admission does not need them). ClusterNetworkPolicies when the
     * cluster serves the version Netfence reads (the informers check, and log, at start-up).
     */
    static final EnumSet<Kind> WATCHED = EnumSet.of(Kind.NAMESPACE, Kind.POD, Kind.NETWORK_POLICY, Kind.DEFAULT_DENY,
            Kind.CRITICAL_FLOW, Kind.CLUSTER_NETWORK_POLICY);

    @Produces
    @Singleton
    ClusterSettings clusterSettings(Config config) {
        return ClusterSettings.read(key -> config.getOptionalValue(key, String.class));
    }

    @Produces
    @Singleton
    WebhookSettings settings(WebhookConfig config, ClusterSettings cluster) {
        return config.settings(cluster);
    }

    @Produces
    @Singleton
    ClusterModel model(ClusterSettings settings) {
        return new ClusterModel(settings);
    }

    @Produces
    @Singleton
    ClusterInformers informers(KubernetesClient client, ClusterModel model) {
        return new ClusterInformers(client, model, WATCHED);
    }

    @Produces
    @Singleton
    ClusterViewPublisher views(ClusterModel model, ClusterInformers informers, WebhookConfig config) {
        return new ClusterViewPublisher(model, informers::synced, config.model().refreshInterval());
    }

    @Produces
    @Singleton
    AdmissionJudge judge(WebhookSettings settings) {
        return new AdmissionJudge(settings);
    }

    @Produces
    @Singleton
    AdmissionReviewHandler handler(ObjectMapper mapper, ClusterViewPublisher views, AdmissionJudge judge,
                                   MeterRegistry registry) {
        return new AdmissionReviewHandler(mapper, views, judge, new AdmissionMetrics(registry));
    }

    void start(@Observes StartupEvent ignored, ClusterInformers informers, ClusterViewPublisher views) {
        // ClusterInformers checks (and logs) whether the cluster serves the ClusterNetworkPolicy version Netfence reads
        informers.start();
        views.changed();
    }

    void stop(@Observes ShutdownEvent ignored, ClusterInformers informers, ClusterViewPublisher views) {
        informers.stop();
        views.close();
    }
}
