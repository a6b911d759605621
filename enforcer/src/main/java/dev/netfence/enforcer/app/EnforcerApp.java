package dev.netfence.enforcer.app;

import dev.netfence.enforcer.loop.EnforcementState;
import dev.netfence.enforcer.loop.EnforcerLoop;
import dev.netfence.enforcer.loop.EnforcerSettings;
import dev.netfence.enforcer.source.FileRuleSetSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * CDI wiring only: builds the core {@link EnforcerLoop} from {@code netfence.enforcer.*} at start-up
 * and closes it at shutdown. Everything the loop does lives in {@code enforcer-core}.
 */
@ApplicationScoped
public class EnforcerApp {
    private static final Logger LOG = Logger.getLogger(EnforcerApp.class);

    private final EnforcerConfig config;
    private final EnforcerMetrics metrics;
    private final KubernetesEnforcement kubernetes;
    private volatile EnforcerLoop loop;

    EnforcerApp(EnforcerConfig config, EnforcerMetrics metrics, KubernetesEnforcement kubernetes) {
        this.config = config;
        this.metrics = metrics;
        this.kubernetes = kubernetes;
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.info("netfence.enforcer.enabled=false: not touching nftables");
            return;
        }
        EnforcerSettings settings = config.toSettings();
        loop = new EnforcerLoop(settings, settings.source() == EnforcerSettings.Source.KUBERNETES ? kubernetes.source()
                : new FileRuleSetSource(settings.rulesPath(), settings.nodeName()), metrics);
        loop.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        if (loop != null) {
            loop.close();
        }
    }

    public EnforcementState state() {
        return loop == null ? EnforcementState.INITIAL : loop.state();
    }

    public boolean running() {
        return loop != null && loop.running();
    }
}
