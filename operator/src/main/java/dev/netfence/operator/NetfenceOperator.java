package dev.netfence.operator;

import dev.netfence.operator.status.DefaultDenyRealizations;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Starts the operator with the application and stops it on shutdown. The DefaultDeny status
 * controller ({@link dev.netfence.operator.status.DefaultDenyStatusReconciler}) is started by the
 * Quarkus Operator SDK extension itself and reads what this runtime publishes.
 */
@ApplicationScoped
public class NetfenceOperator {
    private final KubernetesClient client;
    private final OperatorConfig config;
    private final MeterRegistry registry;
    private final DefaultDenyRealizations defaultDenies;
    private volatile OperatorRuntime runtime;

    NetfenceOperator(KubernetesClient client, OperatorConfig config, MeterRegistry registry,
                     DefaultDenyRealizations defaultDenies) {
        this.defaultDenies = defaultDenies;
        this.client = client;
        this.config = config;
        this.registry = registry;
    }

    void onStart(@Observes StartupEvent ev) {
        if (config.autostart()) {
            start();
        }
    }

    void onStop(@Observes ShutdownEvent ev) {
        stop();
    }

    public synchronized void start() {
        if (runtime == null) {
            runtime = new OperatorRuntime(client, config, registry, defaultDenies);
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
