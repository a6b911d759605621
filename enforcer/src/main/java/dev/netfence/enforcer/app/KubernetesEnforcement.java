package dev.netfence.enforcer.app;

import dev.netfence.enforcer.kube.KubernetesRuleSetSource;
import dev.netfence.enforcer.kube.NodeRuleSetStatusReporter;
import dev.netfence.enforcer.loop.EnforcerSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Wiring for {@code netfence.enforcer.source=kubernetes}: the {@link KubernetesRuleSetSource} the
 * loop reads, and a reporter that writes the loop's state into the NodeRuleSet status. The
 * Kubernetes client is only created in that mode.
 */
@ApplicationScoped
public class KubernetesEnforcement {
    private static final Logger LOG = Logger.getLogger(KubernetesEnforcement.class);

    private final EnforcerConfig config;
    private final Instance<KubernetesClient> client;
    private final Instance<EnforcerApp> loop;
    private KubernetesRuleSetSource source;
    private ScheduledExecutorService reporter;

    KubernetesEnforcement(EnforcerConfig config, Instance<KubernetesClient> client, Instance<EnforcerApp> loop) {
        this.config = config;
        this.client = client;
        this.loop = loop;
    }

    public synchronized KubernetesRuleSetSource source() {
        if (source == null) {
            source = new KubernetesRuleSetSource(client.get(), config.nodeName());
        }
        return source;
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled() || config.source() != EnforcerSettings.Source.KUBERNETES) {
            return;
        }
        String enforcer = System.getenv().getOrDefault("HOSTNAME", "netfence-enforcer");
        NodeRuleSetStatusReporter statuses = new NodeRuleSetStatusReporter(client.get(), source(), enforcer);
        reporter = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "netfence-status");
            t.setDaemon(true);
            return t;
        });
        reporter.scheduleWithFixedDelay(() -> {
            try {
                statuses.report(loop.get().state());
            } catch (RuntimeException e) {
                LOG.warnf("cannot write the status of NodeRuleSet %s (retrying): %s", config.nodeName(), e.getMessage());
            }
        }, 0, config.statusInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (reporter != null) {
            reporter.shutdownNow();
        }
        if (source != null) {
            source.close();
        }
    }
}
