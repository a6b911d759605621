package dev.netfence.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netfence.cluster.ClusterChange.Kind;
import dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy;
import dev.netfence.policy.model.ClusterDelta;
import dev.netfence.policy.model.Tier;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ClusterNetworkPolicies from the API server into the cluster model (mock API server in CRUD mode,
 * the CRD generated from crds/' classes): a valid one is in the snapshot and in the keyed changes; a
 * refused version keeps the last valid one in force with the reason (field path and what is wrong);
 * a deletion removes it; without the CRD (or with another version served) no informer runs, the
 * model is complete without them and says why.
 */
@EnableKubernetesMockClient(crud = true)
class ClusterPolicyInformerTest {
    private static final Duration BOUND = Duration.ofSeconds(15);

    KubernetesClient client;
    ClusterInformers informers;

    @AfterEach
    void stop() {
        if (informers != null) {
            informers.stop();
        }
    }

    static ClusterNetworkPolicy cnp(KubernetesClient client, String name, String tier, int priority) {
        String yaml = """
                apiVersion: policy.networking.k8s.io/v1beta1
                kind: ClusterNetworkPolicy
                metadata:
                  name: %s
                spec:
                  tier: %s
                  priority: %d
                  subject:
                    namespaces: {}
                  egress:
                    - name: deny-metadata
                      action: Deny
                      to:
                        - networks: ["169.254.169.254/32"]
                """.formatted(name, tier, priority);
        return client.getKubernetesSerialization().unmarshal(yaml, ClusterNetworkPolicy.class);
    }

    private ClusterModel startWithCrd() {
        CustomResourceDefinition crd = ClusterPolicyCrdCheckTest.crd();
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
        return start();
    }

    private ClusterModel start() {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build()).create();
        ClusterModel model = new ClusterModel(ClusterSettings.DEFAULTS);
        informers = new ClusterInformers(client, model, EnumSet.of(Kind.NAMESPACE, Kind.CLUSTER_NETWORK_POLICY));
        informers.start();
        await().atMost(BOUND).until(informers::synced);
        return model;
    }

    @Test
    void aValidPolicyIsInTheSnapshotAndTheChanges() {
        client.resource(cnp(client, "guard", "Admin", 10)).create();
        ClusterModel model = startWithCrd();
        assertThat(informers.clusterPolicyCrd().status()).isEqualTo(ClusterPolicyCrdCheck.Status.SERVED);
        assertThat(informers.clusterPolicyStore()).isNotNull();
        await().atMost(BOUND).untilAsserted(() -> assertThat(model.snapshot().clusterPolicy("guard")).hasValueSatisfying(p -> {
            assertThat(p.tier()).isEqualTo(Tier.ADMIN);
            assertThat(p.priority()).isEqualTo(10);
            assertThat(p.egress()).hasSize(1);
        }));
        assertThat(model.clusterPolicyGeneration("guard")).isEqualTo(
                client.resources(ClusterNetworkPolicy.class).withName("guard").get().getMetadata().getGeneration());

        // a change reaches a consumer as one keyed change and as the engine's delta
        ChangeCollector collector = new ChangeCollector(() -> { });
        model.addListener(collector);
        client.resource(cnp(client, "baseline", "Baseline", 1000)).create();
        await().atMost(BOUND).until(() -> !collector.isEmpty());
        ClusterModel.Update u = model.update(collector);
        assertThat(u.changes().of(Kind.CLUSTER_NETWORK_POLICY)).containsExactly("baseline");
        ClusterDelta d = u.delta();
        assertThat(d.clusterPolicies()).containsOnlyKeys("baseline");
        assertThat(u.snapshot().clusterPolicies(Tier.BASELINE)).extracting(p -> p.name()).containsExactly("baseline");

        // deleted: out of the snapshot, and a removal in the delta
        client.resources(ClusterNetworkPolicy.class).withName("baseline").delete();
        await().atMost(BOUND).until(() -> model.snapshot().clusterPolicy("baseline").isEmpty());
        ClusterModel.Update gone = model.update(collector);
        assertThat(gone.delta().removedClusterPolicies()).containsExactly("baseline");
        assertThat(model.clusterPolicyNames()).containsExactly("guard");
    }

    @Test
    void aRefusedVersionKeepsTheLastValidOneWithTheReason() {
        ClusterModel model = startWithCrd();
        client.resource(cnp(client, "guard", "Admin", 10)).create();
        await().atMost(BOUND).until(() -> model.snapshot().clusterPolicy("guard").isPresent());
        long generation = model.clusterPolicyGeneration("guard");

        // the validator refuses what upstream's CRD schema refuses (the mock server does not check schemas)
        client.resources(ClusterNetworkPolicy.class).withName("guard").edit(c -> {
            c.getSpec().priority = 2000;
            return c;
        });
        await().atMost(BOUND).untilAsserted(() -> assertThat(model.invalid("ClusterNetworkPolicy", "", "guard"))
                .isEqualTo("spec.priority: must be between 0 and 1000, inclusive (got 2000)"));
        assertThat(model.snapshot().clusterPolicy("guard")).hasValueSatisfying(p -> assertThat(p.priority()).isEqualTo(10));
        assertThat(model.clusterPolicyGeneration("guard")).as("the generation in force").isEqualTo(generation);

        // what the adapter cannot translate is refused with its field path too
        client.resources(ClusterNetworkPolicy.class).withName("guard").edit(c -> {
            c.getSpec().priority = 10;
            c.getSpec().tier = "Middle";
            return c;
        });
        await().atMost(BOUND).untilAsserted(() -> assertThat(model.invalid("ClusterNetworkPolicy", "", "guard"))
                .startsWith("spec.tier: unsupported value \"Middle\""));
        assertThat(model.snapshot().clusterPolicy("guard")).hasValueSatisfying(p -> assertThat(p.tier()).isEqualTo(Tier.ADMIN));

        // fixed: in force again at its new generation, no reason left
        client.resources(ClusterNetworkPolicy.class).withName("guard").edit(c -> {
            c.getSpec().tier = "Baseline";
            return c;
        });
        await().atMost(BOUND).until(() -> model.invalid("ClusterNetworkPolicy", "", "guard") == null);
        assertThat(model.snapshot().clusterPolicy("guard")).hasValueSatisfying(p -> assertThat(p.tier()).isEqualTo(Tier.BASELINE));
        assertThat(model.clusterPolicyGeneration("guard")).isGreaterThan(generation);

        // a policy refused from its first version is known (for its status) but not in force
        ClusterNetworkPolicy bad = cnp(client, "bad", "Admin", -1);
        client.resource(bad).create();
        await().atMost(BOUND).until(() -> model.invalid("ClusterNetworkPolicy", "", "bad") != null);
        assertThat(model.snapshot().clusterPolicy("bad")).isEmpty();
        assertThat(model.clusterPolicyNames()).containsExactlyInAnyOrder("guard", "bad");
        assertThat(model.clusterPolicyGeneration("bad")).isEqualTo(-1);
        client.resources(ClusterNetworkPolicy.class).withName("bad").delete();
        await().atMost(BOUND).until(() -> model.invalid("ClusterNetworkPolicy", "", "bad") == null);
        assertThat(model.clusterPolicyNames()).containsExactly("guard");
    }

    @Test
    void withoutTheCrdTheModelIsCompleteAndHoldsNone() {
        ClusterModel model = start();
        assertThat(informers.clusterPolicyCrd().status()).isEqualTo(ClusterPolicyCrdCheck.Status.NOT_INSTALLED);
        assertThat(informers.clusterPolicyStore()).isNull();
        assertThat(informers.synced()).isTrue();
        assertThat(model.snapshot().clusterPolicies()).isEmpty();
        assertThat(model.snapshot().namespace("shop")).isPresent();
    }

    @Test
    void anotherServedVersionIsNotRead() {
        CustomResourceDefinition crd = ClusterPolicyCrdCheckTest.crd();
        crd.getSpec().getVersions().get(0).setName("v1alpha2");
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
        ClusterModel model = start();
        assertThat(informers.clusterPolicyCrd().status()).isEqualTo(ClusterPolicyCrdCheck.Status.VERSION_NOT_SERVED);
        assertThat(informers.clusterPolicyCrd().message()).contains("serves v1alpha2, not v1beta1");
        assertThat(informers.clusterPolicyStore()).isNull();
        assertThat(model.snapshot().clusterPolicies()).isEmpty();
    }
}
