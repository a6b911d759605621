package dev.netfence.enforcer.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netfence.crds.AddressSet;
import dev.netfence.crds.NodeRuleSet;
import dev.netfence.crds.ruleset.AddressSetParts;
import dev.netfence.crds.ruleset.NodeRuleSetConverter;
import dev.netfence.enforcer.SampleClusters;
import dev.netfence.enforcer.cni.PodAnnouncement;
import dev.netfence.enforcer.cni.PodAnnouncements;
import dev.netfence.enforcer.datapath.RecordingDatapath;
import dev.netfence.enforcer.loop.EnforcerLoop;
import dev.netfence.enforcer.loop.EnforcerObserver;
import dev.netfence.enforcer.loop.EnforcerSettings;
import dev.netfence.enforcer.loop.NewPodSettings;
import dev.netfence.enforcer.nft.FailClosedRules;
import dev.netfence.enforcer.nft.NftablesRenderer;
import dev.netfence.enforcer.nft.RevocationRules;
import dev.netfence.enforcer.validate.HostileRuleSets;
import dev.netfence.policy.compile.CompiledCluster;
import dev.netfence.policy.compile.ResolvedRuleSet;
import dev.netfence.policy.compile.RuleSetCompiler;
import dev.netfence.policy.model.ClusterSnapshot;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The core enforcer loop with its Kubernetes source and status reporter against the mock API server
 * in CRUD mode (datapath: the recording fake): an AddressSet written after its NodeRuleSet is a wait,
 * steady state writes nothing, and an AddressSet entry carrying an nftables injection with a
 * recomputed contentHash is refused with a status error while the last good rules stay.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesEnforcerIT {
    KubernetesMockServer server;
    KubernetesClient client;
    private final List<EnforcerLoop> loops = new ArrayList<>();

    @BeforeEach
    void crds() throws Exception {
        for (String f : List.of("noderulesets.netfence.dev-v1.yml", "addresssets.netfence.dev-v1.yml")) {
            try (InputStream in = Files.newInputStream(Path.of("..", "crds", f))) {
                client.resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class)).create();
            }
        }
    }

    @AfterEach
    void close() {
        loops.forEach(EnforcerLoop::close);
    }

    private EnforcerLoop enforcer(String node, RecordingDatapath datapath, EnforcerSettings settings) {
        KubernetesRuleSetSource source = new KubernetesRuleSetSource(client, node);
        EnforcerLoop loop = new EnforcerLoop(settings, source, datapath,
                new NodeRuleSetStatusReporter(client, source, "enforcer-" + node), EnforcerObserver.NONE).start();
        loops.add(loop);
        return loop;
    }

    private NodeRuleSet published(String node) {
        return client.resources(NodeRuleSet.class).withName(node).get();
    }

    @Test
    void anAddressSetWrittenAfterItsRuleSetIsAWait() {
        CompiledCluster compiled = RuleSetCompiler.compile(SampleClusters.shop());
        ResolvedRuleSet n1 = compiled.forNode("n1");
        client.resource(NodeRuleSetConverter.toResource(n1.ruleSet())).create();
        RecordingDatapath datapath = new RecordingDatapath();
        EnforcerLoop loop = enforcer("n1", datapath, EnforcerSettings.defaults("n1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> loop.state().waitingFor() != null);
        assertThat(loop.state().lastError()).isNull();
        assertThat(published("n1").getStatus() == null || published("n1").getStatus().error == null).isTrue();
        assertThat(datapath.applied()).isEmpty();

        n1.addressSets().forEach(set -> AddressSetParts.split(set).forEach(p -> client.resource(p).create()));
        await().atMost(Duration.ofSeconds(10)).until(() -> published("n1").getStatus() != null
                && n1.ruleSet().contentHash().equals(published("n1").getStatus().appliedHash));
        assertThat(datapath.kernel()).isEqualTo(RevocationRules.add(FailClosedRules.add(NftablesRenderer.render(n1), List.of())));
        assertThat(published("n1").getStatus().error).isNull();
    }

    @Test
    void podsWaitingForTheirRulesAreInTheStatusWrittenOnlyWhenTheyChange() throws Exception {
        CompiledCluster compiled = RuleSetCompiler.compile(SampleClusters.shop());
        compiled.addressSets().values().forEach(set -> AddressSetParts.split(set).forEach(p -> client.resource(p).create()));
        client.resource(NodeRuleSetConverter.toResource(compiled.nodes().get("n1"))).create();
        KubernetesRuleSetSource source = new KubernetesRuleSetSource(client, "n1");
        PodAnnouncements announced = PodAnnouncements.inMemory();
        EnforcerLoop loop = new EnforcerLoop(EnforcerSettings.defaults("n1"), source, new RecordingDatapath(),
                new NodeRuleSetStatusReporter(client, source, "enforcer-n1"), EnforcerObserver.NONE, NewPodSettings.DEFAULTS,
                announced).start();
        loops.add(loop);
        await().atMost(Duration.ofSeconds(10)).until(() -> published("n1").getStatus() != null
                && published("n1").getStatus().appliedHash != null);
        assertThat(published("n1").getStatus().podsWaiting).as("none waiting: the field is absent").isNull();

        // two pods announced by the plugin that the operator has not compiled (it is down, say)
        announced.put(new PodAnnouncement("c-b", "shop", "new-b", "eth0", List.of("10.77.0.12")));
        announced.put(new PodAnnouncement("c-a", "shop", "new-a", "eth0", List.of("10.77.0.11")));
        await().atMost(Duration.ofSeconds(10)).until(() -> Integer.valueOf(2).equals(published("n1").getStatus().podsWaiting));
        assertThat(published("n1").getStatus().waitingPods).containsExactly("shop/new-a", "shop/new-b");
        String version = published("n1").getMetadata().getResourceVersion();
        // the same pods at the next syncs: no write
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .until(() -> published("n1").getMetadata().getResourceVersion().equals(version));

        // the operator compiles new-a: only new-b waits
        ClusterSnapshot withA = SampleClusters.shop().toBuilder().pod(SampleClusters.pod("shop", "new-a", "n1", Map.of(),
                List.of(), "10.77.0.11")).build();
        NodeRuleSet updated = published("n1");
        updated.setSpec(NodeRuleSetConverter.toResource(RuleSetCompiler.compile(withA).nodes().get("n1")).getSpec());
        client.resource(updated).update();
        await().atMost(Duration.ofSeconds(10)).until(() -> Integer.valueOf(1).equals(published("n1").getStatus().podsWaiting));
        assertThat(published("n1").getStatus().waitingPods).containsExactly("shop/new-b");
        announced.remove("c-b");
        await().atMost(Duration.ofSeconds(10)).until(() -> published("n1").getStatus().podsWaiting == null
                && published("n1").getStatus().waitingPods == null);
    }

    @Test
    void steadyStateWritesNothing() throws Exception {
        CompiledCluster compiled = RuleSetCompiler.compile(SampleClusters.shop());
        compiled.addressSets().values().forEach(set -> AddressSetParts.split(set).forEach(p -> client.resource(p).create()));
        compiled.nodes().values().forEach(rs -> client.resource(NodeRuleSetConverter.toResource(rs)).create());
        Map<String, EnforcerLoop> byNode = new HashMap<>();
        // resync every 200 ms instead of 30 s: many resyncs happen within the few seconds observed
        for (String node : compiled.nodes().keySet()) {
            byNode.put(node, enforcer(node, new RecordingDatapath(),
                    EnforcerSettings.defaults(node).withResyncInterval(Duration.ofMillis(200))));
        }
        for (String node : byNode.keySet()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> published(node).getStatus() != null
                    && published(node).getSpec().contentHash.equals(published(node).getStatus().appliedHash));
        }
        // settled: no request at all for 500 ms (the last status events are handled); what came before is drained
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(10))
                .until(() -> server.takeRequest(10, TimeUnit.MILLISECONDS) == null);
        long syncs = byNode.values().stream().mapToLong(EnforcerLoop::syncs).sum();
        // 3 s of steady state: no write request at any moment of it (reads of the informers' watches are fine)
        List<String> writes = new ArrayList<>();
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> {
            RecordedRequest r;
            while ((r = server.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
                if (!r.getMethod().equals("GET")) {
                    writes.add(r.getMethod() + " " + r.getPath());
                }
            }
            return writes.isEmpty();
        });
        assertThat(byNode.values().stream().mapToLong(EnforcerLoop::syncs).sum()).isGreaterThan(syncs + byNode.size() * 5L);
        assertThat(writes).isEmpty();
    }

    @Test
    void anInjectedEntryWithARecomputedHashIsRefusedAndTheLastGoodRulesStay() {
        CompiledCluster compiled = RuleSetCompiler.compile(SampleClusters.shop());
        ResolvedRuleSet n1 = compiled.forNode("n1");
        n1.addressSets().forEach(set -> AddressSetParts.split(set).forEach(p -> client.resource(p).create()));
        client.resource(NodeRuleSetConverter.toResource(n1.ruleSet())).create();
        RecordingDatapath datapath = new RecordingDatapath();
        EnforcerLoop loop = enforcer("n1", datapath, EnforcerSettings.defaults("n1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> published("n1").getStatus() != null
                && published("n1").getStatus().appliedHash != null);

        // the attacker edits an AddressSet and recomputes its contentHash, as anyone can
        String name = n1.ruleSet().addressSets().get(0);
        AddressSet edited = client.resources(AddressSet.class).withName(name).get();
        edited.getSpec().entries = new ArrayList<>(edited.getSpec().entries);
        edited.getSpec().entries.add(HostileRuleSets.INJECTION);
        edited.getSpec().contentHash = AddressSetParts.entriesHash(edited.getSpec().entries);
        edited.getSpec().size = edited.getSpec().entries.size();
        client.resource(edited).update();

        await().atMost(Duration.ofSeconds(10)).until(() -> published("n1").getStatus().error != null);
        assertThat(published("n1").getStatus().error).contains("AddressSet " + name).contains("spec.entries[")
                .doesNotContain("\n");
        assertThat(published("n1").getStatus().appliedHash).isEqualTo(n1.ruleSet().contentHash());
        assertThat(datapath.applied()).hasSize(1);
        assertThat(datapath.kernel()).isEqualTo(RevocationRules.add(FailClosedRules.add(NftablesRenderer.render(n1), List.of())));
        assertThat(loop.state().lastError()).isEqualTo(published("n1").getStatus().error);
    }
}
