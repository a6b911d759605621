package dev.netfence.operator.publish;

/** What one publish wrote and deleted; {@link #unchanged()} objects were left alone. */
public record PublishResult(int nodeRuleSetsWritten, int addressSetsWritten, int nodeRuleSetsDeleted,
                            int addressSetsDeleted, int unchanged) {
    public int writes() {
        return nodeRuleSetsWritten + addressSetsWritten + nodeRuleSetsDeleted + addressSetsDeleted;
    }
}
