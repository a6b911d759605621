package dev.netfence.enforcer.loop;

import dev.netfence.enforcer.nft.ApplyResult;
import java.time.Instant;
import java.util.List;

/**
 * What the enforcer last did, for health and status. Hashes are computed by the enforcer from what
 * it validated and applied, never copied from the object it read.
 *
 * @param appliedHash         hash of the rule set in force with its address set members (what the node enforces)
 * @param ruleSetHash         the NodeRuleSet content hash of the rule set in force, as the operator computes it
 *                            from the spec it writes: equal to {@code spec.contentHash} only when the spec applied
 *                            is the one the operator wrote
 * @param appliedAt           when {@code ruleSetHash} was first applied (not re-stamped while it stays in force)
 * @param lastResult          the last apply that changed the kernel's table
 * @param lastError           why the last attempt failed (the last good rules stay), or null
 * @param consecutiveFailures failed attempts since the last success
 * @param waitingFor          what the rule set still waits for (an AddressSet not written yet), or null; not an error
 * @param waitingPods         the pods announced by the CNI plugin that the rule set in force does not name yet
 *                            ({@code namespace/name}, or the container id when the runtime gave no name; sorted):
 *                            held by the fail-closed rule until the operator compiles them
 */
public record EnforcementState(String appliedHash, String ruleSetHash, Instant appliedAt, ApplyResult lastResult,
                               String lastError, int consecutiveFailures, String waitingFor, List<String> waitingPods) {
    public static final EnforcementState INITIAL = new EnforcementState(null, null, null, null, null, 0, null, List.of());

    public EnforcementState {
        waitingPods = waitingPods == null ? List.of() : List.copyOf(waitingPods);
    }

    public EnforcementState succeeded(String hash, String ruleSet, ApplyResult result, Instant now) {
        ApplyResult changed = result.kind() == ApplyResult.Kind.UNCHANGED && lastResult != null ? lastResult : result;
        Instant at = ruleSet.equals(ruleSetHash) && appliedAt != null ? appliedAt : now;
        return new EnforcementState(hash, ruleSet, at, changed, null, 0, null, waitingPods);
    }

    public EnforcementState failed(String error) {
        return new EnforcementState(appliedHash, ruleSetHash, appliedAt, lastResult, error, consecutiveFailures + 1, null,
                waitingPods);
    }

    /** Not complete yet: the rules in force stay, and so does the last error (a wait is neither success nor failure). */
    public EnforcementState waiting(String what) {
        return new EnforcementState(appliedHash, ruleSetHash, appliedAt, lastResult, lastError, consecutiveFailures, what,
                waitingPods);
    }

    /** The same with these pods waiting for their rules. */
    public EnforcementState withWaitingPods(List<String> pods) {
        return new EnforcementState(appliedHash, ruleSetHash, appliedAt, lastResult, lastError, consecutiveFailures,
                waitingFor, pods);
    }
}
