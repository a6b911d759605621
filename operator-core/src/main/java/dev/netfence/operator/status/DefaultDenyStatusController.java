package dev.netfence.operator.status;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;

/**
 * The DefaultDeny status controller on plain Java Operator SDK, for programs without the Quarkus
 * extension (the demo): the same {@link DefaultDenyStatusReconciler}, registered with a JOSDK
 * {@link Operator} on the given client. The operator application does not use this class: there the
 * Quarkus Operator SDK extension registers the reconciler.
 */
public final class DefaultDenyStatusController implements AutoCloseable {
    private final Operator operator;

    private DefaultDenyStatusController(Operator operator) {
        this.operator = operator;
    }

    /**
     * @param serverSideApply patch statuses with server-side apply (the SDK's default, what a cluster
     *                        has); false for fabric8's mock API server, which has none (it answers 415)
     */
    public static DefaultDenyStatusController start(KubernetesClient client, DefaultDenyRealizations realizations,
                                                    boolean serverSideApply) {
        Operator operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false)
                .withUseSSAToPatchPrimaryResource(serverSideApply));
        operator.register(new DefaultDenyStatusReconciler(realizations));
        operator.start();
        return new DefaultDenyStatusController(operator);
    }

    @Override
    public void close() {
        operator.stop();
    }
}
