package dev.netfence.enforcer.loop;

import dev.netfence.crds.ruleset.InvalidRuleSetException;
import dev.netfence.enforcer.cni.PodAnnouncement;
import dev.netfence.enforcer.cni.PodAnnouncements;
import dev.netfence.enforcer.cni.KnownAddresses;
import dev.netfence.enforcer.cni.WaitingPods;
import dev.netfence.enforcer.datapath.Datapath;
import dev.netfence.enforcer.kube.NodeRuleSetStatusReporter;
import dev.netfence.enforcer.nft.ApplyResult;
import dev.netfence.enforcer.flow.FlowLog;
import dev.netfence.enforcer.nft.FailClosedRules;
import dev.netfence.enforcer.nft.FlowLogRules;
import dev.netfence.enforcer.nft.NftablesRenderer;
import dev.netfence.enforcer.nft.PodElements;
import dev.netfence.enforcer.nft.RenderedTable;
import dev.netfence.enforcer.nft.RevocationRules;
import dev.netfence.enforcer.revoke.ConnectionRevocation;
import dev.netfence.enforcer.revoke.ConnectionRevoker;
import dev.netfence.enforcer.revoke.RevocationTarget;
import dev.netfence.enforcer.revoke.RevocationTargets;
import dev.netfence.enforcer.revoke.RevocationVerdicts;
import dev.netfence.enforcer.source.RuleSetNotReadyException;
import dev.netfence.enforcer.source.RuleSetSource;
import dev.netfence.enforcer.source.RuleSetSourceException;
import dev.netfence.enforcer.validate.RuleSetValidator;
import dev.netfence.policy.compile.RuleSetHash;
import dev.netfence.policy.compile.LocalPod;
import dev.netfence.policy.compile.NodeRuleSet;
import dev.netfence.policy.compile.PolicyRules;
import dev.netfence.policy.compile.ResolvedRuleSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The enforcer of one node: the same class in the DaemonSet (through the Quarkus app), the lab, the
 * demo and the tests.
 *
 * <p>Event-driven: the source's informer events only set a flag and schedule one sync after
 * {@code coalesceDelay}, so a burst of events is one sync. A sync reads the source, validates every
 * field into typed values ({@link RuleSetValidator}), renders and applies through the
 * {@link Datapath}; the status is reported after it and written only when its content changed.
 * Everything runs on one worker thread, so applies never overlap.
 *
 * <ul>
 *   <li>"Not complete yet" (an AddressSet not written yet) is a wait: no error, no status error;
 *       the AddressSet's arrival is an event.</li>
 *   <li>An invalid object is refused whole with the field named (status error); the last good rules
 *       stay and keep being verified. A new version of the object is an event.</li>
 *   <li>A failed apply (the kernel refused, or anything else thrown in the apply path) keeps the last
 *       good rules (one transaction), makes the datapath forget what it applied (the next attempt is
 *       a clean full replacement) and is retried with exponential backoff.</li>
 *   <li>Every {@code resyncInterval} the kernel's table is read back and compared with what was
 *       applied; drift (the table deleted, {@code nft flush ruleset}, a rule edited) is repaired with a
 *       full replacement.</li>
 *   <li>Counters are read on their own schedule ({@code counterInterval}), never on the apply path.</li>
 *   <li>A source that cannot notify (files) is polled every {@code pollInterval}.</li>
 *   <li>Pods announced by the CNI plugin ({@link PodAnnouncements}) that the rule set in force does
 *       not name are held by the fail-closed rule ({@link NewPodSettings}, {@link FailClosedRules}); an
 *       announcement syncs at once (no coalescing delay: a pod's ADD waits for it), and
 *       {@link #appliedIncluding} tells the CNI handler when the kernel holds it.</li>
 *   <li>With {@link ConnectionRevocation#REVOKE}, after a changed rule set is in the kernel, the
 *       conntrack entries of connections it no longer allows are deleted ({@link ConnectionRevoker},
 *       targeted by {@link RevocationTargets} from the difference to the previous rule set); a failed
 *       revocation is retried on the next sync, never undoes the apply.</li>
 * </ul>
 */
public final class EnforcerLoop implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EnforcerLoop.class);

    private final EnforcerSettings settings;
    private final RuleSetSource source;
    private final Datapath datapath;
    private final StatusSink status;
    private final EnforcerObserver observer;
    private final Clock clock;
    /** Replaced only by {@link #podCidrs} (the Node's pod CIDRs arriving after start). */
    private volatile NewPodSettings newPods;
    private final PodAnnouncements announcements;
    private final ScheduledExecutorService worker;
    private final AtomicBoolean pending = new AtomicBoolean();
    private final AtomicBoolean announcePending = new AtomicBoolean();
    private final AtomicLong syncs = new AtomicLong();
    private final AtomicLong repairs = new AtomicLong();
    private final AtomicLong revoked = new AtomicLong();
    private final ConnectionRevoker revoker;
    /** Worker thread only: the validated rule set in force (what revocation compares with), and targets left by a failure. */
    private ResolvedRuleSet lastValid;
    /** Worker thread only: the revocation's verdicts of {@code lastValid}, null until a revocation needs them. */
    private RevocationVerdicts lastVerdicts;
    private List<RevocationTarget> revokePending = List.of();
    private volatile EnforcementState state = EnforcementState.INITIAL;
    private volatile boolean started;
    /** Worker thread only. */
    private RenderedTable lastGood;
    /** {@code lastGood} as the renderer made it, before the fail-closed rule was added, and its rule set. */
    private RenderedTable lastBase;
    /** Worker thread only: where the pod path finds the sets of {@code podIndexOf} (and of every table derived from it). */
    private PodElements.Index podIndex;
    private RenderedTable podIndexOf;
    /** Worker thread only: the policies of {@code policiesOf} (a rule set's list) by id, for the pod path. */
    private java.util.Map<String, PolicyRules> policiesById;
    private List<PolicyRules> policiesOf;
    private NodeRuleSet lastRuleSet;
    private volatile WaitingPods waiting = WaitingPods.NONE;
    /** Worker thread only: the addresses of {@code known.ruleSet()}'s pods and the known sets, kept across pod changes. */
    private KnownAddresses known;
    /** The flow log whose rules every applied table carries ({@link FlowLogRules}); null: none. */
    private volatile FlowLog flowLog;
    /** The announcements version the kernel's table includes; guarded by {@code waiters}. */
    private long appliedAnnouncements = -1;
    private final List<Waiter> waiters = new ArrayList<>();
    /** Guarded by {@code waiters}: pods whose CNI ADD waits for their own rules, and the rule set in the kernel. */
    private final List<NameWaiter> nameWaiters = new ArrayList<>();
    private NodeRuleSet inForce;
    /**
     * The source's object behind {@code lastGood} and the hashes of what validation made of it: an
     * identical object is not validated, rendered or hashed again (a hash walks the whole rule set,
     * ~100 ms at 10,000 pods, which on every resync was most of the enforcer's idle CPU).
     */
    private ResolvedRuleSet lastSource;
    private Hashes lastHashes;
    private Duration backoff;
    private ScheduledFuture<?> retry;
    private EnforcementState reported;
    private boolean statusPending;

    /** An enforcer with the default {@link NewPodSettings} (fail-closed) and announcements in memory. */
    public EnforcerLoop(EnforcerSettings settings, RuleSetSource source, Datapath datapath, StatusSink status,
                        EnforcerObserver observer) {
        this(settings, source, datapath, status, observer, NewPodSettings.DEFAULTS, PodAnnouncements.inMemory());
    }

    public EnforcerLoop(EnforcerSettings settings, RuleSetSource source, Datapath datapath, StatusSink status,
                        EnforcerObserver observer, NewPodSettings newPods, PodAnnouncements announcements) {
        this(settings, source, datapath, status, observer, newPods, announcements, Clock.systemUTC());
    }

    EnforcerLoop(EnforcerSettings settings, RuleSetSource source, Datapath datapath, StatusSink status,
                 EnforcerObserver observer, Clock clock) {
        this(settings, source, datapath, status, observer, NewPodSettings.DEFAULTS, PodAnnouncements.inMemory(), clock);
    }

    EnforcerLoop(EnforcerSettings settings, RuleSetSource source, Datapath datapath, StatusSink status,
                 EnforcerObserver observer, NewPodSettings newPods, PodAnnouncements announcements, Clock clock) {
        this.newPods = newPods;
        this.announcements = announcements;
        this.settings = settings;
        this.source = source;
        this.datapath = datapath;
        this.status = status;
        this.observer = observer;
        this.clock = clock;
        this.backoff = settings.retryInitial();
        this.revoker = new ConnectionRevoker(datapath);
        // created by the caller's thread: in the lab and the demo that is outside every node namespace
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "netfence-enforcer-" + settings.nodeName());
            t.setDaemon(true);
            return t;
        });
    }

    /** Adds the flow log's rules to every table this loop applies and tells {@code log} their deciders; before {@link #start}. */
    public EnforcerLoop withFlowLog(FlowLog log) {
        this.flowLog = log;
        return this;
    }

    /** Registers with the source and starts the schedules; the first sync runs at once. */
    public synchronized EnforcerLoop start() {
        if (started) {
            return this;
        }
        started = true;
        boolean events = source.onChange(this::changed);
        announcements.onChange(this::announced);
        LOG.infof("enforcing the rule sets of node %s from %s (%s; resync %s, counters every %s)", settings.nodeName(),
                source.describe(), events ? "on events" : "polled every " + settings.pollInterval(),
                settings.resyncInterval(), settings.counterInterval());
        worker.execute(() -> sync(false));
        long resync = settings.resyncInterval().toMillis();
        worker.scheduleWithFixedDelay(() -> sync(true), resync, resync, TimeUnit.MILLISECONDS);
        if (!events) {
            long poll = settings.pollInterval().toMillis();
            worker.scheduleWithFixedDelay(() -> sync(false), poll, poll, TimeUnit.MILLISECONDS);
        }
        long counters = settings.counterInterval().toMillis();
        worker.scheduleWithFixedDelay(this::readCounters, counters, counters, TimeUnit.MILLISECONDS);
        return this;
    }

    /** An informer event: only enqueue (at most one sync pending, after the coalescing delay). */
    private void changed() {
        if (pending.compareAndSet(false, true) && !worker.isShutdown()) {
            worker.schedule(() -> {
                pending.set(false);
                sync(false);
            }, settings.coalesceDelay().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** A pod announced or deleted: sync at once (its CNI ADD waits), at most one such sync pending. */
    private void announced() {
        if (announcePending.compareAndSet(false, true) && !worker.isShutdown()) {
            worker.execute(() -> {
                announcePending.set(false);
                sync(false);
            });
        }
    }

    /**
     * Completes once the kernel's table includes the announcements up to {@code version} (the
     * fail-closed rule holds those pods, or the rule set names them). It never completes while no
     * rule set was applied: the caller bounds the wait.
     */
    public CompletableFuture<Void> appliedIncluding(long version) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        synchronized (waiters) {
            if (appliedAnnouncements >= version) {
                f.complete(null);
            } else {
                waiters.add(new Waiter(version, f));
            }
        }
        return f;
    }

    private record Waiter(long version, CompletableFuture<Void> done) {
    }

    private record NameWaiter(PodAnnouncement pod, CompletableFuture<Void> done) {
    }

    /**
     * Completes once a rule set that names {@code pod} (every address of it, as this pod) is in the
     * kernel: its own rules, not the fail-closed hold. Never completes while the operator has not
     * compiled it: the caller bounds the wait ({@code netfence.enforcer.cni.wait-for-rules}).
     */
    public CompletableFuture<Void> named(PodAnnouncement pod) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        synchronized (waiters) {
            if (names(inForce, pod)) {
                f.complete(null);
            } else {
                nameWaiters.add(new NameWaiter(pod, f));
            }
        }
        return f;
    }

    private static boolean names(NodeRuleSet ruleSet, PodAnnouncement pod) {
        if (ruleSet == null || pod.ips().isEmpty()) {
            return false;
        }
        for (String ip : pod.ips()) {
            boolean found = false;
            for (dev.netfence.policy.compile.LocalPod p : ruleSet.pods()) {
                if (p.ips().contains(ip) && (pod.podKey() == null || p.key().equals(pod.podKey()))) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                return false;
            }
        }
        return true;
    }

    private void inForce(NodeRuleSet ruleSet) {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        synchronized (waiters) {
            inForce = ruleSet;
            for (Iterator<NameWaiter> it = nameWaiters.iterator(); it.hasNext(); ) {
                NameWaiter w = it.next();
                if (w.done().isDone() || names(ruleSet, w.pod())) {
                    it.remove();
                    done.add(w.done());
                }
            }
        }
        done.forEach(f -> f.complete(null));
    }

    private void appliedAnnouncements(long version) {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        synchronized (waiters) {
            appliedAnnouncements = Math.max(appliedAnnouncements, version);
            for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
                Waiter w = it.next();
                if (w.version() <= appliedAnnouncements || w.done().isDone()) {
                    it.remove();
                    done.add(w.done());
                }
            }
        }
        done.forEach(f -> f.complete(null));
    }

    /** The announced pods the rule set in force does not name yet (held by the fail-closed rule). */
    public WaitingPods waitingPods() {
        return waiting;
    }

    public NewPodSettings newPodSettings() {
        return newPods;
    }

    /**
     * The node's pod CIDRs for the fail-closed sets, when they come from its Node object
     * ({@link dev.netfence.enforcer.kube.NodePodCidrs}) rather than the configuration: syncs at once.
     */
    public void podCidrs(List<dev.netfence.policy.net.Cidr> cidrs) {
        if (!cidrs.equals(newPods.podCidrs())) {
            newPods = newPods.withPodCidrs(cidrs);
            announced();
        }
    }

    private void sync(boolean verify) {
        syncs.incrementAndGet();
        try {
            Optional<ResolvedRuleSet> current = source.current();
            if (current.isEmpty()) {
                // nothing published for this node: leave it as it is, but keep what we applied intact
                if (verify) {
                    repairLastGood();
                }
                return;
            }
            if (current.get() == lastSource) {
                // sources hand out the same object until something changed; announcements may have
                apply(lastHashes, lastRuleSet, lastBase, verify);
                return;
            }
            if (podsOnly(current.get(), verify)) {
                return;
            }
            ResolvedRuleSet valid = RuleSetValidator.validate("NodeRuleSet " + settings.nodeName(), current.get());
            RenderedTable table = NftablesRenderer.render(valid);
            Hashes hashes = Hashes.of(valid);
            apply(hashes, valid.ruleSet(), table, verify);
            lastSource = current.get();
            lastHashes = hashes;
            ResolvedRuleSet previous = lastValid;
            lastValid = valid;
            lastVerdicts = null;
            if (settings.connectionRevocation() == ConnectionRevocation.REVOKE) {
                List<RevocationTarget> targets = new ArrayList<>(revokePending);
                targets.addAll(RevocationTargets.between(previous, valid));
                revokePending = targets;
            }
        } catch (RuleSetNotReadyException e) {
            LOG.debugf("node %s waits: %s", settings.nodeName(), e.getMessage());
            state = state.waiting(e.getMessage());
            if (verify) {
                repairLastGood();
            }
        } catch (RuleSetSourceException | InvalidRuleSetException e) {
            refused(e.getMessage());
            if (verify) {
                repairLastGood();
            }
        } catch (RuntimeException e) {
            failed(e, true);
        } finally {
            revokePending();
            report();
        }
    }

    /**
     * The pod path: when the new rule set differs from the one in force only by a few local pods (joining, leaving,
     * moving between existing profiles), only those pods are validated, their elements changed in the table in force
     * ({@link PodElements}: no render, no diff of the whole table) and revocation looks at them alone; what is applied
     * equals what the full path would apply. False (nothing done) when the change needs the full path.
     */
    private boolean podsOnly(ResolvedRuleSet next, boolean verify) {
        if (lastSource == null || lastValid == null || lastHashes == null || lastBase == null
                || lastRuleSet != lastValid.ruleSet()) {
            return false;
        }
        PodChange change = PodChange.between(lastSource, next, POD_PATH_LIMIT);
        if (change == null) {
            return false;
        }
        ResolvedRuleSet previous = lastValid;
        if (policiesOf != previous.ruleSet().policies()) {
            policiesById = new java.util.HashMap<>();
            previous.ruleSet().policies().forEach(p -> policiesById.putIfAbsent(p.id(), p));
            policiesOf = previous.ruleSet().policies();
        }
        ResolvedRuleSet valid = RuleSetValidator.withPods("NodeRuleSet " + settings.nodeName(), previous, policiesById,
                change.prefix(), change.suffix(), change.newMiddle());
        List<LocalPod> before = previous.ruleSet().pods();
        List<LocalPod> after = valid.ruleSet().pods();
        List<LocalPod> removed = before.subList(change.prefix(), before.size() - change.suffix());
        List<LocalPod> added = after.subList(change.prefix(), after.size() - change.suffix());
        if (podIndexOf != lastBase) {
            podIndex = PodElements.index(lastBase);
            podIndexOf = lastBase;
        }
        Optional<RenderedTable> table = PodElements.update(podIndex, lastBase, previous.ruleSet(), valid.ruleSet(),
                removed, added);
        if (table.isEmpty()) {
            return false;
        }
        podIndexOf = table.get(); // same sets in the same places, same profile ids
        if (known != null && known.ruleSet() == previous.ruleSet()) {
            known.withPods(valid.ruleSet(), removed, added); // the known sets then change by these pods' addresses
        }
        Hashes hashes = lastHashes.withPods(removed, added);
        apply(hashes, valid.ruleSet(), table.get(), verify);
        lastSource = next;
        lastHashes = hashes;
        lastValid = valid;
        if (lastVerdicts != null) {
            lastVerdicts = lastVerdicts.withPods(valid, removed, added);
        }
        if (settings.connectionRevocation() == ConnectionRevocation.REVOKE) {
            // node addresses, policies and address sets are unchanged, so only the changed pods can have lost an allow
            List<RevocationTarget> targets = new ArrayList<>(revokePending);
            targets.addAll(RevocationTargets.between(podsOf(previous, removed, policiesById),
                    podsOf(valid, added, policiesById)));
            revokePending = targets;
        }
        return true;
    }

    /**
     * {@code rs} with only {@code pods}, the policies they name and no address sets: what revocation needs to judge
     * those pods when nothing else changed (it looks policies up by the pods' lists only).
     */
    private static ResolvedRuleSet podsOf(ResolvedRuleSet rs, List<LocalPod> pods, java.util.Map<String, PolicyRules> byId) {
        NodeRuleSet n = rs.ruleSet();
        java.util.Map<String, PolicyRules> named = new java.util.LinkedHashMap<>();
        for (LocalPod p : pods) {
            for (List<String> refs : List.of(p.ingressPolicies(), p.egressPolicies(), p.clusterIngress(), p.clusterEgress())) {
                for (String id : refs) {
                    PolicyRules known = byId.get(id);
                    if (known != null) {
                        named.putIfAbsent(id, known);
                    }
                }
            }
        }
        return new ResolvedRuleSet(new NodeRuleSet(n.node(), n.nodeAddresses(), pods, List.copyOf(named.values()), List.of()),
                List.of());
    }

    /** More changed pods than this in one document: the full path (render and diff) is as cheap. */
    private static final int POD_PATH_LIMIT = 256;

    /** Deletes the entries of connections the rules in force deny, for the pending targets (the rules are in the kernel). */
    private void revokePending() {
        if (revokePending.isEmpty() || lastValid == null || state.lastError() != null) {
            return;
        }
        try {
            if (lastVerdicts == null) {
                lastVerdicts = new RevocationVerdicts(lastValid);
            }
            ConnectionRevoker.Result r = revoker.revoke(revokePending, lastVerdicts);
            revokePending = List.of();
            revoked.addAndGet(r.deleted());
            observer.revoked(r);
            if (r.denied() > 0) {
                LOG.infof("node %s: revoked %d established connections the new rules deny (%d checked for %d pod"
                        + " addresses in %d ms): %s", settings.nodeName(), r.deleted(), r.checked(), r.targets(),
                        r.took().toMillis(), r.examples());
            }
        } catch (RuntimeException e) {
            LOG.warnf("node %s: cannot revoke the connections the new rules deny (retried on the next sync): %s",
                    settings.nodeName(), e.getMessage());
        }
    }

    /**
     * What the status reports of a rule set: the applied hash ({@code rs.contentHash()}, with members) and the
     * NodeRuleSet's content hash ({@code rs.ruleSet().contentHash()}), with the part digests they are made of
     * ({@link RuleSetHash}) so that the pod path updates them by the changed pods alone (hashing the whole rule
     * set was most of a pod change's CPU at 10,000 pods).
     */
    private static final class Hashes {
        private final RuleSetHash parts;
        private final byte[] addressSets;
        private final String applied;

        private Hashes(RuleSetHash parts, byte[] addressSets) {
            this.parts = parts;
            this.addressSets = addressSets;
            this.applied = parts.withAddressSets(addressSets);
        }

        static Hashes of(ResolvedRuleSet rs) {
            return new Hashes(RuleSetHash.of(rs.ruleSet()), RuleSetHash.addressSets(rs.addressSets()));
        }

        /** The hashes of the rule set that differs only by the pods {@code removed} and {@code added} (same address sets). */
        Hashes withPods(List<LocalPod> removed, List<LocalPod> added) {
            return new Hashes(parts.withPods(removed, added), addressSets);
        }

        String applied() {
            return applied;
        }

        String ruleSet() {
            return parts.hash();
        }
    }

    private void apply(Hashes hashes, NodeRuleSet ruleSet, RenderedTable base, boolean verify) {
        PodAnnouncements.Snapshot announced = announcements.snapshot();
        NewPodSettings newPods = this.newPods; // one value for the whole apply (podCidrs may replace it)
        if (known == null || known.ruleSet() != ruleSet) {
            known = KnownAddresses.of(ruleSet); // a rule set from the full path: indexed afresh
        }
        WaitingPods held = WaitingPods.of(known, announced.pods(), newPods);
        RenderedTable table = base;
        if (newPods.failClosed()) {
            List<String> cidrs = newPods.podCidrs().stream().map(Object::toString).toList();
            if (cidrs.isEmpty()) {
                known.noSets();
                table = FailClosedRules.add(base, held.addresses(), cidrs, List.of(), List.of());
            } else {
                KnownAddresses.Sets sets = known.sets(held);
                table = FailClosedRules.add(base, held.addresses(), cidrs, sets.v4(), sets.v6());
            }
        }
        if (settings.connectionRevocation() == ConnectionRevocation.REVOKE) {
            table = RevocationRules.add(table);
        }
        FlowLog log = flowLog;
        if (log != null && log.settings().enabled()) {
            FlowLogRules.Result logged = FlowLogRules.add(table, ruleSet, log.settings());
            log.installing(ruleSet, logged.deciders());
            table = logged.table();
        }
        if (verify && !datapath.inSync()) {
            LOG.warnf("node %s: the kernel's table inet netfence is not provably what was applied (another nftables"
                    + " transaction since; the table may have been deleted, flushed or edited): replacing it", settings.nodeName());
            datapath.forget();
            repairs.incrementAndGet();
        }
        ApplyResult result = datapath.apply(table);
        if (result.kind() != ApplyResult.Kind.UNCHANGED) {
            LOG.infof("node %s: applied rule set %s (%s, %d rules, %d elements) in %d ms", settings.nodeName(),
                    hashes.ruleSet(), result.kind(), result.rules(), result.elements(),
                    result.duration().toMillis());
            observer.applied(result);
        }
        lastGood = table;
        lastBase = base;
        lastRuleSet = ruleSet;
        if (!held.pods().equals(waiting.pods())) {
            observer.waitingPods(held.pods().size());
            if (!held.pods().isEmpty()) {
                LOG.infof("node %s: %d new pods held by the fail-closed rule until the NodeRuleSet names them: %s",
                        settings.nodeName(), held.pods().size(),
                        held.pods().stream().limit(5).map(a -> a.describe()).toList());
            }
        }
        waiting = held;
        appliedAnnouncements(announced.version());
        inForce(ruleSet);
        state = state.succeeded(hashes.applied(), hashes.ruleSet(), result, clock.instant())
                .withWaitingPods(held.pods().stream().map(a -> a.podKey() != null ? a.podKey() : a.containerId())
                        .sorted().toList());
        backoff = settings.retryInitial();
        if (retry != null) {
            retry.cancel(false);
            retry = null;
        }
    }

    /** The object in force now cannot be used: keep (and keep verifying) the last good table. */
    private void repairLastGood() {
        if (lastGood == null) {
            return;
        }
        try {
            if (!datapath.inSync()) {
                LOG.warnf("node %s: the kernel's table drifted; restoring the last good rules", settings.nodeName());
                datapath.forget();
                datapath.apply(lastGood);
                repairs.incrementAndGet();
            }
        } catch (RuntimeException e) {
            failed(e, true);
        }
    }

    private void refused(String message) {
        if (!message.equals(state.lastError())) {
            LOG.errorf("node %s keeps its last good rules (%s): %s", settings.nodeName(),
                    state.ruleSetHash() == null ? "none applied yet" : state.ruleSetHash(), message);
        }
        observer.failed();
        state = state.failed(message);
    }

    private void failed(RuntimeException e, boolean retryLater) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        LOG.errorf("node %s keeps its last good rules (%s); retrying in %s: %s", settings.nodeName(),
                state.ruleSetHash() == null ? "none applied yet" : state.ruleSetHash(), backoff, message);
        observer.failed();
        state = state.failed(message);
        // whatever went wrong, the next attempt starts from a clean full replacement
        try {
            datapath.forget();
        } catch (RuntimeException ignored) {
            // forgetting is local state only
        }
        if (retryLater && !worker.isShutdown() && (retry == null || retry.isDone())) {
            retry = worker.schedule(() -> {
                retry = null;
                sync(false);
            }, backoff.toMillis(), TimeUnit.MILLISECONDS);
            Duration doubled = backoff.multipliedBy(2);
            backoff = doubled.compareTo(settings.retryMax()) > 0 ? settings.retryMax() : doubled;
        }
    }

    /** Reports the state when it changed since the last successful report (or the last report failed). */
    private void report() {
        EnforcementState now = state;
        if (!statusPending && now.equals(reported)) {
            return;
        }
        try {
            status.report(now);
            reported = now;
            statusPending = false;
        } catch (NodeRuleSetStatusReporter.StatusConflictException e) {
            statusPending = true;
            LOG.debugf("%s; reporting again on the next event", e.getMessage());
        } catch (RuntimeException e) {
            statusPending = true;
            LOG.warnf("cannot write the status of NodeRuleSet %s (retried on the next event or resync): %s",
                    settings.nodeName(), e.getMessage());
        }
    }

    private void readCounters() {
        if (lastGood == null) {
            return;
        }
        try {
            observer.counters(datapath.counters());
        } catch (RuntimeException e) {
            LOG.debugf("node %s: cannot read the counters: %s", settings.nodeName(), e.getMessage());
        }
    }

    public EnforcementState state() {
        return state;
    }

    public boolean running() {
        return started && !worker.isShutdown();
    }

    /** Syncs run so far (events coalesced into one count once), for tests and the benchmark. */
    public long syncs() {
        return syncs.get();
    }

    /** Connection tracking entries deleted by revocation so far. */
    public long connectionsRevoked() {
        return revoked.get();
    }

    /** Drift repairs so far. */
    public long repairs() {
        return repairs.get();
    }

    public EnforcerSettings settings() {
        return settings;
    }

    @Override
    public void close() {
        worker.shutdownNow();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        source.close();
        datapath.close();
    }
}
