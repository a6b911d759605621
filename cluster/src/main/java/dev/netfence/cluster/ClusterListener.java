package dev.netfence.cluster;

/**
 * Told about every change of the {@link ClusterModel}, on the thread that made it (an informer's
 * event thread): implementations only record or enqueue (see {@link ChangeCollector}), never compile.
 */
@FunctionalInterface
public interface ClusterListener {
    void changed(ClusterChange change);
}
