package dev.netfence.webhook.bench;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import java.net.HttpURLConnection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * fabric8's CRUD mock API server with its by-name lookups indexed, so that it can hold a large
 * cluster. {@link KubernetesCrudDispatcher} finds an object by scanning every stored object
 * ({@code findResource}: {@code map.entrySet().stream().filter(matches)}) under its one write lock;
 * every create (the conflict check), every GET by name and every PATCH pays that scan, so filling
 * it is quadratic: 5,500 objects took 54 s, 27,000 did not finish in 15 minutes, and at 150,000
 * pods each {@code kubectl label} (GET + PATCH) would cost two scans of 150,000 attribute sets.
 *
 * <p>This subclass changes nothing the client sees: the same handlers (POST, PUT, PATCH, the
 * resourceVersion, watch events) run; only the two lookups by namespace and name go through an
 * index (namespace, name) kept beside the dispatcher's own map in {@link #processEvent}, the one
 * place where the map changes. Lookups without both a namespace and a name (lists, watches,
 * cluster-scoped objects) take the original scan.
 */
final class IndexedCrudDispatcher extends KubernetesCrudDispatcher {

    private record Key(Attribute namespace, Attribute name) {
        static Key of(AttributeSet a) {
            Attribute ns = a.getAttribute(KubernetesAttributesExtractor.NAMESPACE);
            Attribute name = a.getAttribute(KubernetesAttributesExtractor.NAME);
            return ns == null || name == null ? null : new Key(ns, name);
        }
    }

    /** (namespace, name) -> the stored entries with both (one per kind that has the name there). */
    private final Map<Key, Map<AttributeSet, String>> index = new ConcurrentHashMap<>();

    IndexedCrudDispatcher() {
        super(List.of());
    }

    @Override
    public Map.Entry<AttributeSet, String> findResource(AttributeSet attributes) {
        Key key = Key.of(attributes);
        if (key == null) {
            return super.findResource(attributes);
        }
        Map<AttributeSet, String> candidates = index.get(key);
        if (candidates == null) {
            return null;
        }
        return candidates.entrySet().stream().filter(e -> e.getKey().matches(attributes)).findFirst()
                .map(e -> Map.entry(e.getKey(), e.getValue())).orElse(null);
    }

    @Override
    public MockResponse handleGet(String path) {
        AttributeSet query = attributeExtractor.fromPath(path);
        Key key = Key.of(query);
        if (key == null || path.contains("watch=true")) {
            return super.handleGet(path);
        }
        Map.Entry<AttributeSet, String> found = findResource(query);
        MockResponse response = new MockResponse();
        if (found == null) {
            return response.setResponseCode(HttpURLConnection.HTTP_NOT_FOUND);
        }
        return response.setResponseCode(HttpURLConnection.HTTP_OK).setBody(found.getValue());
    }

    /** As the superclass (which holds its write lock here), then the same change in the index. */
    @Override
    public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
                             GenericKubernetesResource resource, String newState) {
        super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
        if (oldAttributes != null) {
            Key old = Key.of(oldAttributes);
            if (old != null) {
                index.computeIfPresent(old, (k, entries) -> {
                    entries.remove(oldAttributes);
                    return entries.isEmpty() ? null : entries;
                });
            }
        }
        if (newState != null) {
            // the key the superclass stored newState under, computed as it does
            KubernetesAttributesExtractor extractor = (KubernetesAttributesExtractor) attributeExtractor;
            AttributeSet stored = resource != null ? extractor.extract(resource) : extractor.fromResource(newState);
            if (!stored.containsKey(KubernetesAttributesExtractor.PLURAL)) {
                stored = AttributeSet.merge(pathAttributes, stored);
            }
            Key key = Key.of(stored);
            if (key != null) {
                index.computeIfAbsent(key, k -> new ConcurrentHashMap<>()).put(stored, newState);
            }
        }
    }

    @Override
    public void reset() {
        super.reset();
        index.clear();
    }
}
