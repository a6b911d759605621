package dev.netfence.enforcer.nft;

import dev.netfence.policy.compile.ResolvedRuleSet;
import java.time.Duration;
import dev.netfence.policy.compile.AddressSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * a thread that is in that namespace. It keeps one nf_tables netlink socket open for its batches and
 * generation reads, opened on first use in that namespace: closing a netlink socket after a commit
 * makes the kernel wait for the transaction's deferred release (nf_tables flushes its destroy work,
 * an RCU grace period, when a socket is released), which cost 4-14 ms per pod change, several times
 * the change itself. A socket that saw an error is closed and a new one opened next time, so no
 * stale answer is ever read as the next one's.
 */
public final class RuleSetApplier {

    private static final System.Logger LOG = System.getLogger(RuleSetApplier.class.getName());

    private final Nftables nft;
    private NfNetlink.Socket socket;
    private RenderedTable applied;
    /**
     * The rule and element counts of {@code counted} (what an ApplyResult reports): carried over a delta instead of
     * counted again, since walking every chain and set of a 10,000-pod table was a share of a pod change's cost.
     */
    private RenderedTable counted;
    private int countedRules;
    private int countedElements;
    /** Position of each set in {@code applied}'s list, rebuilt when the table's shape changed. */
    private final Map<String, Integer> setIndex = new HashMap<>();

    public RuleSetApplier(Nftables nft) {
        this.nft = nft;
    }

    public synchronized ApplyResult apply(ResolvedRuleSet ruleSet) {
        return apply(NftablesRenderer.render(ruleSet));
    }

    public synchronized ApplyResult apply(RenderedTable table) {
        long start = System.nanoTime();
        // one comparison pass, not two: no element changes and nothing else different means unchanged
        Optional<List<NetlinkSetElements.SetChange>> changes = applied == null ? Optional.empty()
                : table == applied ? Optional.of(List.of()) : table.elementChanges(applied);
        if (changes.isPresent() && changes.get().isEmpty()) {
            carryCounts(applied, table, 0);
            applied = table;
            return new ApplyResult(ApplyResult.Kind.UNCHANGED, Duration.ofNanos(System.nanoTime() - start),
                    countedRules, countedElements);
        }
        RenderedTable previous = applied;
        ApplyResult.Kind kind = ApplyResult.Kind.FULL;
        if (changes.isPresent()) {
            try {
                sendElements(changes.get(), table);
                kind = ApplyResult.Kind.DELTA;
                int delta = 0;
                for (NetlinkSetElements.SetChange c : changes.get()) {
                    delta += c.added().size() - c.removed().size();
                }
                carryCounts(previous, table, delta);
            } catch (RuntimeException e) {
                // the kernel refused the delta (the table drifted), or an element could not be encoded
                // for netlink: either way a clean full replacement is the answer, never a stuck delta
                LOG.log(System.Logger.Level.WARNING, "element delta failed, replacing the whole table instead: {0}",
                        e.getMessage());
                applied = null;
                replaceWhole(table);
            }
        } else {
            replaceWhole(table);
        }
        applied = table;
        if (counted != table) {
            counted = table;
            countedRules = table.ruleCount();
            countedElements = table.elementCount();
        }
        return new ApplyResult(kind, Duration.ofNanos(System.nanoTime() - start), countedRules, countedElements);
    }

    /**
     * {@code next}'s counts from {@code previous}'s when only elements differ ({@code delta} more of them: a set's
     * elements are distinct, and a map element is removed by its key), or counted when {@code previous}'s are not known.
     */
    private void carryCounts(RenderedTable previous, RenderedTable next, int delta) {
        if (previous != null && counted == previous) {
            countedElements += delta;
        } else {
            countedRules = next.ruleCount();
            countedElements = next.elementCount();
        }
        counted = next;
    }

    /**
     * The whole table in one transaction: encoded here and sent over netlink ({@link NetlinkTableLoad}),
     * or, for a table with a statement or set type the encoder does not know, through libnftables'
     * script. Either way one transaction: all or nothing. A table with the renderer's marked path
     * ({@link RenderedTable#netlinkOnly}: any table with a profile) has no libnftables fallback.
     */
    private void replaceWhole(RenderedTable table) {
        NetlinkTableLoad.Batch batch;
        try {
            batch = NetlinkTableLoad.encode(table);
        } catch (NetlinkRuleEncoder.Unsupported e) {
            if (table.netlinkOnly()) {
                // libnftables cannot parse the marked path's rules: failing here keeps the table in force
                throw new NftablesException("the rule set cannot be loaded: the table needs the netlink encoder (its"
                        + " marked-packet rules match an address with a profile id, which nft cannot parse), and the encoder does not"
                        + " know " + e.getMessage() + "; the rules in force stay as they are: remove what added that"
                        + " statement (flow log or revocation settings) or upgrade the enforcer");
            }
            LOG.log(System.Logger.Level.DEBUG, "table loaded through libnftables: {0}", e.getMessage());
            nft.run(table.fullScript());
            return;
        }
        NetlinkTableLoad.Batch encoded = batch;
        overSocket(s -> {
            NetlinkTableLoad.load(s, encoded);
            return null;
        });
    }

    /** Runs {@code call} over the applier's socket; on any failure the socket is closed (a fresh one next time). */
    private <T> T overSocket(java.util.function.Function<NfNetlink.Socket, T> call) {
        if (socket == null) {
            socket = new NfNetlink.Socket();
        }
        try {
            return call.apply(socket);
        } catch (RuntimeException e) {
            closeSocket();
            throw e;
        }
    }

    private void closeSocket() {
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }

    /** The ruleset generation (NFT_MSG_GETGEN) of the applier's namespace, over its socket. */
    public synchronized long generation() {
        return overSocket(NetlinkSetElements::generation);
    }

    /**
     * Element changes go straight to the kernel over netlink, whatever their number, as one batch (one transaction:
     * {@link NetlinkTableLoad#encodeElements}, messages of at most ~60 KB, the send buffer raised for a big batch as
     * for a full load); only a change of a set type the encoder does not know sends the whole delta through
     * libnftables' element commands instead (also one transaction). Why no size limit any more: a big delta over
     * netlink costs a fraction of libnftables' element script, which first lists the whole table into its cache and
     * parses every element (measured in {@code ApplyBenchmark}, see {@code enforcer/README.md}). An element the
     * encoder cannot read throws before anything is sent, and {@link #apply} replaces the whole table.
     */
    private void sendElements(List<NetlinkSetElements.SetChange> changes, RenderedTable table) {
        if (changes.isEmpty()) {
            return;
        }
        if (!changes.stream().allMatch(c -> NetlinkSetElements.supports(c.set()))) {
            nft.run(table.deltaFrom(applied).orElseThrow());
            return;
        }
        NetlinkTableLoad.Batch batch = NetlinkTableLoad.encodeElements(RenderedTable.NAME, changes);
        overSocket(s -> {
            NetlinkTableLoad.load(s, batch);
            return null;
        });
    }

    /**
     * One AddressSet's new members, as a watch of AddressSet objects delivers them: diffed against
     * the elements in force and sent over netlink, without rendering or comparing the rest of the
     * table, so the cost depends on the size of this set only. UNCHANGED when no rule here uses it
     * or nothing changed. A rule set must have been applied first.
     */
    public synchronized ApplyResult applyAddressSet(AddressSet updated) {
        long start = System.nanoTime();
        if (applied == null) {
            throw new IllegalStateException("apply a rule set before address set updates");
        }
        String base = NftablesRenderer.setNameOf(updated.name());
        List<NftSet> sets = new ArrayList<>(applied.sets());
        List<NetlinkSetElements.SetChange> changes = new ArrayList<>();
        boolean redeclared = false;
        for (boolean v6 : new boolean[]{false, true}) {
            String name = base + (v6 ? "_v6" : "_v4");
            int index = indexOf(sets, name);
            if (index < 0) {
                continue;
            }
            NftSet old = sets.get(index);
            List<String> elements = updated.entries().stream().filter(e -> (e.indexOf(':') >= 0) == v6).toList();
            Set<String> now = new HashSet<>(elements);
            Set<String> before = new HashSet<>(old.elements());
            List<String> removed = old.elements().stream().filter(e -> !now.contains(e)).toList();
            List<String> added = elements.stream().filter(e -> !before.contains(e)).toList();
            boolean interval = NftablesRenderer.intervalsNeeded(elements);
            // the set's first network (or its last one gone): another declaration, as the renderer would make it
            // now, which no element delta can change: the table is replaced whole (one transaction)
            boolean kindChanged = interval != old.interval();
            redeclared |= kindChanged;
            if (!removed.isEmpty() || !added.isEmpty() || kindChanged) {
                changes.add(new NetlinkSetElements.SetChange(old.declaration(), removed, added));
                sets.set(index, new NftSet(old.name(), old.type(), interval, elements));
            }
        }
        if (changes.isEmpty()) {
            return new ApplyResult(ApplyResult.Kind.UNCHANGED, Duration.ofNanos(System.nanoTime() - start),
                    applied.ruleCount(), applied.elementCount());
        }
        if (redeclared) {
            return apply(new RenderedTable(sets, applied.chains(), applied.objects()));
        }
        overSocket(s -> {
            NetlinkSetElements.apply(s, RenderedTable.NAME, changes);
            return null;
        });
        applied = new RenderedTable(sets, applied.chains(), applied.objects());
        return new ApplyResult(ApplyResult.Kind.DELTA, Duration.ofNanos(System.nanoTime() - start), -1, -1);
    }

    private int indexOf(List<NftSet> sets, String name) {
        Integer i = setIndex.get(name);
        if (i != null && i < sets.size() && sets.get(i).name().equals(name)) {
            return i;
        }
        setIndex.clear();
        for (int k = 0; k < sets.size(); k++) {
            setIndex.put(sets.get(k).name(), k);
        }
        return setIndex.getOrDefault(name, -1);
    }

    /** Forget what was applied: the next apply replaces the whole table. */
    public synchronized void reset() {
        applied = null;
    }

    /** Closes the applier's netlink socket (a later call opens a new one, in the calling thread's namespace). */
    public synchronized void close() {
        closeSocket();
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
