package dev.netfence.enforcer.source;

import dev.netfence.policy.compile.ResolvedRuleSet;
import java.util.Optional;

/**
 * Where the enforcer gets its node's rule set. This issue provides files
 * ({@link FileRuleSetSource}); the operator's NodeRuleSet/AddressSet watch implements the same
 * interface.
 */
public interface RuleSetSource {

    /**
     * The node's current rule set with the address sets it references, or empty when nothing is
     * published for the node yet (then the enforcer leaves the node as it is).
     *
     * @throws RuleSetSourceException when the published rule set cannot be read or is invalid
     */
    Optional<ResolvedRuleSet> current();

    /** Says where rule sets come from, for logs and health. */
    String describe();
}
