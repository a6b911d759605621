package dev.netfence.operator;

import dev.netfence.cluster.ClusterSettings;
import dev.netfence.cluster.ClusterSettingsException;
import dev.netfence.operator.status.DefaultDenyRealizations;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * The Quarkus shell around the operator core: binds the configuration onto {@link OperatorSettings},
 * starts the core's {@link OperatorRuntime} with the application and stops it on shutdown. The
 * DefaultDeny status controller ({@link dev.netfence.operator.status.DefaultDenyStatusReconciler},
 * in the core) is registered by the Quarkus Operator SDK extension and reads what the runtime leaves
 * in {@link DefaultDenyRealizations}, produced here as the one shared instance.
 */
@ApplicationScoped
public class NetfenceOperator {
    private static final Logger LOG = Logger.getLogger(NetfenceOperator.class);

    private final KubernetesClient client;
    private final OperatorConfig config;
    private final Config rawConfig;
    private final MeterRegistry registry;
    private final DefaultDenyRealizations defaultDenies;
    private volatile OperatorRuntime runtime;

    NetfenceOperator(KubernetesClient client, OperatorConfig config, Config rawConfig, MeterRegistry registry,
                     DefaultDenyRealizations defaultDenies) {
        this.defaultDenies = defaultDenies;
        this.client = client;
        this.config = config;
        this.rawConfig = rawConfig;
        this.registry = registry;
    }

    /** The one instance the runtime writes and the status reconciler reads. */
    @Produces
    @Singleton
    static DefaultDenyRealizations defaultDenyRealizations() {
        return new DefaultDenyRealizations();
    }

    void onStart(@Observes StartupEvent ev) {
        if (config.autostart()) {
            try {
                start();
            } catch (ClusterSettingsException e) {
                LOG.errorf("cannot start: %s", e.getMessage());
                Quarkus.asyncExit(2);
            }
        }
    }

    void onStop(@Observes ShutdownEvent ev) {
        stop();
    }

    /** The settings the operator runs with: {@code netfence.operator.*} and the shared {@code netfence.cluster.*}. */
    public OperatorSettings settings() {
        return config.toSettings(ClusterSettings.read(k -> rawConfig.getOptionalValue(k, String.class)));
    }

    public synchronized void start() {
        if (runtime == null) {
            OperatorSettings s = settings();
            LOG.infof("operator settings: %s", s.describe());
            runtime = new OperatorRuntime(client, s, registry, defaultDenies);
            runtime.start();
        }
    }

    /** Starts with other settings than the configured ones (tests: a restart after the cluster settings changed). */
    public synchronized void start(OperatorSettings s) {
        if (runtime == null) {
            runtime = new OperatorRuntime(client, s, registry, defaultDenies);
            runtime.start();
        }
    }

    public synchronized void stop() {
        if (runtime != null) {
            runtime.stop();
            runtime = null;
        }
    }

    /** The running operator, or null when stopped. */
    public OperatorRuntime runtime() {
        return runtime;
    }
}
