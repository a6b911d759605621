package dev.netfence.enforcer.source;

import dev.netfence.policy.compile.ResolvedRuleSet;
import java.util.Optional;

/**
 * Where the enforcer gets its node's rule set: YAML files ({@link FileRuleSetSource}, polled) or the
 * node's NodeRuleSet and its AddressSets ({@code KubernetesRuleSetSource}, informer events).
 */
public interface RuleSetSource {

    /**
     * The node's current rule set with the address sets it references, or empty when nothing is
     * published for the node yet (then the enforcer leaves the node as it is).
     *
     * @throws RuleSetNotReadyException when the rule set is not complete yet (a wait)
     * @throws RuleSetSourceException when the published rule set cannot be read or is invalid
     */
    Optional<ResolvedRuleSet> current();

    /** Says where rule sets come from, for logs and health. */
    String describe();

    /**
     * Registers the callback the source calls when what {@link #current()} returns may have changed
     * (an informer event). Called from the source's own threads: it must only enqueue.
     *
     * @return true when the source notifies changes; false when it must be polled (files)
     */
    default boolean onChange(Runnable listener) {
        return false;
    }

    /** Stops the source's watches, if any. */
    default void close() {
    }
}
