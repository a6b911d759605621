package dev.netfence.enforcer.nft;

import dev.netfence.policy.compile.ResolvedRuleSet;
import java.time.Duration;
import java.util.Optional;

/**
 * Makes the kernel's table {@code inet netfence} match a rule set. The first apply, and any
 * change of chains or set declarations, replaces the table in one transaction; a change of set
 * elements only (pods added, removed or relabelled into an existing profile) is sent as element
 * deletions and additions. It touches no other table.
 *
 * <p>On failure the kernel rejected the whole batch, so the last good rules stay in force; the
 * exception carries libnftables' message and the caller retries (with backoff). A failed delta
 * is retried at once as a full replacement, in case the kernel table drifted from what we sent.
 *
 * <p>One instance per network namespace (it remembers what it last applied there); call it from
 * a thread that is in that namespace.
 */
public final class RuleSetApplier {

    private static final System.Logger LOG = System.getLogger(RuleSetApplier.class.getName());

    private final Nftables nft;
    private RenderedTable applied;

    public RuleSetApplier(Nftables nft) {
        this.nft = nft;
    }

    public synchronized ApplyResult apply(ResolvedRuleSet ruleSet) {
        return apply(NftablesRenderer.render(ruleSet));
    }

    public synchronized ApplyResult apply(RenderedTable table) {
        long start = System.nanoTime();
        if (table.equals(applied)) {
            return new ApplyResult(ApplyResult.Kind.UNCHANGED, Duration.ofNanos(System.nanoTime() - start),
                    table.ruleCount(), table.elementCount());
        }
        Optional<String> delta = applied == null ? Optional.empty() : table.deltaFrom(applied);
        ApplyResult.Kind kind = ApplyResult.Kind.FULL;
        if (delta.isPresent()) {
            try {
                if (!delta.get().isEmpty()) {
                    nft.run(delta.get());
                }
                kind = ApplyResult.Kind.DELTA;
            } catch (NftablesException e) {
                LOG.log(System.Logger.Level.WARNING, "element delta rejected, replacing the whole table instead: {0}",
                        e.getMessage());
                applied = null;
                nft.run(table.fullScript());
            }
        } else {
            nft.run(table.fullScript());
        }
        applied = table;
        return new ApplyResult(kind, Duration.ofNanos(System.nanoTime() - start), table.ruleCount(), table.elementCount());
    }

    /** Forget what was applied: the next apply replaces the whole table. */
    public synchronized void reset() {
        applied = null;
    }

    /** The table last applied successfully, or null. */
    public synchronized RenderedTable applied() {
        return applied;
    }

    /** Removes the table (enforcer shutdown with cleanup requested); other tables are left alone. */
    public synchronized void removeTable() {
        nft.run("add table " + RenderedTable.TABLE + "\ndelete table " + RenderedTable.TABLE + "\n");
        applied = null;
    }
}
