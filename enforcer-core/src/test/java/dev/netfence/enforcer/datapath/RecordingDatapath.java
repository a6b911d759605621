package dev.netfence.enforcer.datapath;

import dev.netfence.enforcer.nft.ApplyResult;
import dev.netfence.enforcer.nft.Conntrack;
import dev.netfence.enforcer.nft.NftablesException;
import dev.netfence.enforcer.nft.RenderedTable;
import dev.netfence.enforcer.nft.RuleCounters;
import dev.netfence.policy.net.IpAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A datapath that records what the loop asks of it, for tests without root: the tables applied (in
 * order), verifications and counter reads. It models the kernel's table: {@link #drift()} plays
 * someone running {@code nft flush ruleset}; {@link #failNext(int)} makes the next applies be refused
 * (the table stays as it was, as a refused transaction leaves it).
 */
public final class RecordingDatapath implements Datapath {
    private final List<RenderedTable> applied = new ArrayList<>();
    private RenderedTable remembered;
    private RenderedTable kernel;
    private int failures;
    private int verifications;
    private int counterReads;
    private int forgets;
    /** The modelled connection tracking table. */
    private final List<Conntrack.Entry> connections = new ArrayList<>();
    private int connectionDumps;

    @Override
    public synchronized ApplyResult apply(RenderedTable desired) {
        if (failures > 0) {
            failures--;
            throw new NftablesException("Error: Could not process rule: No such file or directory");
        }
        if (desired.equals(remembered) && Objects.equals(kernel, remembered)) {
            return new ApplyResult(ApplyResult.Kind.UNCHANGED, Duration.ZERO, desired.ruleCount(), desired.elementCount());
        }
        ApplyResult.Kind kind = remembered == null ? ApplyResult.Kind.FULL : ApplyResult.Kind.DELTA;
        applied.add(desired);
        remembered = desired;
        kernel = desired;
        return new ApplyResult(kind, Duration.ofMillis(1), desired.ruleCount(), desired.elementCount());
    }

    @Override
    public synchronized boolean inSync() {
        verifications++;
        return remembered == null || remembered.equals(kernel);
    }

    @Override
    public synchronized void forget() {
        forgets++;
        remembered = null;
    }

    @Override
    public synchronized Map<String, RuleCounters.Count> counters() {
        counterReads++;
        return Map.of();
    }

    /** Someone else removes the table. */
    public synchronized void drift() {
        kernel = null;
    }

    public synchronized void failNext(int n) {
        failures = n;
    }

    public synchronized List<RenderedTable> applied() {
        return List.copyOf(applied);
    }

    /** The table the modelled kernel holds now, or null. */
    public synchronized RenderedTable kernel() {
        return kernel;
    }

    public synchronized int verifications() {
        return verifications;
    }

    public synchronized int counterReads() {
        return counterReads;
    }

    @Override
    public synchronized List<Conntrack.Entry> connections(IpAddress address, Conntrack.Side side) {
        return connections.stream().filter(e -> (side == Conntrack.Side.INITIATOR ? e.initiator() : e.responder())
                .equals(address)).toList();
    }

    @Override
    public synchronized List<Conntrack.Entry> connections(boolean v6) {
        connectionDumps++;
        return connections.stream().filter(e -> e.initiator().v6() == v6).toList();
    }

    /** Unfiltered dumps so far. */
    public synchronized int connectionDumps() {
        return connectionDumps;
    }

    @Override
    public synchronized int deleteConnections(List<Conntrack.Entry> entries) {
        int before = connections.size();
        connections.removeIf(c -> entries.stream().anyMatch(e -> e.id() == c.id()));
        return before - connections.size();
    }

    /** A tracked connection, as the kernel would hold it. */
    public synchronized void track(Conntrack.Entry e) {
        connections.add(e);
    }

    public synchronized List<Conntrack.Entry> tracked() {
        return List.copyOf(connections);
    }
}
