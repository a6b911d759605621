package dev.netfence.cluster;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The pod informer's store, keeping of each pod only what the informer itself uses: its key
 * ({@code namespace/name}) and {@code resourceVersion}. Everything the engine reads of a pod is in
 * the {@link ClusterModel} already (the slimmed engine record), so the informer keeps no second copy:
 * 150,000 pods cost ~150 bytes each here instead of the fields of fabric8's ReducedStateItemStore,
 * and a relist, whose {@code retainAll} lists the whole store to find deletions, does not restore
 * 150,000 full Pod objects at once (the ReducedStateItemStore does, which needed over 1 GB of heap).
 *
 * <p>What the informer still gets: the resourceVersion it compares to skip re-sent objects, and the
 * key of a pod deleted while the watch was down (its delete notification carries the object held
 * here, whose namespace and name are all a removal needs). {@link #isFullState()} is false, so the
 * informer hands its handlers the listed objects themselves, not this store's.
 *
 * <p>Since the store no longer holds what the handlers put into the model, "synced" is told apart
 * from "handled": {@link #handled} records the resourceVersion the handler has put into the model,
 * and {@link #allHandled} says whether every pod in the store has been.
 */
final class PodKeyStore implements ItemStore<Pod> {

    private final Map<String, Pod> keys = new ConcurrentHashMap<>();
    private final Map<String, String> handled = new ConcurrentHashMap<>();

    static String key(Pod p) {
        return p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
    }

    @Override
    public String getKey(Pod p) {
        return key(p);
    }

    @Override
    public Pod put(String key, Pod p) {
        Pod slim = new Pod();
        slim.setMetadata(new ObjectMetaBuilder().withNamespace(p.getMetadata().getNamespace())
                .withName(p.getMetadata().getName()).withResourceVersion(p.getMetadata().getResourceVersion()).build());
        return keys.put(key, slim);
    }

    @Override
    public Pod remove(String key) {
        handled.remove(key);
        return keys.remove(key);
    }

    @Override
    public Stream<String> keySet() {
        return keys.keySet().stream();
    }

    @Override
    public Stream<Pod> values() {
        return keys.values().stream();
    }

    @Override
    public int size() {
        return keys.size();
    }

    @Override
    public Pod get(String key) {
        return keys.get(key);
    }

    @Override
    public boolean isFullState() {
        return false;
    }

    /** The handler has put (or refused) this version of the pod into the model. */
    void handled(Pod p) {
        String key = key(p);
        if (keys.containsKey(key)) {
            handled.put(key, Objects.requireNonNullElse(p.getMetadata().getResourceVersion(), ""));
        }
    }

    /** True when the handler has seen every pod of the store at the version the store holds. */
    boolean allHandled() {
        return keys.entrySet().stream().allMatch(e -> Objects.equals(handled.get(e.getKey()),
                Objects.requireNonNullElse(e.getValue().getMetadata().getResourceVersion(), "")));
    }
}
