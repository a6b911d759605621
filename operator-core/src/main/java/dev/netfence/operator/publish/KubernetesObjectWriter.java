package dev.netfence.operator.publish;

import dev.netfence.crds.AddressSet;
import dev.netfence.crds.NodeRuleSet;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Writes through the API server: a new object is created; an existing one gets a JSON patch
 * replacing its whole spec. A patch carries no resourceVersion, so it does not conflict with the
 * enforcer writing the status at the same moment (5,000 enforcers report after each change; an
 * update with the cached resourceVersion would fail with 409 whenever one did), and it leaves the
 * status alone.
 */
public final class KubernetesObjectWriter implements ObjectWriter {

    private final KubernetesClient client;
    private final PublishedInformers published;
    private final Counter written;
    private final Counter deleted;

    public KubernetesObjectWriter(KubernetesClient client, PublishedInformers published, MeterRegistry registry) {
        this.client = client;
        this.published = published;
        this.written = registry.counter("netfence_objects_written_total");
        this.deleted = registry.counter("netfence_objects_deleted_total");
    }

    @Override
    public void write(NodeRuleSet ruleSet) {
        upsert(ruleSet, published.ruleSetStore().getByKey(ruleSet.getMetadata().getName()));
    }

    @Override
    public void write(AddressSet part) {
        upsert(part, published.addressSetStore().getByKey(part.getMetadata().getName()));
    }

    private <T extends HasMetadata> void upsert(T desired, HasMetadata cached) {
        T stored;
        if (cached == null) {
            stored = client.resource(desired).create();
        } else {
            Object spec = desired instanceof NodeRuleSet rs ? rs.getSpec() : ((AddressSet) desired).getSpec();
            String patch = client.getKubernetesSerialization().asJson(
                    java.util.List.of(java.util.Map.of("op", "replace", "path", "/spec", "value", spec)));
            @SuppressWarnings("unchecked")
            Class<T> type = (Class<T>) desired.getClass();
            stored = client.resources(type).withName(desired.getMetadata().getName()).patch(PatchContext.of(PatchType.JSON), patch);
        }
        if (stored instanceof NodeRuleSet rs && desired instanceof NodeRuleSet d) {
            // the API server answered with the object it stored: that generation holds what we wrote
            published.wrote(rs, d.getSpec().contentHash);
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
