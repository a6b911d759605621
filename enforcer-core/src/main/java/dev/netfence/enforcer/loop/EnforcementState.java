package dev.netfence.enforcer.loop;

import dev.netfence.enforcer.nft.ApplyResult;
import java.time.Instant;

/**
 * What the enforcer last did, for health and status: the content hash of the rule set in force,
 * when it was applied, and the last error (null after a success).
 */
public record EnforcementState(String appliedHash, Instant appliedAt, ApplyResult lastResult, String lastError,
                               int consecutiveFailures) {
    public static final EnforcementState INITIAL = new EnforcementState(null, null, null, null, 0);

    public EnforcementState succeeded(String hash, ApplyResult result) {
        return new EnforcementState(hash, Instant.now(), result, null, 0);
    }

    public EnforcementState failed(String error) {
        return new EnforcementState(appliedHash, appliedAt, lastResult, error, consecutiveFailures + 1);
    }
}
