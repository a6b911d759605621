package dev.netfence.operator;

import static dev.netfence.operator.Fixtures.allowFrom;
import static dev.netfence.operator.Fixtures.defaultDeny;
import static dev.netfence.operator.Fixtures.namespace;
import static dev.netfence.operator.Fixtures.node;
import static dev.netfence.operator.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netfence.crds.AddressSet;
import dev.netfence.crds.DefaultDeny;
import dev.netfence.crds.NodeRuleSet;
import dev.netfence.crds.NodeRuleSetStatus;
import dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy;
import dev.netfence.crds.ruleset.NodeRuleSetConverter;
import dev.netfence.cluster.ClusterInformers;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator against the mock API server in CRUD mode: objects appear, change and disappear with
 * the cluster, only changed objects are written, and a restarted operator rewrites nothing.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class OperatorIT {
    private static final Duration BOUND = Duration.ofSeconds(15);

    @Inject
    KubernetesClient client;

    @Inject
    NetfenceOperator operator;

    @BeforeEach
    void cluster() throws Exception {
        Fixtures.installCrds(client);
        client.resource(namespace("shop", Map.of("team", "shop"))).create();
        client.resource(node("n1", "192.168.0.1")).create();
        client.resource(node("n2", "192.168.0.2")).create();
        client.resource(pod("shop", "web-1", "n1", Map.of("app", "web"), "10.1.0.1")).create();
        client.resource(pod("shop", "web-2", "n2", Map.of("app", "web"), "10.1.0.2")).create();
        client.resource(pod("shop", "api-1", "n1", Map.of("app", "api"), "10.1.0.3")).create();
        client.resource(allowFrom("shop", "web-from-api", "web", "api")).create();
        operator.start();
    }

    @AfterEach
    void stop() {
        operator.stop();
        // the mock server is shared by the tests of this class: start each from an empty cluster
        client.pods().inAnyNamespace().delete();
        client.network().v1().networkPolicies().inAnyNamespace().delete();
        client.resources(DefaultDeny.class).inAnyNamespace().delete();
        client.nodes().delete();
        client.namespaces().delete();
        client.resources(NodeRuleSet.class).delete();
        client.resources(AddressSet.class).delete();
        client.leases().inAnyNamespace().delete();
        client.resources(ClusterNetworkPolicy.class).delete();
    }

    private Map<String, NodeRuleSet> ruleSets() {
        return client.resources(NodeRuleSet.class).list().getItems().stream()
                .collect(Collectors.toMap(r -> r.getMetadata().getName(), r -> r, (a, b) -> a, TreeMap::new));
    }

    private Map<String, AddressSet> addressSets() {
        return client.resources(AddressSet.class).list().getItems().stream()
                .collect(Collectors.toMap(r -> r.getMetadata().getName(), r -> r, (a, b) -> a, TreeMap::new));
    }

    private static Map<String, String> versions(Map<String, ? extends HasMetadata> objects) {
        Map<String, String> out = new TreeMap<>();
        objects.forEach((k, v) -> out.put(k, v.getMetadata().getResourceVersion()));
        return out;
    }

    private static java.util.List<String> isolatedPods(NodeRuleSet rs) {
        // the NodeRuleSet names every local pod (fail-closed until known); isolated ones have policies
        return NodeRuleSetConverter.toModel(rs).pods().stream()
                .filter(p -> !p.ingressPolicies().isEmpty() || !p.egressPolicies().isEmpty())
                .map(p -> p.key()).toList();
    }

    @Test
    void publishesRuleSetsAndFollowsTheCluster() {
        // one NodeRuleSet per node; the web pods are isolated for ingress, allowed from the api pods' set
        await().atMost(BOUND).untilAsserted(() -> {
            Map<String, NodeRuleSet> rs = ruleSets();
            assertThat(rs).containsOnlyKeys("n1", "n2");
            assertThat(isolatedPods(rs.get("n1"))).containsExactly("shop/web-1");
            assertThat(isolatedPods(rs.get("n2"))).containsExactly("shop/web-2");
            assertThat(addressSets()).hasSize(1);
            assertThat(addressSets().values().iterator().next().getSpec().entries).containsExactly("10.1.0.3");
        });

        // a new api pod changes the peer set; n1 and n2 both refer to it
        Map<String, String> before = versions(ruleSets());
        client.resource(pod("shop", "api-2", "n2", Map.of("app", "api"), "10.1.0.4")).create();
        await().atMost(BOUND).untilAsserted(() -> {
            Map<String, AddressSet> sets = addressSets();
            assertThat(sets).hasSize(1);
            assertThat(sets.values().iterator().next().getSpec().entries).containsExactly("10.1.0.3", "10.1.0.4");
            NodeRuleSet n1 = ruleSets().get("n1");
            assertThat(n1.getSpec().addressSets).containsExactly(sets.keySet().iterator().next());
        });

        // relabelling a pod that no policy cares about writes nothing
        Map<String, String> settled = settledVersions();
        client.pods().inNamespace("shop").withName("web-2").edit(p -> {
            p.getMetadata().getLabels().put("version", "2");
            return p;
        });
        await().during(Duration.ofMillis(800)).atMost(BOUND).untilAsserted(() ->
                assertThat(allVersions()).isEqualTo(settled));

        // a new pod no policy selects is named in its node's rule set (the enforcer holds unknown pods
        // fail-closed), and nothing else is written
        client.resource(pod("shop", "db-1", "n2", Map.of("app", "db"), "10.1.0.9")).create();
        await().atMost(BOUND).untilAsserted(() -> assertThat(NodeRuleSetConverter.toModel(ruleSets().get("n2")).pods())
                .anySatisfy(p -> assertThat(p.key()).isEqualTo("shop/db-1")));
        Map<String, String> withDb = settledVersions();
        Map<String, String> others = new TreeMap<>(withDb);
        others.remove("NodeRuleSet/n2");
        Map<String, String> othersBefore = new TreeMap<>(settled);
        othersBefore.remove("NodeRuleSet/n2");
        assertThat(others).isEqualTo(othersBefore);

        // a DefaultDeny isolates every pod of the namespace for egress
        client.resource(defaultDeny("shop", "deny-egress")).create();
        await().atMost(BOUND).untilAsserted(() -> {
            NodeRuleSet n2 = ruleSets().get("n2");
            assertThat(isolatedPods(n2)).containsExactlyInAnyOrder("shop/api-2", "shop/db-1", "shop/web-2");
        });

        // a deleted node's NodeRuleSet is removed once its pods are gone; the peer set shrinks
        client.pods().inNamespace("shop").withName("api-2").delete();
        client.pods().inNamespace("shop").withName("web-2").delete();
        client.pods().inNamespace("shop").withName("db-1").delete();
        client.nodes().withName("n2").delete();
        await().atMost(BOUND).untilAsserted(() -> {
            assertThat(ruleSets()).containsOnlyKeys("n1");
            // the DNS set of the DefaultDeny (empty: no DNS pods here) and the api set
            assertThat(addressSets().values()).anySatisfy(a -> assertThat(a.getSpec().entries).containsExactly("10.1.0.3"));
        });

        // deleting the policy and the DefaultDeny leaves n1 with nothing isolated, and no address sets
        client.network().v1().networkPolicies().inNamespace("shop").withName("web-from-api").delete();
        client.resources(DefaultDeny.class).inNamespace("shop").withName("deny-egress").delete();
        await().atMost(BOUND).untilAsserted(() -> {
            assertThat(ruleSets()).containsOnlyKeys("n1");
            assertThat(isolatedPods(ruleSets().get("n1"))).isEmpty();
            assertThat(addressSets()).isEmpty();
        });
        assertThat(before).isNotEmpty();
    }

    /** Waits until nothing changes for a while, and returns the resource versions then. */
    /**
     * The versions once nothing changed for longer than the realization report interval (status and
     * annotation writes come at most once per {@link OperatorRuntime#REPORT_INTERVAL}, so a shorter quiet
     * window can fall between two writes of one change).
     */
    private Map<String, String> settledVersions() {
        Duration quiet = OperatorRuntime.REPORT_INTERVAL.plusMillis(500);
        Map<String, String>[] last = new Map[] {allVersions()};
        long[] changed = {System.nanoTime()};
        await().atMost(BOUND).pollInterval(Duration.ofMillis(300)).until(() -> {
            Map<String, String> now = allVersions();
            if (!now.equals(last[0])) {
                last[0] = now;
                changed[0] = System.nanoTime();
            }
            return System.nanoTime() - changed[0] >= quiet.toNanos();
        });
        return last[0];
    }

    private Map<String, String> allVersions() {
        Map<String, String> v = new TreeMap<>();
        versions(ruleSets()).forEach((k, x) -> v.put("NodeRuleSet/" + k, x));
        versions(addressSets()).forEach((k, x) -> v.put("AddressSet/" + k, x));
        client.resources(DefaultDeny.class).inAnyNamespace().list().getItems().forEach(d ->
                v.put("DefaultDeny/" + d.getMetadata().getNamespace() + "/" + d.getMetadata().getName(),
                        d.getMetadata().getResourceVersion()));
        return v;
    }

    @Test
    void aRestartedOperatorConvergesWithoutRewritingUnchangedObjects() {
        // a DefaultDeny the change below does not touch: its status must not be rewritten either
        client.resource(namespace("ops", Map.of())).create();
        client.resource(pod("ops", "cron-1", "n2", Map.of("app", "cron"), "10.1.1.1")).create();
        client.resource(defaultDeny("ops", "deny-egress")).create();
        await().atMost(BOUND).untilAsserted(() -> {
            assertThat(ruleSets()).containsOnlyKeys("n1", "n2");
            assertThat(client.resources(DefaultDeny.class).inNamespace("ops").withName("deny-egress").get().getStatus()
                    .conditions).isNotEmpty();
        });
        Map<String, String> settled = settledVersions();

        operator.stop();
        // while it is down, the cluster changes on n1 only
        client.resource(pod("shop", "web-3", "n1", Map.of("app", "web"), "10.1.0.5")).create();
        operator.start();

        await().atMost(BOUND).untilAsserted(() ->
                assertThat(isolatedPods(ruleSets().get("n1"))).containsExactly("shop/web-1", "shop/web-3"));
        Map<String, String> after = settledVersions();
        assertThat(after.get("NodeRuleSet/n1")).isNotEqualTo(settled.get("NodeRuleSet/n1"));
        // n2, the address set and the status of the DefaultDeny in ops were not rewritten
        Map<String, String> untouched = new TreeMap<>(after);
        untouched.remove("NodeRuleSet/n1");
        Map<String, String> expected = new TreeMap<>(settled);
        expected.remove("NodeRuleSet/n1");
        assertThat(untouched).isEqualTo(expected);
    }

    @Test
    void defaultDenyStatusFollowsTheEnforcers() {
        client.resource(defaultDeny("shop", "deny-egress")).create();
        await().atMost(BOUND).untilAsserted(() -> {
            DefaultDeny dd = client.resources(DefaultDeny.class).inNamespace("shop").withName("deny-egress").get();
            assertThat(dd.getStatus()).isNotNull();
            assertThat(dd.getStatus().selectedPods).isEqualTo(3);
            assertThat(dd.getStatus().nodesDesired).isEqualTo(2);
            assertThat(dd.getStatus().nodesRealized).isZero();
            assertThat(dd.getStatus().conditions).anySatisfy(c -> {
                assertThat(c.type).isEqualTo("Enforced");
                assertThat(c.status).isEqualTo("False");
                assertThat(c.reason).isEqualTo("Pending");
            });
            assertThat(dd.getStatus().conditions).anySatisfy(c -> {
                assertThat(c.type).isEqualTo("Ready");
                assertThat(c.reason).isEqualTo("Compiled");
            });
        });

        // the enforcers report: n1 applied the current rule set, n2 failed
        reportApplied("n1", null);
        reportApplied("n2", "nftables: Error: Could not process rule");
        await().atMost(BOUND).untilAsserted(() -> {
            DefaultDeny dd = client.resources(DefaultDeny.class).inNamespace("shop").withName("deny-egress").get();
            assertThat(dd.getStatus().nodesRealized).isEqualTo(1);
            assertThat(dd.getStatus().conditions).anySatisfy(c -> {
                assertThat(c.type).isEqualTo("Enforced");
                assertThat(c.reason).isEqualTo("ApplyFailed");
                assertThat(c.message).contains("n2").contains("Could not process rule");
            });
            String annotation = client.network().v1().networkPolicies().inNamespace("shop").withName("web-from-api").get()
                    .getMetadata().getAnnotations().get(ClusterInformers.REALIZATION_ANNOTATION);
            assertThat(annotation).startsWith("Failed: 1/2 nodes, 2 pods");
        });

        reportApplied("n2", null);
        await().atMost(BOUND).untilAsserted(() -> {
            DefaultDeny dd = client.resources(DefaultDeny.class).inNamespace("shop").withName("deny-egress").get();
            assertThat(dd.getStatus().nodesRealized).isEqualTo(2);
            assertThat(dd.getStatus().observedGeneration).isEqualTo(dd.getMetadata().getGeneration());
            assertThat(dd.getStatus().conditions).anySatisfy(c -> {
                assertThat(c.type).isEqualTo("Enforced");
                assertThat(c.status).isEqualTo("True");
                assertThat(c.reason).isEqualTo("Enforced");
            });
            assertThat(client.network().v1().networkPolicies().inNamespace("shop").withName("web-from-api").get()
                    .getMetadata().getAnnotations().get(ClusterInformers.REALIZATION_ANNOTATION))
                    .isEqualTo("Enforced: 2/2 nodes, 2 pods");
        });

        // nothing changes any more: the worker keeps reporting (status resync 1 s) but the status is not rewritten
        String version = client.resources(DefaultDeny.class).inNamespace("shop").withName("deny-egress").get()
                .getMetadata().getResourceVersion();
        await().during(Duration.ofMillis(2500)).atMost(BOUND).untilAsserted(() ->
                assertThat(client.resources(DefaultDeny.class).inNamespace("shop").withName("deny-egress").get()
                        .getMetadata().getResourceVersion()).isEqualTo(version));
    }

    @Test
    void onlyTheLeaderWritesStatuses() {
        await().atMost(BOUND).untilAsserted(() -> assertThat(ruleSets()).containsOnlyKeys("n1", "n2"));
        operator.stop();
        // another replica holds the lease (once the stopped operator released its own: fabric8 shortens it to 1 s)
        await().atMost(BOUND).until(() -> {
            Lease l = client.leases().inNamespace("netfence-system").withName("netfence-operator").get();
            return l == null || l.getSpec().getLeaseDurationSeconds() == 1;
        });
        client.leases().inNamespace("netfence-system").withName("netfence-operator").delete();
        client.resource(new LeaseBuilder().withNewMetadata().withNamespace("netfence-system").withName("netfence-operator")
                .endMetadata().withNewSpec().withHolderIdentity("other-replica").withLeaseDurationSeconds(3600)
                .withAcquireTime(ZonedDateTime.now()).withRenewTime(ZonedDateTime.now()).endSpec().build()).create();
        operator.start();

        client.resource(defaultDeny("shop", "deny-egress")).create();
        // (a DefaultDeny is created with an empty status: no conditions until the operator writes them)
        await().during(Duration.ofMillis(2500)).atMost(BOUND).untilAsserted(() ->
                assertThat(client.resources(DefaultDeny.class).inNamespace("shop").withName("deny-egress").get().getStatus()
                        .conditions).isNullOrEmpty());

        // the other replica is gone and its lease with it: this one leads and writes the status it held back
        client.leases().inNamespace("netfence-system").withName("netfence-operator").delete();
        await().atMost(BOUND).untilAsserted(() -> {
            DefaultDeny dd = client.resources(DefaultDeny.class).inNamespace("shop").withName("deny-egress").get();
            assertThat(dd.getStatus().conditions).isNotEmpty();
            assertThat(dd.getStatus().selectedPods).isEqualTo(3);
        });
    }

    @Test
    void anInvalidDefaultDenyIsReportedAndDoesNotStopTheOthers() {
        DefaultDeny bad = defaultDeny("shop", "typo");
        bad.getSpec().exemptPodSelector = new io.fabric8.kubernetes.api.model.LabelSelectorBuilder()
                .addNewMatchExpression().withKey("app").withOperator("Within").withValues("api").endMatchExpression().build();
        client.resource(bad).create();
        await().atMost(BOUND).untilAsserted(() -> {
            DefaultDeny dd = client.resources(DefaultDeny.class).inNamespace("shop").withName("typo").get();
            assertThat(dd.getStatus()).isNotNull();
            assertThat(dd.getStatus().conditions).anySatisfy(c -> {
                assertThat(c.type).isEqualTo("Ready");
                assertThat(c.status).isEqualTo("False");
                assertThat(c.reason).isEqualTo("InvalidSpec");
                assertThat(c.message).contains("spec.exemptPodSelector").contains("Within");
            });
            // nothing of it is enforced, and the rest of the cluster is still published
            assertThat(isolatedPods(ruleSets().get("n1"))).containsExactly("shop/web-1");
        });
        // a later pod still reaches the rule sets: the sync is not stuck on the bad object
        client.resource(pod("shop", "web-9", "n1", Map.of("app", "web"), "10.1.0.9")).create();
        await().atMost(BOUND).untilAsserted(() ->
                assertThat(isolatedPods(ruleSets().get("n1"))).containsExactly("shop/web-1", "shop/web-9"));
    }

    private ClusterNetworkPolicy clusterPolicy(String name) {
        return client.resources(ClusterNetworkPolicy.class).withName(name).get();
    }

    private static dev.netfence.crds.Condition condition(ClusterNetworkPolicy cnp, String type) {
        assertThat(cnp.getStatus()).isNotNull();
        assertThat(cnp.getStatus().conditions).isNotNull();
        return cnp.getStatus().conditions.stream().filter(c -> c.type.equals(type)).findFirst()
                .orElseThrow(() -> new AssertionError("no condition " + type + " in " + cnp.getStatus().conditions));
    }

    /**
     * Issue 16: a ClusterNetworkPolicy created in the API reaches the NodeRuleSets of the nodes running the pods its
     * subject selects (each pod's clusterEgress, the policy's tier, priority and rules), and its status says it was
     * accepted and, once the enforcers report the rule sets applied, enforced; unchanged, it is not rewritten; a
     * refused version keeps the last valid one in force and says why.
     */
    @Test
    void aClusterNetworkPolicyIsPublishedAndItsStatusFollowsTheEnforcers() {
        String id = "ClusterNetworkPolicy/deny-metadata/Egress";
        client.resource(Fixtures.denyMetadata(client, "deny-metadata", "shop")).create();
        await().atMost(BOUND).untilAsserted(() -> {
            Map<String, NodeRuleSet> published = ruleSets();
            assertThat(published).containsOnlyKeys("n1", "n2");
            for (String node : java.util.List.of("n1", "n2")) {
                var rs = NodeRuleSetConverter.toModel(published.get(node));
                assertThat(rs.pods()).isNotEmpty().allSatisfy(p -> assertThat(p.clusterEgress()).containsExactly(id));
                assertThat(rs.policies()).anySatisfy(p -> {
                    assertThat(p.id()).isEqualTo(id);
                    assertThat(p.tier()).isEqualTo(dev.netfence.policy.model.Tier.ADMIN);
                    assertThat(p.priority()).isEqualTo(10);
                    assertThat(p.rules()).singleElement().satisfies(r -> {
                        assertThat(r.action()).isEqualTo(dev.netfence.policy.model.RuleAction.DENY);
                        assertThat(r.name()).isEqualTo("deny-cloud-metadata");
                    });
                });
            }
        });
        await().atMost(BOUND).untilAsserted(() -> {
            ClusterNetworkPolicy cnp = clusterPolicy("deny-metadata");
            assertThat(condition(cnp, "Accepted").status).isEqualTo("True");
            assertThat(condition(cnp, "Accepted").observedGeneration).isEqualTo(cnp.getMetadata().getGeneration());
            assertThat(condition(cnp, "netfence.dev/Enforced").reason).isEqualTo("Pending");
            assertThat(condition(cnp, "netfence.dev/Enforced").message).isEqualTo("0 of 2 nodes applied the current rule set");
        });

        // the enforcers report the current rule sets applied
        reportApplied("n1", null);
        reportApplied("n2", null);
        await().atMost(BOUND).untilAsserted(() -> {
            ClusterNetworkPolicy cnp = clusterPolicy("deny-metadata");
            assertThat(condition(cnp, "netfence.dev/Enforced").status).isEqualTo("True");
            assertThat(condition(cnp, "netfence.dev/Enforced").reason).isEqualTo("Enforced");
            assertThat(condition(cnp, "netfence.dev/Enforced").message).isEqualTo("enforced on all 2 nodes running the 3 pods its subject selects");
        });

        // nothing changes any more: reports go on (at least once a second) but the status is not rewritten
        String version = clusterPolicy("deny-metadata").getMetadata().getResourceVersion();
        await().during(Duration.ofMillis(2500)).atMost(BOUND).untilAsserted(() ->
                assertThat(clusterPolicy("deny-metadata").getMetadata().getResourceVersion()).isEqualTo(version));

        // a refused version (the mock server checks no schema; upstream's CRD would refuse it too): the last valid one stays
        long generation = clusterPolicy("deny-metadata").getMetadata().getGeneration();
        String ruleSetN1 = ruleSets().get("n1").getSpec().contentHash;
        client.resources(ClusterNetworkPolicy.class).withName("deny-metadata").edit(c -> {
            c.getSpec().priority = 2000;
            return c;
        });
        await().atMost(BOUND).untilAsserted(() -> {
            ClusterNetworkPolicy cnp = clusterPolicy("deny-metadata");
            assertThat(cnp.getMetadata().getGeneration()).isGreaterThan(generation);
            assertThat(condition(cnp, "Accepted").status).isEqualTo("False");
            assertThat(condition(cnp, "Accepted").reason).isEqualTo("Invalid");
            assertThat(condition(cnp, "Accepted").message).isEqualTo("spec.priority: must be between 0 and 1000, inclusive "
                    + "(got 2000) (generation " + generation + ", the last valid version, stays in force)");
            assertThat(condition(cnp, "Accepted").observedGeneration).isEqualTo(cnp.getMetadata().getGeneration());
            assertThat(condition(cnp, "netfence.dev/Enforced").observedGeneration).isEqualTo(generation);
            assertThat(condition(cnp, "netfence.dev/Enforced").reason).isEqualTo("Enforced");
        });
        assertThat(ruleSets().get("n1").getSpec().contentHash).as("the version in force did not change").isEqualTo(ruleSetN1);

        // deleted: out of the rule sets
        client.resources(ClusterNetworkPolicy.class).withName("deny-metadata").delete();
        await().atMost(BOUND).untilAsserted(() -> assertThat(NodeRuleSetConverter.toModel(ruleSets().get("n1")).pods())
                .allSatisfy(p -> assertThat(p.clusterEgress()).isEmpty()));

        // refused from its first version: nothing of it is enforced, it says why, and the sync goes on
        ClusterNetworkPolicy typo = Fixtures.denyMetadata(client, "typo", "shop");
        typo.getSpec().tier = "Middle";
        client.resource(typo).create();
        await().atMost(BOUND).untilAsserted(() -> {
            ClusterNetworkPolicy cnp = clusterPolicy("typo");
            assertThat(condition(cnp, "Accepted").reason).isEqualTo("Invalid");
            assertThat(condition(cnp, "Accepted").message).isEqualTo("spec.tier: unsupported value \"Middle\": supported values "
                    + "are \"Admin\" and \"Baseline\" (no version of it was valid: nothing of it is enforced)");
            assertThat(condition(cnp, "netfence.dev/Enforced").reason).isEqualTo("NotAccepted");
        });
        client.resource(pod("shop", "web-9", "n1", Map.of("app", "web"), "10.1.0.9")).create();
        await().atMost(BOUND).untilAsserted(() -> assertThat(isolatedPods(ruleSets().get("n1"))).contains("shop/web-9"));
        assertThat(NodeRuleSetConverter.toModel(ruleSets().get("n1")).pods()).allSatisfy(p -> assertThat(p.clusterEgress()).isEmpty());
    }

    /** What an enforcer does after an apply: write the NodeRuleSet status. */
    private void reportApplied(String node, String error) {
        NodeRuleSet rs = client.resources(NodeRuleSet.class).withName(node).get();
        NodeRuleSetStatus st = new NodeRuleSetStatus();
        if (error == null) {
            st.appliedHash = rs.getSpec().contentHash;
            st.appliedTime = "2026-11-27T00:00:00Z";
        } else {
            st.error = error;
        }
        rs.setStatus(st);
        client.resource(rs).updateStatus();
    }
}
