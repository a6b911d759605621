package dev.netfence.operator.status;

import dev.netfence.crds.DefaultDeny;
import dev.netfence.crds.DefaultDenyStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Writes each DefaultDeny's status (conditions {@code Ready}/{@code Enforced}, selected pods, nodes
 * realized/desired, observedGeneration; see {@link DefaultDenyStatusAggregator}) through the Java
 * Operator SDK. It computes nothing about the cluster: the whole-cluster compile stays in the sync
 * worker, which leaves every DefaultDeny's realization in {@link DefaultDenyRealizations} and
 * triggers the ones that changed. A DefaultDeny is reconciled on its own changes (new generation)
 * and on those triggers; its status is patched only when it says something new.
 * <p>
 * Only the leader writes: leadership is the operator's one fabric8 Lease (the sync worker's gate);
 * on the other replicas this reconciler returns without a write, and a replica that becomes leader
 * re-announces every DefaultDeny. A failed patch throws, so the SDK retries with backoff; a refused
 * spec is a permanent condition ({@code Ready=False InvalidSpec}).
 */
@ControllerConfiguration(name = DefaultDenyStatusReconciler.NAME)
public class DefaultDenyStatusReconciler implements Reconciler<DefaultDeny> {
    public static final String NAME = "defaultdeny-status";

    private final DefaultDenyRealizations realizations;

    public DefaultDenyStatusReconciler(DefaultDenyRealizations realizations) {
        this.realizations = realizations;
    }

    @Override
    public List<EventSource<?, DefaultDeny>> prepareEventSources(EventSourceContext<DefaultDeny> context) {
        return List.of(new RealizationEventSource(realizations));
    }

    @Override
    public UpdateControl<DefaultDeny> reconcile(DefaultDeny dd, Context<DefaultDeny> context) {
        if (!realizations.leading()) {
            return UpdateControl.noUpdate();
        }
        DefaultDenyRealization r = realizations.of(dd.getMetadata().getNamespace(), dd.getMetadata().getName());
        if (r == null) {
            // not in a compile yet: the sync worker announces it once it is
            return UpdateControl.noUpdate();
        }
        long generation = dd.getMetadata().getGeneration() == null ? 0 : dd.getMetadata().getGeneration();
        DefaultDenyStatus status = r.status(generation, dd.getStatus(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        if (DefaultDenyStatusAggregator.same(status, dd.getStatus())) {
            return UpdateControl.noUpdate();
        }
        // only what the status patch needs: name, namespace and the status (server-side apply owns just that)
        DefaultDeny patch = new DefaultDeny();
        patch.setMetadata(new ObjectMetaBuilder().withName(dd.getMetadata().getName())
                .withNamespace(dd.getMetadata().getNamespace()).build());
        patch.setStatus(status);
        return UpdateControl.patchStatus(patch);
    }
}
