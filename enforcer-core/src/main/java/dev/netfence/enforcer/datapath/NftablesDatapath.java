package dev.netfence.enforcer.datapath;

import dev.netfence.enforcer.nft.ApplyResult;
import dev.netfence.enforcer.nft.NetlinkSetElements;
import dev.netfence.enforcer.nft.Nftables;
import dev.netfence.enforcer.nft.NftablesException;
import dev.netfence.enforcer.nft.RenderedTable;
import dev.netfence.enforcer.nft.RuleCounters;
import dev.netfence.enforcer.nft.RuleSetApplier;
import dev.netfence.policy.compile.ContentHash;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The kernel datapath: {@link RuleSetApplier} (libnftables transactions, nf_tables netlink element
 * deltas) for applies, a stateless listing of the table for verification, the terse JSON listing
 * for counters.
 *
 * <p>Verification first asks the kernel for its ruleset generation (one netlink round trip): nf_tables
 * increments it on every committed transaction, so an unchanged generation proves that nobody
 * changed anything since the last check. Only when it moved (someone committed something, on this
 * table or another) is the table listed and compared with the listing it gave right after our last
 * apply (its hash): whatever nftables prints for the table is what the kernel holds, so any change by
 * someone else (the table deleted, {@code nft flush ruleset}, a rule replaced, an element added)
 * changes it, while counter values do not (stateless output). The baseline is taken on the first
 * {@link #inSync()} after an apply (the loop calls it right after the apply), so the apply itself does
 * not pay for a listing.
 *
 * <p>Every kernel call runs through {@code namespace}: the enforcer's own thread on a node (already
 * in the host's namespace), the lab's setns thread of a lab node.
 */
public final class NftablesDatapath implements Datapath {

    /** Runs a task in the network namespace the rules belong to. */
    @FunctionalInterface
    public interface InNamespace {
        <T> T call(Callable<T> task);

        /** The calling thread's own namespace. */
        InNamespace CURRENT = new InNamespace() {
            @Override
            public <T> T call(Callable<T> task) {
                try {
                    return task.call();
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }
        };
    }

    private final InNamespace namespace;
    private final Nftables nft = new Nftables();
    private final RuleSetApplier applier = new RuleSetApplier(nft);
    /** Hash of the kernel's listing right after the last apply; null until taken. */
    private String baseline;
    /** The ruleset generation when {@code baseline} was last confirmed; -1 unknown. */
    private long generation = -1;

    public NftablesDatapath(InNamespace namespace) {
        this.namespace = namespace;
    }

    public NftablesDatapath() {
        this(InNamespace.CURRENT);
    }

    @Override
    public synchronized ApplyResult apply(RenderedTable desired) {
        ApplyResult r = namespace.call(() -> applier.apply(desired));
        if (r.kind() != ApplyResult.Kind.UNCHANGED) {
            baseline = null;
            generation = -1;
        }
        return r;
    }

    @Override
    public synchronized boolean inSync() {
        if (applier.applied() == null) {
            return true;
        }
        long gen = namespace.call(NetlinkSetElements::generation);
        if (baseline != null && gen == generation) {
            return true; // no transaction since the last check, by anyone
        }
        String now;
        try {
            now = ContentHash.of(namespace.call(() -> nft.stateless("list table " + RenderedTable.TABLE)));
        } catch (NftablesException e) {
            return false; // "No such file or directory": the table is gone
        }
        if (baseline == null) {
            baseline = now;
        }
        if (!baseline.equals(now)) {
            return false;
        }
        generation = gen;
        return true;
    }

    @Override
    public synchronized void forget() {
        applier.reset();
        baseline = null;
        generation = -1;
    }

    @Override
    public Map<String, RuleCounters.Count> counters() {
        return namespace.call(() -> RuleCounters.read(nft));
    }
}
