package dev.netfence.cli.demo;

import dev.netfence.policy.model.ClusterSnapshot;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.List;

/**
 * How the demo gets a cluster state enforced on every lab node: {@code objects} are what a user
 * applies in this step (written to the API server on the operator path), {@code expected} is the
 * whole cluster after it (what the engine predicts from). Returns the time from applying until
 * every node's rules were in its kernel.
 */
interface RulePath extends AutoCloseable {

    /** One line for the terminal: which components carry the rules. */
    String description();

    /** @throws NotEnforcedException when the nodes do not report the expected rules in time */
    Duration enforce(ClusterSnapshot expected, List<HasMetadata> objects) throws Exception;

    /** The flow logs of the nodes' enforcers. */
    NodeFlowLogs flowLogs();

    /** What the last {@link #enforce} spent where, for the line after "enforced ... after applying" (empty: nothing to add). */
    default String lastTiming() {
        return "";
    }

    @Override
    default void close() throws Exception {
    }
}
