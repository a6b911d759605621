package dev.netfence.enforcer.datapath;

import dev.netfence.enforcer.nft.ApplyResult;
import dev.netfence.enforcer.nft.Conntrack;
import dev.netfence.enforcer.nft.RenderedTable;
import dev.netfence.enforcer.nft.RuleCounters;
import dev.netfence.policy.net.IpAddress;
import java.util.List;
import java.util.Map;

/**
 * The narrow contract between the enforcer's loop and the kernel: bring the table to a desired
 * state, tell whether the kernel still holds what was applied, read the rule counters.
 * {@link NftablesDatapath} is the real one (libnftables + nf_tables netlink); tests use a
 * recording fake, so the loop's decisions are tested without root.
 *
 * <p>Every method may throw: {@link dev.netfence.enforcer.nft.NftablesException} when the kernel
 * refused, any other {@link RuntimeException} for a bug or a value the datapath cannot encode. A
 * failed {@link #apply} leaves the previous table in force (one transaction).
 */
public interface Datapath {

    /** Makes the kernel's table equal to {@code desired} (a delta when only set elements changed). */
    ApplyResult apply(RenderedTable desired);

    /**
     * Reads the kernel's table back and compares it with what the last successful apply left there.
     *
     * @return true when the kernel holds exactly that table (or nothing was applied yet); false when it
     *         drifted: the table is gone ({@code nft flush ruleset}, {@code nft delete table}) or a
     *         rule, chain, set or element was changed by someone else
     */
    boolean inSync();

    /** Forgets what was applied: the next {@link #apply} replaces the whole table. */
    void forget();

    /** The per-rule packet and byte counters of the table, by rule comment. */
    Map<String, RuleCounters.Count> counters();

    /** Releases what the datapath holds open (its netlink socket); the table stays in the kernel. */
    default void close() {
    }

    /**
     * The connection tracking entries whose initiator (or responder) is {@code address}, in the rules'
     * namespace (a kernel-filtered ctnetlink dump).
     */
    List<Conntrack.Entry> connections(IpAddress address, Conntrack.Side side);

    /** Every connection tracking entry of one family, in the rules' namespace (one ctnetlink dump). */
    List<Conntrack.Entry> connections(boolean v6);

    /** Deletes these conntrack entries; how many the kernel deleted (an entry gone since is not counted). */
    int deleteConnections(List<Conntrack.Entry> entries);
}
