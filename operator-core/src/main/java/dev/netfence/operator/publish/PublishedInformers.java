package dev.netfence.operator.publish;

import dev.netfence.crds.AddressSet;
import dev.netfence.crds.AddressSetSpec;
import dev.netfence.crds.NodeRuleSet;
import dev.netfence.crds.ruleset.NodeRuleSetConverter;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Store;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The operator's own NodeRuleSets and AddressSets, watched: they are what is published. A changed
 * or deleted spec (our own write, or someone else's) is drift, checked for that object alone; a
 * NodeRuleSet whose status alone changed (its enforcer reported) changes realization.
 *
 * <p>A NodeRuleSet's hash is recomputed from its stored content, once per version of its spec
 * ({@code metadata.generation}: "a sequence number representing a specific generation of the desired
 * state", which the API server increments on every spec change of a custom resource with a status
 * subresource, and not on status writes), so the 5,000 status reports after a change cost nothing.
 */
public final class PublishedInformers implements PublishedObjects {
    private record Hashed(String uid, Long generation, String resourceVersion, String hash) {
    }

    private final KubernetesClient client;
    private final Consumer<String> onRuleSetDrift;
    private final Consumer<String> onAddressSetDrift;
    private final Runnable onStatus;
    private final ConcurrentHashMap<String, Hashed> hashes = new ConcurrentHashMap<>();
    private SharedIndexInformer<NodeRuleSet> ruleSets;
    private SharedIndexInformer<AddressSet> addressSets;

    /**
     * @param onRuleSetDrift    a NodeRuleSet's spec changed or it was deleted: compare it again
     * @param onAddressSetDrift an AddressSet part's spec changed or it was deleted: compare it again
     * @param onStatus          a NodeRuleSet status changed: refresh realization
     */
    public PublishedInformers(KubernetesClient client, Consumer<String> onRuleSetDrift, Consumer<String> onAddressSetDrift,
                              Runnable onStatus) {
        this.client = client;
        this.onRuleSetDrift = onRuleSetDrift;
        this.onAddressSetDrift = onAddressSetDrift;
        this.onStatus = onStatus;
    }

    public synchronized void start() {
        ruleSets = client.resources(NodeRuleSet.class).runnableInformer(0);
        ruleSets.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(NodeRuleSet obj) {
                onRuleSetDrift.accept(obj.getMetadata().getName());
                onStatus.run();
            }

            @Override
            public void onUpdate(NodeRuleSet oldObj, NodeRuleSet newObj) {
                if (Objects.equals(oldObj.getMetadata().getGeneration(), newObj.getMetadata().getGeneration())
                        && oldObj.getMetadata().getGeneration() != null) {
                    if (!Objects.equals(oldObj.getStatus(), newObj.getStatus())) {
                        onStatus.run();
                    }
                } else {
                    onRuleSetDrift.accept(newObj.getMetadata().getName());
                    onStatus.run();
                }
            }

            @Override
            public void onDelete(NodeRuleSet obj, boolean deletedFinalStateUnknown) {
                hashes.remove(obj.getMetadata().getName());
                onRuleSetDrift.accept(obj.getMetadata().getName());
                onStatus.run();
            }
        });
        addressSets = client.resources(AddressSet.class).runnableInformer(0);
        addressSets.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(AddressSet obj) {
                onAddressSetDrift.accept(obj.getMetadata().getName());
            }

            @Override
            public void onUpdate(AddressSet oldObj, AddressSet newObj) {
                if (!Objects.equals(oldObj.getMetadata().getGeneration(), newObj.getMetadata().getGeneration())
                        || oldObj.getMetadata().getGeneration() == null) {
                    onAddressSetDrift.accept(newObj.getMetadata().getName());
                }
            }

            @Override
            public void onDelete(AddressSet obj, boolean deletedFinalStateUnknown) {
                onAddressSetDrift.accept(obj.getMetadata().getName());
            }
        });
        ruleSets.start();
        addressSets.start();
    }

    public boolean synced() {
        return ruleSets != null && ruleSets.hasSynced() && addressSets.hasSynced();
    }

    public synchronized void stop() {
        if (ruleSets != null) {
            ruleSets.stop();
            addressSets.stop();
        }
        hashes.clear();
    }

    public Store<NodeRuleSet> ruleSetStore() {
        return ruleSets.getStore();
    }

    public Store<AddressSet> addressSetStore() {
        return addressSets.getStore();
    }

    @Override
    public String nodeRuleSetHash(String name) {
        NodeRuleSet rs = ruleSets.getStore().getByKey(name);
        if (rs == null || rs.getSpec() == null) {
            return null;
        }
        Hashed h = hashes.get(name);
        String uid = rs.getMetadata().getUid();
        Long generation = rs.getMetadata().getGeneration();
        // without a generation (not set by this API server) every new resourceVersion is hashed again
        String version = generation == null ? rs.getMetadata().getResourceVersion() : null;
        if (h == null || !Objects.equals(h.uid(), uid) || !Objects.equals(h.generation(), generation)
                || !Objects.equals(h.resourceVersion(), version)) {
            h = new Hashed(uid, generation, version, contentHash(rs));
            hashes.put(name, h);
        }
        return h.hash();
    }

    /**
     * The operator itself wrote {@code stored} (the API server's answer to the write) with content of
     * hash {@code hash}: that generation of the object holds exactly what was written, so its hash
     * need not be recomputed when the informer delivers it. Any later spec change by anyone else is a
     * new generation and is hashed from its content.
     */
    public void wrote(NodeRuleSet stored, String hash) {
        if (stored != null && stored.getMetadata() != null && stored.getMetadata().getGeneration() != null) {
            hashes.put(stored.getMetadata().getName(), new Hashed(stored.getMetadata().getUid(),
                    stored.getMetadata().getGeneration(), null, hash));
        }
    }

    /** The hash of what the object holds, or null when it does not convert or its stored hash says something else. */
    static String contentHash(NodeRuleSet rs) {
        String computed;
        try {
            computed = NodeRuleSetConverter.toModel(rs).contentHash();
        } catch (RuntimeException e) {
            return null;   // edited into something that does not convert: rewritten
        }
        return computed.equals(rs.getSpec().contentHash) ? computed : null;
    }

    @Override
    public Collection<String> nodeRuleSetNames() {
        return ruleSets.getStore().listKeys();
    }

    @Override
    public AddressSetSpec addressSetPart(String name) {
        AddressSet a = addressSets.getStore().getByKey(name);
        return a == null ? null : a.getSpec();
    }

    @Override
    public Collection<String> addressSetNames() {
        return addressSets.getStore().listKeys();
    }
}
