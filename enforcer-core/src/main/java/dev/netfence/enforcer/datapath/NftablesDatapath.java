package dev.netfence.enforcer.datapath;

import dev.netfence.enforcer.nft.ApplyResult;
import dev.netfence.enforcer.nft.Conntrack;
import dev.netfence.enforcer.nft.Nftables;
import dev.netfence.enforcer.nft.NftablesException;
import dev.netfence.enforcer.nft.RenderedTable;
import dev.netfence.enforcer.nft.RuleCounters;
import dev.netfence.enforcer.nft.RuleSetApplier;
import dev.netfence.policy.compile.ContentHash;
import dev.netfence.policy.net.IpAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The kernel datapath: {@link RuleSetApplier} (libnftables transactions, nf_tables netlink element
 * deltas) for applies, the ruleset generation and a stateless listing of the table for verification,
 * a netlink dump of the table's rules for counters ({@link RuleCounters}).
 *
 * <p>Verification rests on the nf_tables ruleset generation (NFT_MSG_GETGEN, one netlink round trip):
 * the kernel increments it on every committed transaction, by anyone, on any table. Around each apply
 * the generation is read before and after; when it moved by exactly one from a generation already
 * trusted, the only transaction in between was ours, so the kernel holds what we applied and the new
 * generation is trusted, without listing anything. A resync that finds the trusted generation has
 * proof that nothing changed (0.25 ms with a 10,000-pod table). When the generation moved (someone
 * committed something, on this table or another), the table is listed (stateless: counter values do
 * not count) and compared with the listing taken after our last full check; if there is no such
 * listing for the current table (applies since), the loop cannot prove it and repairs with a full
 * replacement, after which the listing is taken. So a node where nobody else writes nftables never
 * lists its table, and pod churn never pays for a listing.
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
    /** Used on the namespace's thread only (opened there); kept open like the applier's socket (see Conntrack.Session). */
    private final Conntrack.Session conntrack = new Conntrack.Session();
    /** Hash of the kernel's listing of the table in force, or null when applies happened since it was taken. */
    private String baseline;
    /** A generation at which the kernel provably held the table in force; -1 when none is known. */
    private long trusted = -1;

    public NftablesDatapath(InNamespace namespace) {
        this.namespace = namespace;
    }

    public NftablesDatapath() {
        this(InNamespace.CURRENT);
    }

    @Override
    public synchronized ApplyResult apply(RenderedTable desired) {
        long before = generation();
        ApplyResult r = namespace.call(() -> applier.apply(desired));
        if (r.kind() != ApplyResult.Kind.UNCHANGED) {
            long after = generation();
            // our transaction alone moved the generation, and it defined the whole table (a full
            // replacement) or changed a table the kernel provably held: the kernel holds `desired`
            boolean ours = after == before + 1 && (r.kind() == ApplyResult.Kind.FULL || before == trusted);
            trusted = ours ? after : -1;
            baseline = null;
            if (ours && r.kind() == ApplyResult.Kind.FULL) {
                takeBaseline(after);
            }
        }
        return r;
    }

    @Override
    public synchronized boolean inSync() {
        if (applier.applied() == null) {
            return true;
        }
        long gen = generation();
        if (gen == trusted) {
            return true; // no transaction since the kernel provably held our table
        }
        if (baseline == null) {
            return false; // cannot prove it: the loop replaces the table, which takes a new baseline
        }
        String now = listingHash();
        if (!baseline.equals(now)) {
            return false;
        }
        trusted = gen;
        return true;
    }

    /** The listing of the table as our transaction at generation {@code gen} left it, unless someone committed since. */
    private void takeBaseline(long gen) {
        String now = listingHash();
        if (now != null && generation() == gen) {
            baseline = now;
        }
    }

    /** Hash of the kernel's stateless listing of the table, or null when the table is gone. */
    private String listingHash() {
        try {
            return ContentHash.of(namespace.call(() -> nft.stateless("list table " + RenderedTable.TABLE)));
        } catch (NftablesException e) {
            return null; // "No such file or directory": the table is gone
        }
    }

    private long generation() {
        return namespace.call(applier::generation);
    }

    @Override
    public synchronized void forget() {
        applier.reset();
        baseline = null;
        trusted = -1;
    }

    /** Closes the applier's and the conntrack netlink sockets: a socket keeps its network namespace alive after the namespace is deleted. */
    @Override
    public synchronized void close() {
        applier.close();
        conntrack.close();
    }

    @Override
    public Map<String, RuleCounters.Count> counters() {
        return namespace.call(RuleCounters::read);
    }

    @Override
    public List<Conntrack.Entry> connections(IpAddress address, Conntrack.Side side) {
        return namespace.call(() -> conntrack.dump(address, side));
    }

    @Override
    public List<Conntrack.Entry> connections(boolean v6) {
        return namespace.call(() -> conntrack.dumpAll(v6));
    }

    @Override
    public int deleteConnections(List<Conntrack.Entry> entries) {
        return namespace.call(() -> conntrack.delete(entries));
    }
}
