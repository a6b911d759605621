package dev.netfence.operator.status;

import dev.netfence.crds.DefaultDenyStatus;
import dev.netfence.cluster.ClusterModel;
import java.util.HashMap;
import java.util.Map;

/**
 * What the operator knows about one DefaultDeny after a sync, everything its status is built from:
 * its realization in the last compile, the generation that compile saw (-1: no valid version was
 * ever compiled), and why its latest version was refused (null: it was not).
 */
public record DefaultDenyRealization(PolicyRealization realization, long compiledGeneration, String invalid) {

    /** The realization of every DefaultDeny the state knows, by {@code namespace/name}. */
    public static Map<String, DefaultDenyRealization> of(RealizationSummary summary, ClusterModel state) {
        Map<String, DefaultDenyRealization> out = new HashMap<>();
        for (String key : state.defaultDenyKeys()) {
            int slash = key.indexOf('/');
            String ns = key.substring(0, slash);
            String name = key.substring(slash + 1);
            out.put(key, new DefaultDenyRealization(summary.of("DefaultDeny", ns, name),
                    state.defaultDenyGeneration(ns, name), state.invalidDefaultDeny(key)));
        }
        return out;
    }

    /**
     * The status this realization gives, keeping the transition times of {@code previous}.
     * A refused spec is reported against the generation the API server holds, since that is the one refused.
     */
    public DefaultDenyStatus status(long currentGeneration, DefaultDenyStatus previous, String now) {
        long generation = invalid != null || compiledGeneration < 0 ? currentGeneration : compiledGeneration;
        return DefaultDenyStatusAggregator.build(realization, generation, invalid, previous, now);
    }
}
