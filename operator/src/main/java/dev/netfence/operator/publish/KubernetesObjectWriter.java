package dev.netfence.operator.publish;

import dev.netfence.crds.AddressSet;
import dev.netfence.crds.NodeRuleSet;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.cache.Store;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Writes through the API server. An object the informer already has is updated with the
 * informer's resourceVersion (custom resources refuse an update without one); a conflict means the
 * cache was stale and fails the sync, which is retried once the informer caught up. Only the spec
 * is sent: the status subresource belongs to the enforcer.
 */
public final class KubernetesObjectWriter implements ObjectWriter {

    private final KubernetesClient client;
    private final Store<NodeRuleSet> ruleSets;
    private final Store<AddressSet> addressSets;
    private final Counter written;
    private final Counter deleted;

    public KubernetesObjectWriter(KubernetesClient client, Store<NodeRuleSet> ruleSets, Store<AddressSet> addressSets,
                                  MeterRegistry registry) {
        this.client = client;
        this.ruleSets = ruleSets;
        this.addressSets = addressSets;
        this.written = registry.counter("netfence_objects_written_total");
        this.deleted = registry.counter("netfence_objects_deleted_total");
    }

    @Override
    public void write(NodeRuleSet ruleSet) {
        upsert(ruleSet, ruleSets.getByKey(ruleSet.getMetadata().getName()));
    }

    @Override
    public void write(AddressSet part) {
        upsert(part, addressSets.getByKey(part.getMetadata().getName()));
    }

    private <T extends HasMetadata> void upsert(T desired, HasMetadata cached) {
        if (cached == null) {
            client.resource(desired).create();
        } else {
            desired.getMetadata().setResourceVersion(cached.getMetadata().getResourceVersion());
            client.resource(desired).update();
        }
        written.increment();
    }

    @Override
    public void deleteNodeRuleSet(String name) {
        client.resources(NodeRuleSet.class).withName(name).delete();
        deleted.increment();
    }

    @Override
    public void deleteAddressSet(String name) {
        client.resources(AddressSet.class).withName(name).delete();
        deleted.increment();
    }
}
