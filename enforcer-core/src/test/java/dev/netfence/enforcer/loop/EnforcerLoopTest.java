package dev.netfence.enforcer.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netfence.enforcer.SampleClusters;
import dev.netfence.enforcer.cni.PodAnnouncement;
import dev.netfence.enforcer.cni.PodAnnouncements;
import dev.netfence.enforcer.datapath.RecordingDatapath;
import dev.netfence.enforcer.nft.Conntrack;
import dev.netfence.enforcer.nft.FailClosedRules;
import dev.netfence.enforcer.nft.NftablesRenderer;
import dev.netfence.enforcer.nft.RenderedTable;
import dev.netfence.enforcer.nft.RevocationRules;
import dev.netfence.enforcer.revoke.ConnectionRevocation;
import dev.netfence.enforcer.revoke.RevocationVerdicts;
import dev.netfence.enforcer.source.RuleSetNotReadyException;
import dev.netfence.enforcer.source.RuleSetSource;
import dev.netfence.policy.compile.AddressSet;
import dev.netfence.policy.compile.LocalPod;
import dev.netfence.policy.compile.NodeRuleSet;
import dev.netfence.policy.compile.ResolvedRuleSet;
import dev.netfence.policy.compile.RuleSetCompiler;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.net.IpAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The loop's decisions against a recording datapath and an in-memory source (no root, no API
 * server): bursts coalesce, a missing AddressSet is a wait, an unchanged state is not reported
 * again, a refused apply keeps the last good rules and is retried with backoff, an invalid object
 * is refused whole, drift is repaired on resync, counters stay off the apply path.
 */
class EnforcerLoopTest {

    private static final ResolvedRuleSet FIRST = RuleSetCompiler.compile(SampleClusters.shop()).forNode("n1");
    private static final ResolvedRuleSet SECOND = withExtraMember(FIRST, "10.70.9.9");

    private final Source source = new Source();
    private final RecordingDatapath datapath = new RecordingDatapath();
    private final List<EnforcementState> reports = new CopyOnWriteArrayList<>();
    private EnforcerLoop loop;

    @AfterEach
    void close() {
        if (loop != null) {
            loop.close();
        }
    }

    /** The production defaults, as the DaemonSet runs them. */
    private EnforcerLoop start(EnforcerSettings settings) {
        loop = new EnforcerLoop(settings, source, datapath, s -> reports.add(s), EnforcerObserver.NONE).start();
        return loop;
    }

    @Test
    void aBurstOfEventsIsOneApply() {
        source.set(() -> Optional.of(FIRST));
        start(EnforcerSettings.defaults("n1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> datapath.applied().size() == 1);
        long before = loop.syncs();
        source.set(() -> Optional.of(SECOND));
        for (int i = 0; i < 200; i++) {
            source.fire();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> table(SECOND).equals(datapath.kernel()));
        assertThat(datapath.applied()).hasSize(2);
        // 200 events within the coalescing delay: one sync (two if the burst straddled a sync)
        assertThat(loop.syncs() - before).isBetween(1L, 2L);
    }

    @Test
    void anAddressSetNotWrittenYetIsAWaitNotAnError() {
        source.set(() -> {
            throw new RuleSetNotReadyException("NodeRuleSet n1 names AddressSet as-x, which is not written yet");
        });
        start(EnforcerSettings.defaults("n1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> loop.state().waitingFor() != null);
        assertThat(loop.state().lastError()).isNull();
        assertThat(reports).allSatisfy(s -> assertThat(s.lastError()).isNull());
        assertThat(datapath.applied()).isEmpty();

        source.set(() -> Optional.of(FIRST));
        source.fire(); // the AddressSet's arrival is an informer event
        await().atMost(Duration.ofSeconds(5)).until(() -> table(FIRST).equals(datapath.kernel()));
        assertThat(loop.state().waitingFor()).isNull();
        assertThat(loop.state().ruleSetHash()).isEqualTo(FIRST.ruleSet().contentHash());
    }

    @Test
    void anUnchangedStateIsReportedOnce() {
        source.set(() -> Optional.of(FIRST));
        // resync every 50 ms so that many resyncs run during the test (the default is 30 s)
        start(EnforcerSettings.defaults("n1").withResyncInterval(Duration.ofMillis(50)));
        await().atMost(Duration.ofSeconds(5)).until(() -> reports.size() == 1 && loop.syncs() > 10);
        for (int i = 0; i < 20; i++) {
            source.fire();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> loop.syncs() > 20);
        assertThat(reports).hasSize(1);
        assertThat(reports.get(0).appliedAt()).isEqualTo(loop.state().appliedAt());
        assertThat(datapath.applied()).hasSize(1);
    }

    @Test
    void aRefusedApplyKeepsTheLastGoodRulesAndIsRetriedWithBackoff() {
        source.set(() -> Optional.of(FIRST));
        // short retry delays so the test does not wait the default 1 s, 2 s, ...
        start(EnforcerSettings.defaults("n1").withRetry(Duration.ofMillis(50), Duration.ofMillis(200)));
        await().atMost(Duration.ofSeconds(5)).until(() -> table(FIRST).equals(datapath.kernel()));
        datapath.failNext(3);
        source.set(() -> Optional.of(SECOND));
        source.fire();
        await().atMost(Duration.ofSeconds(5)).until(() -> loop.state().consecutiveFailures() >= 1);
        assertThat(datapath.kernel()).isEqualTo(table(FIRST));
        assertThat(loop.state().ruleSetHash()).isEqualTo(FIRST.ruleSet().contentHash());
        assertThat(loop.state().lastError()).contains("Could not process rule");
        await().atMost(Duration.ofSeconds(5)).until(() -> table(SECOND).equals(datapath.kernel())
                && loop.state().lastError() == null);
        assertThat(loop.state().consecutiveFailures()).isZero();
        assertThat(loop.state().ruleSetHash()).isEqualTo(SECOND.ruleSet().contentHash());
    }

    @Test
    void anInvalidObjectIsRefusedWholeAndTheLastGoodRulesStay() {
        source.set(() -> Optional.of(FIRST));
        start(EnforcerSettings.defaults("n1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> table(FIRST).equals(datapath.kernel()));
        source.set(() -> Optional.of(withExtraMember(FIRST, "10.70.1.10 }\n}\nchain egress { accept }")));
        source.fire();
        await().atMost(Duration.ofSeconds(5)).until(() -> loop.state().lastError() != null);
        assertThat(loop.state().lastError()).contains("AddressSet").contains("spec.entries[")
                .doesNotContain("\n").doesNotContain("Exception");
        assertThat(datapath.applied()).hasSize(1);
        assertThat(datapath.kernel()).isEqualTo(table(FIRST));
        assertThat(reports.get(reports.size() - 1).lastError()).isEqualTo(loop.state().lastError());
    }

    @Test
    void driftIsRepairedOnTheNextResyncAndCountersStayOffTheApplyPath() {
        source.set(() -> Optional.of(FIRST));
        // resync every 100 ms instead of 30 s, so the repair is seen quickly
        start(EnforcerSettings.defaults("n1").withResyncInterval(Duration.ofMillis(100)));
        await().atMost(Duration.ofSeconds(5)).until(() -> table(FIRST).equals(datapath.kernel()));
        datapath.drift();
        await().atMost(Duration.ofSeconds(5)).until(() -> table(FIRST).equals(datapath.kernel()));
        assertThat(loop.repairs()).isEqualTo(1);
        // counters are read every 30 s by default: none read by the applies and resyncs above
        assertThat(datapath.counterReads()).isZero();
    }

    @Test
    void driftIsRepairedWithTheLastGoodRulesWhileTheObjectIsInvalid() {
        source.set(() -> Optional.of(FIRST));
        start(EnforcerSettings.defaults("n1").withResyncInterval(Duration.ofMillis(100)));
        await().atMost(Duration.ofSeconds(5)).until(() -> table(FIRST).equals(datapath.kernel()));
        source.set(() -> Optional.of(withExtraMember(FIRST, "not-an-ip")));
        source.fire();
        await().atMost(Duration.ofSeconds(5)).until(() -> loop.state().lastError() != null);
        datapath.drift();
        await().atMost(Duration.ofSeconds(5)).until(() -> table(FIRST).equals(datapath.kernel()));
    }

    @Test
    void anAnnouncedPodIsHeldUntilTheRuleSetNamesIt() throws Exception {
        PodAnnouncements announced = PodAnnouncements.inMemory();
        source.set(() -> Optional.of(FIRST));
        loop = new EnforcerLoop(EnforcerSettings.defaults("n1"), source, datapath, s -> reports.add(s),
                EnforcerObserver.NONE, NewPodSettings.DEFAULTS, announced).start();
        await().atMost(Duration.ofSeconds(5)).until(() -> table(FIRST).equals(datapath.kernel()));

        long v = announced.put(new PodAnnouncement("c-new", "shop", "new", "eth0", List.of("10.77.0.9", "fd77::9")));
        loop.appliedIncluding(v).get(5, TimeUnit.SECONDS);
        // the ADD returns only now: the kernel's table holds the new pod's addresses in the waiting sets
        assertThat(datapath.kernel()).isEqualTo(RevocationRules.add(FailClosedRules.add(NftablesRenderer.render(FIRST),
                List.of("10.77.0.9", "fd77::9"))));
        assertThat(loop.waitingPods().pods()).extracting(PodAnnouncement::podKey).containsExactly("shop/new");

        // a pod the rule set names (api is not isolated, but listed) is not held; an exempt namespace neither
        long v2 = announced.put(new PodAnnouncement("c-api", "shop", "api", "eth0", List.of("10.77.0.2")));
        long v3 = announced.put(new PodAnnouncement("c-dns", "kube-system", "coredns", "eth0", List.of("10.77.0.53")));
        loop.appliedIncluding(Math.max(v2, v3)).get(5, TimeUnit.SECONDS);
        assertThat(loop.waitingPods().addresses()).containsExactly("10.77.0.9", "fd77::9");

        // the address of shop/api handed to another pod while the rule set still names api: held
        announced.put(new PodAnnouncement("c-reuse", "shop", "reuse", "eth0", List.of("10.77.0.3")));
        await().atMost(Duration.ofSeconds(5)).until(() -> loop.waitingPods().addresses().contains("10.77.0.3"));

        // deleted: released
        announced.remove("c-new");
        announced.remove("c-reuse");
        await().atMost(Duration.ofSeconds(5)).until(() -> table(FIRST).equals(datapath.kernel()));
        assertThat(loop.waitingPods().pods()).isEmpty();
    }

    @Test
    void anAnnouncementIsNotAppliedBeforeTheNodeHasARuleSet() throws Exception {
        PodAnnouncements announced = PodAnnouncements.inMemory();
        loop = new EnforcerLoop(EnforcerSettings.defaults("n1"), source, datapath, s -> reports.add(s),
                EnforcerObserver.NONE, NewPodSettings.DEFAULTS, announced).start();
        long v = announced.put(new PodAnnouncement("c-new", "shop", "new", "eth0", List.of("10.77.0.9")));
        java.util.concurrent.CompletableFuture<Void> added = loop.appliedIncluding(v);
        // nothing published for the node (operator never ran, API unreachable): the kernel is left alone
        // and the ADD keeps waiting (its handler answers "try again later" after its timeout)
        org.awaitility.Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> !added.isDone() && datapath.applied().isEmpty());
        source.set(() -> Optional.of(FIRST));
        source.fire();
        added.get(5, TimeUnit.SECONDS);
        assertThat(datapath.kernel()).isEqualTo(RevocationRules.add(FailClosedRules.add(NftablesRenderer.render(FIRST),
                List.of("10.77.0.9"))));
    }

    @Test
    void failOpenRendersNoHold() throws Exception {
        PodAnnouncements announced = PodAnnouncements.inMemory();
        source.set(() -> Optional.of(FIRST));
        loop = new EnforcerLoop(EnforcerSettings.defaults("n1"), source, datapath, s -> reports.add(s),
                EnforcerObserver.NONE, NewPodSettings.DEFAULTS.withMode(NewPodSettings.Mode.FAIL_OPEN), announced).start();
        loop.appliedIncluding(announced.put(new PodAnnouncement("c", "shop", "new", "eth0", List.of("10.77.0.9"))))
                .get(5, TimeUnit.SECONDS);
        assertThat(datapath.kernel()).isEqualTo(RevocationRules.add(NftablesRenderer.render(FIRST)));
    }

    @Test
    void namedCompletesOnceTheRuleSetInTheKernelNamesThePod() throws Exception {
        PodAnnouncements announced = PodAnnouncements.inMemory();
        source.set(() -> Optional.of(FIRST));
        loop = new EnforcerLoop(EnforcerSettings.defaults("n1"), source, datapath, s -> reports.add(s),
                EnforcerObserver.NONE, NewPodSettings.DEFAULTS, announced).start();
        PodAnnouncement fresh = new PodAnnouncement("c-new", "shop", "new", "eth0", List.of("10.77.0.9"));
        loop.appliedIncluding(announced.put(fresh)).get(5, TimeUnit.SECONDS);
        java.util.concurrent.CompletableFuture<Void> named = loop.named(fresh);
        org.awaitility.Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> !named.isDone());
        // the operator compiles the new pod: a rule set naming shop/new at its address
        ResolvedRuleSet withNew = RuleSetCompiler.compile(SampleClusters.shop().toBuilder()
                .pod(SampleClusters.pod("shop", "new", "n1", Map.of("app", "new"), List.of(), "10.77.0.9")).build())
                .forNode("n1");
        source.set(() -> Optional.of(withNew));
        source.fire();
        named.get(5, TimeUnit.SECONDS);
        assertThat(loop.waitingPods().pods()).isEmpty();
        assertThat(loop.named(new PodAnnouncement("c-api", "shop", "api", "eth0", List.of("10.77.0.2")))).isDone();
        // another pod at a named pod's address is not named (its own rules are not the old pod's)
        assertThat(loop.named(new PodAnnouncement("c-x", "shop", "x", "eth0", List.of("10.77.0.2")))).isNotDone();
    }

    @Test
    void aRemovedAllowRevokesExactlyTheConnectionsTheNewRulesDeny() {
        Conntrack.Entry apiToWeb = entry(1, "10.77.0.2", "10.77.0.1", 8080);
        Conntrack.Entry webToDb = entry(2, "10.77.0.1", "10.77.0.3", 5432);
        datapath.track(apiToWeb);
        datapath.track(webToDb);
        source.set(() -> Optional.of(FIRST));
        start(EnforcerSettings.defaults("n1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> table(FIRST).equals(datapath.kernel()));
        assertThat(datapath.tracked()).containsExactly(apiToWeb, webToDb); // the first apply found nothing to revoke

        ResolvedRuleSet dbClosed = RuleSetCompiler.compile(SampleClusters.shop().toBuilder().policy(new NetworkPolicy("shop",
                "db-ingress", LabelSelector.of("app", "db"), List.of("Ingress"), List.of(), null, Map.of())).build()).forNode("n1");
        source.set(() -> Optional.of(dbClosed));
        source.fire();
        await().atMost(Duration.ofSeconds(5)).until(() -> loop.connectionsRevoked() == 1);
        assertThat(datapath.tracked()).containsExactly(apiToWeb);
        assertThat(datapath.kernel()).isEqualTo(table(dbClosed));
    }

    /**
     * Pods joining through the pod path (no render; the revocation's verdicts derived from the previous ones, not
     * built again): each change revokes exactly the connections the rules in force deny, judged with every pod the
     * earlier changes added.
     */
    @Test
    void podChangesRevokeExactlyTheConnectionsTheNewRulesDeny() {
        Conntrack.Entry apiToWeb = entry(1, "10.77.0.2", "10.77.0.1", 8080);
        Conntrack.Entry webToDb = entry(2, "10.77.0.1", "10.77.0.3", 5432);
        Conntrack.Entry webToCache = entry(3, "10.77.0.1", "10.77.0.9", 6379);
        Conntrack.Entry cacheToCache2 = entry(4, "10.77.0.9", "10.77.0.8", 5432);
        Conntrack.Entry webToCache2 = entry(5, "10.77.0.1", "10.77.0.8", 5432);
        List.of(apiToWeb, webToDb, webToCache, cacheToCache2, webToCache2).forEach(datapath::track);
        source.set(() -> Optional.of(FIRST));
        start(EnforcerSettings.defaults("n1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> table(FIRST).equals(datapath.kernel()));
        assertThat(datapath.tracked()).hasSize(5); // no pod has those addresses yet: nothing to judge

        // a pod joins db's profile (its ingress allows db's peers on 5432-5433 only, its egress DNS only)
        LocalPod db = FIRST.ruleSet().pods().stream().filter(p -> p.name().equals("db")).findFirst().orElseThrow();
        ResolvedRuleSet cache = withPods(FIRST, new LocalPod("shop", "cache", List.of("10.77.0.9"), db.ingressPolicies(),
                db.egressPolicies()));
        source.set(() -> Optional.of(cache));
        source.fire();
        // its connections in both directions: web's to it (ingress) and its own to 10.77.0.8 (egress)
        await().atMost(Duration.ofSeconds(5)).until(() -> loop.connectionsRevoked() == 2);
        assertThat(datapath.tracked()).containsExactly(apiToWeb, webToDb, webToCache2);

        // a second pod joins the same profile: web's connection to it goes exactly when fresh verdicts deny it
        ResolvedRuleSet cache2 = withPods(cache, new LocalPod("shop", "cache2", List.of("10.77.0.8"), db.ingressPolicies(),
                db.egressPolicies()));
        boolean denied = new RevocationVerdicts(cache2).denied(webToCache2);
        source.set(() -> Optional.of(cache2));
        source.fire();
        await().atMost(Duration.ofSeconds(5)).until(() -> loop.syncs() > 0 && table(cache2).equals(datapath.kernel()));
        await().atMost(Duration.ofSeconds(5)).until(() -> loop.connectionsRevoked() == (denied ? 3 : 2));
        assertThat(datapath.tracked()).containsExactlyElementsOf(denied ? List.of(apiToWeb, webToDb)
                : List.of(apiToWeb, webToDb, webToCache2));
        assertThat(datapath.kernel()).isEqualTo(table(cache2));
        assertThat(loop.state().appliedHash()).isEqualTo(cache2.contentHash());
        assertThat(loop.state().ruleSetHash()).isEqualTo(cache2.ruleSet().contentHash());
    }

    private static ResolvedRuleSet withPods(ResolvedRuleSet rs, LocalPod pod) {
        NodeRuleSet n = rs.ruleSet();
        List<LocalPod> pods = new ArrayList<>(n.pods());
        pods.add(pod);
        return new ResolvedRuleSet(new NodeRuleSet(n.node(), n.nodeAddresses(), pods, n.policies(), n.addressSets()),
                rs.addressSets());
    }

    @Test
    void keepLeavesTheConnectionsAndTheTableWithoutTheRevocationRule() {
        Conntrack.Entry webToDb = entry(2, "10.77.0.1", "10.77.0.3", 5432);
        datapath.track(webToDb);
        source.set(() -> Optional.of(FIRST));
        start(EnforcerSettings.defaults("n1").withConnectionRevocation(ConnectionRevocation.KEEP));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> FailClosedRules.add(NftablesRenderer.render(FIRST), List.of()).equals(datapath.kernel()));
        ResolvedRuleSet dbClosed = RuleSetCompiler.compile(SampleClusters.shop().toBuilder().policy(new NetworkPolicy("shop",
                "db-ingress", LabelSelector.of("app", "db"), List.of("Ingress"), List.of(), null, Map.of())).build()).forNode("n1");
        source.set(() -> Optional.of(dbClosed));
        source.fire();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> FailClosedRules.add(NftablesRenderer.render(dbClosed), List.of()).equals(datapath.kernel()));
        assertThat(datapath.tracked()).containsExactly(webToDb);
        assertThat(loop.connectionsRevoked()).isZero();
    }

    private static Conntrack.Entry entry(long id, String from, String to, int port) {
        return new Conntrack.Entry(6, IpAddress.parse(from), 40000 + (int) id, IpAddress.parse(to), port, id, 0, new byte[0]);
    }

    /** The Node's spec.podCIDRs arriving after start (NodePodCidrs): the next apply drops unknown addresses of the range. */
    @Test
    void podCidrsFromTheNodeAreAppliedAtOnce() throws Exception {
        source.set(() -> Optional.of(FIRST));
        loop = new EnforcerLoop(EnforcerSettings.defaults("n1"), source, datapath, s -> reports.add(s),
                EnforcerObserver.NONE, NewPodSettings.DEFAULTS, PodAnnouncements.inMemory()).start();
        await().atMost(Duration.ofSeconds(5)).until(() -> table(FIRST).equals(datapath.kernel()));

        List<dev.netfence.policy.net.Cidr> cidrs = List.of(dev.netfence.policy.net.Cidr.parse("10.77.0.0/24"));
        loop.podCidrs(cidrs);
        NewPodSettings withCidrs = NewPodSettings.DEFAULTS.withPodCidrs(cidrs);
        List<String> known = dev.netfence.enforcer.cni.WaitingPods.known(FIRST.ruleSet(),
                dev.netfence.enforcer.cni.WaitingPods.of(FIRST.ruleSet(), List.of(), withCidrs));
        assertThat(known).as("the rule set's pods are let through").isNotEmpty();
        RenderedTable expected = RevocationRules.add(
                FailClosedRules.add(NftablesRenderer.render(FIRST), List.of(), List.of("10.77.0.0/24"), known));
        await().atMost(Duration.ofSeconds(5)).until(() -> expected.equals(datapath.kernel()));
        assertThat(loop.newPodSettings().podCidrs()).isEqualTo(cidrs);
    }

    private static RenderedTable table(ResolvedRuleSet rs) {
        // the defaults: fail-closed (nobody announced), connection revocation on
        return RevocationRules.add(FailClosedRules.add(NftablesRenderer.render(rs), List.of()));
    }

    static ResolvedRuleSet withExtraMember(ResolvedRuleSet rs, String entry) {
        List<AddressSet> sets = new ArrayList<>();
        for (int i = 0; i < rs.addressSets().size(); i++) {
            AddressSet a = rs.addressSets().get(i);
            List<String> entries = new ArrayList<>(a.entries());
            if (i == 0) {
                entries.add(entry);
            }
            sets.add(new AddressSet(a.name(), entries));
        }
        return new ResolvedRuleSet(rs.ruleSet(), sets);
    }

    /** An in-memory source that notifies like an informer. */
    private static final class Source implements RuleSetSource {
        private volatile Supplier<Optional<ResolvedRuleSet>> current = Optional::empty;
        private volatile Runnable listener = () -> { };

        void set(Supplier<Optional<ResolvedRuleSet>> s) {
            current = s;
        }

        void fire() {
            listener.run();
        }

        @Override
        public Optional<ResolvedRuleSet> current() {
            return current.get();
        }

        @Override
        public String describe() {
            return "test source";
        }

        @Override
        public boolean onChange(Runnable l) {
            listener = l;
            return true;
        }
    }
}
