package dev.netfence.cli.demo;

import dev.netfence.policy.model.ClusterSnapshot;
import java.time.Duration;

/**
 * How the demo gets a cluster state enforced on every lab node. Returns the time from handing the
 * state over until every node's rules were in its kernel.
 */
interface RulePath extends AutoCloseable {

    /** One line for the terminal: which components carry the rules. */
    String description();

    Duration enforce(ClusterSnapshot snapshot) throws Exception;

    @Override
    default void close() throws Exception {
    }
}
