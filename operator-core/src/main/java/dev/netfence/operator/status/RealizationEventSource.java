package dev.netfence.operator.status;

import dev.netfence.crds.DefaultDeny;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.util.Set;

/**
 * Reconciles a DefaultDeny when its realization changed: after a compile that changed what it
 * selects or where, or after an enforcer reported on a node it spans (NodeRuleSet status). The sync
 * worker already maps those to DefaultDenies ({@link DefaultDenyRealizations#publish}); this
 * source only hands the keys to the Java Operator SDK, which queues them like any other event.
 */
final class RealizationEventSource extends AbstractEventSource<Void, DefaultDeny> {
    private final DefaultDenyRealizations realizations;

    RealizationEventSource(DefaultDenyRealizations realizations) {
        super(Void.class, "realization");
        this.realizations = realizations;
    }

    @Override
    public void start() {
        realizations.onChange(key -> {
            if (isRunning()) {
                int slash = key.indexOf('/');
                getEventHandler().handleEvent(new Event(new ResourceID(key.substring(slash + 1), key.substring(0, slash))));
            }
        });
        super.start();
    }

    @Override
    public void stop() {
        realizations.onChange(key -> { });
        super.stop();
    }

    @Override
    public Set<Void> getSecondaryResources(DefaultDeny primary) {
        return Set.of();
    }
}
