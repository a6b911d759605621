package dev.netfence.enforcer.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netfence.crds.AddressSet;
import dev.netfence.crds.NodeRuleSet;
import dev.netfence.crds.ruleset.AddressSetParts;
import dev.netfence.crds.ruleset.NodeRuleSetConverter;
import dev.netfence.enforcer.SampleClusters;
import dev.netfence.enforcer.loop.EnforcementState;
import dev.netfence.enforcer.kube.EnforcerApiAccess.Permission;
import dev.netfence.enforcer.nft.ApplyResult;
import dev.netfence.enforcer.source.RuleSetNotReadyException;
import dev.netfence.policy.compile.CompiledCluster;
import dev.netfence.policy.compile.ResolvedRuleSet;
import dev.netfence.policy.compile.RuleSetCompiler;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The enforcer's Kubernetes source against the mock API server in CRUD mode: it assembles exactly
 * what the operator compiled for its node from the NodeRuleSet and the (split) AddressSets, waits
 * for missing parts, writes the NodeRuleSet status, and uses exactly the RBAC its manifest grants.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesRuleSetSourceIT {
    private static final String AGENT = "netfence-enforcer-under-test";

    KubernetesMockServer server;
    KubernetesClient client;
    private KubernetesClient own;
    private KubernetesRuleSetSource source;

    @BeforeEach
    void crds() throws Exception {
        for (String f : List.of("noderulesets.netfence.dev-v1.yml", "addresssets.netfence.dev-v1.yml")) {
            try (InputStream in = Files.newInputStream(Path.of("..", "crds", f))) {
                client.resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class)).create();
            }
        }
        own = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(client.getConfiguration()).withUserAgent(AGENT).build()).build();
    }

    @AfterEach
    void close() {
        if (source != null) {
            source.close();
        }
        own.close();
    }

    /** What the operator's publisher writes for a compiled cluster (address sets first). */
    private void publish(CompiledCluster compiled) {
        compiled.addressSets().values().forEach(set -> AddressSetParts.split(set).forEach(p -> client.resource(p).create()));
        compiled.nodes().values().forEach(rs -> client.resource(NodeRuleSetConverter.toResource(rs)).create());
    }

    @Test
    void assemblesTheNodesRuleSetAndReportsStatus() {
        CompiledCluster compiled = RuleSetCompiler.compile(SampleClusters.shop());
        publish(compiled);
        source = new KubernetesRuleSetSource(own, "n1");

        ResolvedRuleSet expected = compiled.forNode("n1");
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() ->
                assertThat(source.current()).contains(expected));
        ResolvedRuleSet resolved = source.current().orElseThrow();

        NodeRuleSetStatusReporter reporter = new NodeRuleSetStatusReporter(own, source, "enforcer-n1");
        EnforcementState applied = EnforcementState.INITIAL.succeeded(resolved.contentHash(),
                resolved.ruleSet().contentHash(), new ApplyResult(ApplyResult.Kind.FULL, Duration.ofMillis(3), 12, 7),
                java.time.Instant.now());
        assertThat(reporter.report(applied)).isTrue();
        NodeRuleSet n1 = client.resources(NodeRuleSet.class).withName("n1").get();
        assertThat(n1.getStatus().appliedHash).isEqualTo(n1.getSpec().contentHash);
        assertThat(n1.getStatus().rules).isEqualTo(12);
        assertThat(n1.getStatus().applyKind).isEqualTo("FULL");
        assertThat(n1.getStatus().error).isNull();
        // the spec is the operator's: a status write leaves it alone
        assertThat(NodeRuleSetConverter.toModel(n1)).isEqualTo(expected.ruleSet());

        // a failed apply keeps the hash of the rules in force and reports the error
        await().atMost(Duration.ofSeconds(10)).until(() -> source.published().getStatus() != null);
        assertThat(reporter.report(applied.failed("Error: Could not process rule: No such file or directory"))).isTrue();
        n1 = client.resources(NodeRuleSet.class).withName("n1").get();
        assertThat(n1.getStatus().error).contains("Could not process rule");
        assertThat(n1.getStatus().appliedHash).isEqualTo(n1.getSpec().contentHash);
    }

    @Test
    void watchesOnlyTheAddressSetsItsRuleSetNames() throws InterruptedException {
        CompiledCluster compiled = RuleSetCompiler.compile(SampleClusters.shop());
        publish(compiled);
        // a set no rule set of n1 names: the node's informer must never hold it
        var other = new dev.netfence.policy.compile.AddressSet("as-othernode", List.of("10.99.0.1"));
        AddressSetParts.split(other).forEach(p -> client.resource(p).create());
        source = new KubernetesRuleSetSource(own, "n1");
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() ->
                assertThat(source.current()).contains(compiled.forNode("n1")));
        assertThat(source.watchedAddressSets()).containsExactlyInAnyOrderElementsOf(compiled.forNode("n1").ruleSet().addressSets());
        RecordedRequest r;
        List<String> addressSetRequests = new ArrayList<>();
        while ((r = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
            if (AGENT.equals(r.getHeader("User-Agent")) && r.getPath().contains("/addresssets")) {
                addressSetRequests.add(r.getPath());
            }
        }
        assertThat(addressSetRequests).isNotEmpty().allSatisfy(path -> assertThat(path).contains("labelSelector="));
    }

    @Test
    void aNodeWithoutRuleSetHasNothingToApply() {
        publish(RuleSetCompiler.compile(SampleClusters.shop()));
        source = new KubernetesRuleSetSource(own, "n9");
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() ->
                assertThat(source.current()).isEqualTo(Optional.empty()));
    }

    @Test
    void waitsForEveryPartOfALargeAddressSet() {
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < 60_000; i++) {
            entries.add("10." + (64 + (i >> 16)) + "." + ((i >> 8) & 255) + "." + (i & 255));
        }
        var set = new dev.netfence.policy.compile.AddressSet("as-large", entries);
        List<AddressSet> parts = AddressSetParts.split(set);
        assertThat(parts).hasSizeGreaterThan(1);
        var rs = new dev.netfence.policy.compile.NodeRuleSet("n1", List.of("192.168.0.1"), List.of(), List.of(),
                List.of("as-large"));
        parts.subList(0, parts.size() - 1).forEach(p -> client.resource(p).create());
        client.resource(NodeRuleSetConverter.toResource(rs)).create();
        source = new KubernetesRuleSetSource(own, "n1");

        String last = parts.get(parts.size() - 1).getMetadata().getName();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThatThrownBy(source::current)
                .isInstanceOf(RuleSetNotReadyException.class).hasMessageContaining(last).hasMessageContaining("not written yet"));
        client.resource(parts.get(parts.size() - 1)).create();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() ->
                assertThat(source.current().orElseThrow().addressSets()).containsExactly(set));
    }

    @Test
    void usesExactlyThePermissionsItsManifestGrants() throws Exception {
        Set<Permission> granted = new HashSet<>();
        try (InputStream in = Files.newInputStream(Path.of("..", "src", "main", "kubernetes", "enforcer-rbac.yaml"))) {
            for (HasMetadata o : client.load(in).items()) {
                if (o instanceof ClusterRole cr) {
                    for (PolicyRule r : cr.getRules()) {
                        r.getApiGroups().forEach(g -> r.getResources().forEach(res -> r.getVerbs().forEach(v ->
                                granted.add(new Permission(g, res, v)))));
                    }
                }
            }
        }
        assertThat(granted).containsExactlyInAnyOrderElementsOf(EnforcerApiAccess.PERMISSIONS);

        assemblesTheNodesRuleSetAndReportsStatus();
        client.nodes().resource(new io.fabric8.kubernetes.api.model.NodeBuilder().withNewMetadata().withName("n1")
                .endMetadata().withNewSpec().withPodCIDRs("10.77.0.0/24").endSpec().build()).create();
        try (NodePodCidrs cidrs = NodePodCidrs.watch(own, "n1")) {
            assertThat(cidrs.current()).hasSize(1);
            await().atMost(Duration.ofSeconds(5)).pollDelay(Duration.ofMillis(200)).until(() -> true); // its watch opens
        }
        Set<Permission> used = new HashSet<>();
        RecordedRequest r;
        while ((r = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
            if (AGENT.equals(r.getHeader("User-Agent"))) {
                used.add(permission(r.getMethod(), r.getPath()));
            }
        }
        assertThat(used).containsExactlyInAnyOrderElementsOf(EnforcerApiAccess.PERMISSIONS);
    }

    /** The RBAC permission a request to a cluster-scoped resource (netfence.dev, or core: /api/v1) needs. */
    private static Permission permission(String method, String pathAndQuery) {
        URI uri = URI.create(pathAndQuery);
        // core resources have no group: /api/v1/nodes reads as group "", version v1
        String[] p = uri.getPath().replaceFirst("^/api/v1/", "/v1/").replaceFirst("^/apis/", "").split("/");
        String resource = p[2] + (p.length > 4 ? "/" + p[4] : "");
        boolean named = p.length > 3;
        boolean watch = uri.getQuery() != null && uri.getQuery().contains("watch=true");
        String verb = switch (method) {
            case "GET" -> watch ? "watch" : named ? "get" : "list";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "POST" -> "create";
            default -> method.toLowerCase();
        };
        return new Permission(p[0], resource, verb);
    }
}
