package dev.netfence.operator;

import static dev.netfence.operator.Fixtures.allowFrom;
import static dev.netfence.operator.Fixtures.coreDns;
import static dev.netfence.operator.Fixtures.defaultDeny;
import static dev.netfence.operator.Fixtures.namespace;
import static dev.netfence.operator.Fixtures.node;
import static dev.netfence.operator.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netfence.cluster.ClusterInformers;
import dev.netfence.cluster.ClusterSettings;
import dev.netfence.crds.AddressSet;
import dev.netfence.crds.NodeRuleSet;
import dev.netfence.crds.NodeRuleSetStatus;
import dev.netfence.crds.ruleset.NodeRuleSetConverter;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator core's control loop against fabric8's mock API server in CRUD mode, constructed
 * with the production defaults ({@link OperatorSettings#DEFAULTS}); where a test needs another
 * value it sets it in the settings, as a user would set the key, and says why.
 */
class OperatorLoopIT {
    private static final Duration BOUND = Duration.ofSeconds(20);

    private MockApi api;
    private KubernetesClient client;
    private final List<OperatorRuntime> runtimes = new ArrayList<>();

    @BeforeEach
    void cluster() {
        api = new MockApi();
        client = api.client();
        client.resource(namespace("shop", Map.of("team", "shop"))).create();
        client.resource(namespace("kube-system", Map.of())).create();
        for (int i = 1; i <= 3; i++) {
            client.resource(node("n" + i, "192.168.0." + i)).create();
        }
        client.resource(pod("shop", "web-1", "n1", Map.of("app", "web"), "10.1.0.1")).create();
        client.resource(pod("shop", "web-2", "n2", Map.of("app", "web"), "10.1.0.2")).create();
        client.resource(pod("shop", "api-1", "n3", Map.of("app", "api"), "10.1.0.3")).create();
        client.resource(coreDns("coredns-1", "n3", "10.1.9.1")).create();
        client.resource(allowFrom("shop", "web-from-api", "web", "api")).create();
        client.resource(defaultDeny("shop", "deny-egress")).create();
    }

    @AfterEach
    void stop() {
        runtimes.forEach(OperatorRuntime::stop);
        api.close();
    }

    /** One replica (no Lease), otherwise the production defaults. */
    private static OperatorSettings single() {
        return OperatorSettings.DEFAULTS.withLeaderElection(OperatorSettings.LeaderElection.DEFAULTS.disabled());
    }

    private OperatorRuntime start(OperatorSettings settings) {
        OperatorRuntime r = new OperatorRuntime(client, settings, new SimpleMeterRegistry());
        runtimes.add(r);
        r.start();
        return r;
    }

    private Map<String, NodeRuleSet> ruleSets() {
        return client.resources(NodeRuleSet.class).list().getItems().stream()
                .collect(Collectors.toMap(r -> r.getMetadata().getName(), r -> r, (a, b) -> a, TreeMap::new));
    }

    private Map<String, AddressSet> addressSets() {
        return client.resources(AddressSet.class).list().getItems().stream()
                .collect(Collectors.toMap(r -> r.getMetadata().getName(), r -> r, (a, b) -> a, TreeMap::new));
    }

    private static List<String> isolatedPods(NodeRuleSet rs) {
        return NodeRuleSetConverter.toModel(rs).pods().stream().map(p -> p.key()).toList();
    }

    private void awaitPublished() {
        await().atMost(BOUND).untilAsserted(() -> {
            assertThat(ruleSets()).containsOnlyKeys("n1", "n2", "n3");
            assertThat(isolatedPods(ruleSets().get("n1"))).containsExactly("shop/web-1");
        });
    }

    /** The DNS carve-out's AddressSet: the set a DefaultDeny's spec.allowDNS rule refers to. */
    private List<String> dnsEntries() {
        NodeRuleSet n1 = ruleSets().get("n1");
        String set = n1.getSpec().policies.stream().filter(p -> "DefaultDeny".equals(p.kind))
                .flatMap(p -> p.rules.stream()).filter(r -> "spec.allowDNS".equals(r.fieldPath))
                .flatMap(r -> r.peers.stream()).findFirst().orElseThrow();
        return addressSets().get(set).getSpec().entries;
    }

    private void reportApplied(String node) {
        NodeRuleSet rs = client.resources(NodeRuleSet.class).withName(node).get();
        NodeRuleSetStatus st = new NodeRuleSetStatus();
        st.appliedHash = rs.getSpec().contentHash;
        st.appliedTime = "2026-12-01T00:00:00Z";
        rs.setStatus(st);
        client.resource(rs).updateStatus();
    }

    @Test
    void aStandbyReplicaStaysIdleAfterEvents() throws Exception {
        // another replica holds the Lease for the whole test
        client.resource(new LeaseBuilder().withNewMetadata().withNamespace("netfence-system").withName("netfence-operator")
                .endMetadata().withNewSpec().withHolderIdentity("other-replica").withLeaseDurationSeconds(3600)
                .withAcquireTime(ZonedDateTime.now()).withRenewTime(ZonedDateTime.now()).endSpec().build()).create();
        OperatorRuntime standby = start(OperatorSettings.DEFAULTS.withLeaderElection(
                OperatorSettings.LeaderElection.DEFAULTS.withLease("netfence-system", "standby")));
        await().atMost(BOUND).until(standby::ready);
        // events: pods come and go, a policy changes
        for (int i = 0; i < 40; i++) {
            client.resource(pod("shop", "batch-" + i, "n" + (1 + i % 3), Map.of("app", "web"), "10.1.1." + (i + 1))).create();
        }
        await().atMost(BOUND).until(() -> standby.model().podCount() == 44);

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuBefore = syncThreadCpu(standby, threads);
        long wallBefore = System.nanoTime();
        for (int i = 0; i < 40; i++) {
            client.pods().inNamespace("shop").withName("batch-" + i).delete();
        }
        // 5 s after the events: the standby never compiles nor runs a sync at any moment of it
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
                .until(() -> standby.sync().compiles() == 0 && standby.runner().runs() == 0);
        long cpu = syncThreadCpu(standby, threads) - cpuBefore;
        double share = cpu / (double) (System.nanoTime() - wallBefore);

        assertThat(standby.leader()).isFalse();
        assertThat(standby.sync().compiles()).as("compiles on the standby").isZero();
        assertThat(standby.runner().runs()).as("sync runs on the standby").isZero();
        // loosely: the sync thread did (next to) nothing in 5 s; a busy loop would be ~100% of a core
        assertThat(share).as("CPU share of the standby's sync thread").isLessThan(0.01);
        assertThat(ruleSets()).isEmpty();
    }

    /** CPU time of the runtime's sync thread (0 while it was never started: nothing ran). */
    private static long syncThreadCpu(OperatorRuntime r, ThreadMXBean threads) {
        Thread t = r.runner().thread();
        return t == null ? 0 : Math.max(0, threads.getThreadCpuTime(t.getId()));
    }

    @Test
    void aBurstOfChangesIsOneCompile() {
        // debounce 3 s instead of 100 ms: creating the burst's 25 pods through the mock server takes longer than
        // 100 ms on a loaded 2-core machine, and the burst must fall inside one debounce interval
        OperatorRuntime r = start(single().withDebounce(Duration.ofSeconds(3)));
        awaitPublished();
        long[] settled = {-1};
        await().atMost(BOUND).pollInterval(Duration.ofMillis(3500)).until(() -> {
            long c = r.sync().compiles();
            boolean same = c == settled[0];
            settled[0] = c;
            return same;
        });
        long before = r.sync().compiles();
        long started = System.nanoTime();
        for (int i = 0; i < 25; i++) {
            client.resource(pod("shop", "burst-" + i, "n" + (1 + i % 3), Map.of("app", "api"), "10.1.2." + (i + 1))).create();
        }
        long burst = System.nanoTime() - started;
        await().atMost(BOUND).untilAsserted(() -> assertThat(addressSets().values())
                .anySatisfy(a -> assertThat(a.getSpec().entries).hasSize(26)));
        // the debounce is a minimum interval between runs: one compile per started 3 s of the burst at most (one when
        // the machine creates the 25 pods within 3 s, as it does unless heavily loaded)
        long allowed = 1 + burst / Duration.ofSeconds(3).toNanos();
        assertThat(r.sync().compiles() - before).as("compiles for a burst of 25 pod creations taking %d ms",
                burst / 1_000_000).isBetween(1L, allowed);
    }

    @Test
    void theSteadyStateWritesNothing() throws Exception {
        // leader election on (production defaults) and a full repair pass every 5 s instead of 60 s,
        // so the 30 s below include six of them
        OperatorRuntime r = start(OperatorSettings.DEFAULTS.withResync(Duration.ofSeconds(5))
                .withLeaderElection(OperatorSettings.LeaderElection.DEFAULTS.withLease("netfence-system", "operator-0")));
        awaitPublished();
        await().atMost(BOUND).until(r::leader);
        // the enforcers report: every node applied its rule set
        for (String n : List.of("n1", "n2", "n3")) {
            reportApplied(n);
        }
        await().atMost(BOUND).untilAsserted(() -> assertThat(client.network().v1().networkPolicies().inNamespace("shop")
                .withName("web-from-api").get().getMetadata().getAnnotations())
                .containsEntry(ClusterInformers.REALIZATION_ANNOTATION, "Enforced: 2/2 nodes, 2 pods"));
        // settled: no write but the Lease's for 1 s (the annotation's own watch event is handled)
        long[] last = {-1};
        await().during(Duration.ofSeconds(1)).atMost(BOUND).until(() -> {
            long n = api.writes().stream().filter(w -> !w.isLease()).count();
            boolean same = n == last[0];
            last[0] = n;
            return same;
        });
        int before = api.writes().size();
        // 30 s of steady state: no write but the Lease's heartbeat at any moment of it
        await().during(Duration.ofSeconds(30)).atMost(Duration.ofSeconds(40)).until(() -> api.writes()
                .subList(before, api.writes().size()).stream().allMatch(MockApi.Write::isLease));
        List<MockApi.Write> window = api.writes().subList(before, api.writes().size());
        // Lease renewals are the leader election's heartbeat (every 2 s by default), not the operator's output
        assertThat(window.stream().filter(w -> !w.isLease()).toList()).as("writes in 30 s of steady state").isEmpty();
        assertThat(window.stream().filter(MockApi.Write::isLease).count()).as("Lease renewals").isPositive();
        assertThat(r.runner().runs()).as("full repair passes ran").isGreaterThan(5);
    }

    @Test
    void aHandEditWithTheHashLeftUnchangedIsPutBack() {
        start(single());
        awaitPublished();
        NodeRuleSet n1 = client.resources(NodeRuleSet.class).withName("n1").get();
        String hash = n1.getSpec().contentHash;
        // remove the web pod from the rule set (its isolation) and leave spec.contentHash as it was
        n1.getSpec().pods = new ArrayList<>();
        client.resources(NodeRuleSet.class).withName("n1").patch(n1);
        await().atMost(BOUND).untilAsserted(() -> {
            NodeRuleSet now = client.resources(NodeRuleSet.class).withName("n1").get();
            assertThat(isolatedPods(now)).containsExactly("shop/web-1");
            assertThat(now.getSpec().contentHash).isEqualTo(hash);
            assertThat(NodeRuleSetConverter.toModel(now).contentHash()).isEqualTo(hash);
        });
        // the same for an AddressSet: an entry added by hand goes
        AddressSet api = addressSets().values().stream().filter(a -> a.getSpec().entries.contains("10.1.0.3")).findFirst()
                .orElseThrow();
        api.getSpec().entries = new ArrayList<>(List.of("10.1.0.3", "0.0.0.0/0"));
        client.resources(AddressSet.class).withName(api.getMetadata().getName()).patch(api);
        await().atMost(BOUND).untilAsserted(() -> assertThat(client.resources(AddressSet.class)
                .withName(api.getMetadata().getName()).get().getSpec().entries).containsExactly("10.1.0.3"));
    }

    @Test
    void changingTheDnsSettingChangesTheCompiledCarveOut() {
        OperatorRuntime first = start(single());
        awaitPublished();
        await().atMost(BOUND).untilAsserted(() -> assertThat(dnsEntries()).containsExactly("10.1.9.1"));

        // the user sets NETFENCE_CLUSTER_DNS_IPS in the ConfigMap netfence-cluster-settings and restarts the operator
        first.stop();
        runtimes.remove(first);
        start(single().withCluster(ClusterSettings.of(Map.of(ClusterSettings.DNS_IPS, "169.254.20.10"))));
        await().atMost(BOUND).untilAsserted(() -> assertThat(dnsEntries()).containsExactly("10.1.9.1", "169.254.20.10"));
        // the carve-out opens the DNS ports towards it, as the webhook's DNS check assumes
        NodeRuleSet n1 = ruleSets().get("n1");
        assertThat(n1.getSpec().policies.stream().flatMap(p -> p.rules.stream()).filter(r -> "spec.allowDNS".equals(r.fieldPath))
                .flatMap(r -> r.ports.stream()).map(p -> p.protocol + "/" + p.first)).containsExactlyInAnyOrder("UDP/53", "TCP/53");
        // and the set of the old definition is gone
        await().atMost(BOUND).untilAsserted(() -> assertThat(addressSets().values())
                .noneSatisfy(a -> assertThat(a.getSpec().entries).containsExactly("10.1.9.1")));
    }

    @Test
    void theWebhookDownDoesNotFailTheSync() {
        // the API server cannot reach the admission webhook (failurePolicy: Fail): writes of NetworkPolicies fail with 500
        api.refuse(req -> req.getPath().contains("/networkpolicies/"));
        OperatorRuntime r = start(single());
        awaitPublished();
        await().atMost(BOUND).until(() -> r.reporter().annotationFailures() > 0);
        assertThat(r.lastSyncFailed()).isFalse();
        assertThat(r.live()).isTrue();
        // the sync goes on: a new pod reaches its node's rule set
        client.resource(pod("shop", "web-3", "n2", Map.of("app", "web"), "10.1.0.4")).create();
        await().atMost(BOUND).untilAsserted(() ->
                assertThat(isolatedPods(ruleSets().get("n2"))).containsExactly("shop/web-2", "shop/web-3"));
        assertThat(r.lastSyncFailed()).isFalse();
        // once the webhook is back, the annotation is written on the next report
        api.refuse(req -> false);
        reportApplied("n1");
        await().atMost(BOUND).untilAsserted(() -> assertThat(client.network().v1().networkPolicies().inNamespace("shop")
                .withName("web-from-api").get().getMetadata().getAnnotations())
                .containsKey(ClusterInformers.REALIZATION_ANNOTATION));
    }
}
