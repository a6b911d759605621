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
import dev.netfence.operator.OperatorApiAccess.Permission;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The operator's RBAC in {@code src/main/kubernetes/operator-rbac.yaml} grants exactly
 * {@link OperatorApiAccess#PERMISSIONS}, and those are exactly the calls an operator makes while it
 * publishes, updates, garbage-collects, reports status (the DefaultDeny status controller too) and
 * holds its lease (read from the mock server's request log, told apart from the test's own calls by
 * the user agent).
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class RbacIT {
    private static final String TEST_AGENT = "netfence-rbac-test";

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient client;

    @Inject
    NetfenceOperator operator;

    static Set<Permission> granted() throws Exception {
        Set<Permission> out = new HashSet<>();
        KubernetesClient parser = new KubernetesClientBuilder().build();
        try (InputStream in = Files.newInputStream(Path.of("..", "src", "main", "kubernetes", "operator-rbac.yaml"))) {
            for (HasMetadata o : parser.load(in).items()) {
                if (o instanceof ClusterRole cr) {
                    add(out, cr.getRules(), false);
                } else if (o instanceof Role r) {
                    assertThat(r.getMetadata().getNamespace()).isEqualTo("netfence-system");
                    add(out, r.getRules(), true);
                }
            }
        }
        return out;
    }

    private static void add(Set<Permission> out, List<PolicyRule> rules, boolean namespaced) {
        for (PolicyRule rule : rules) {
            for (String g : rule.getApiGroups()) {
                for (String r : rule.getResources()) {
                    for (String v : rule.getVerbs()) {
                        out.add(new Permission(g, r, v, namespaced));
                    }
                }
            }
        }
    }

    @Test
    void theManifestGrantsExactlyTheListedPermissions() throws Exception {
        assertThat(granted()).containsExactlyInAnyOrderElementsOf(OperatorApiAccess.PERMISSIONS);
    }

    @Test
    void theOperatorUsesExactlyTheListedPermissions() throws Exception {
        // the operator (its runtime and the Java Operator SDK's status controller) uses the application's
        // client; the test drives the cluster through its own, told apart by the user agent
        KubernetesClient test = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(client.getConfiguration()).withUserAgent(TEST_AGENT).build()).build();
        drain();
        Fixtures.installCrds(test);
        test.resource(namespace("rbac", Map.of())).create();
        test.resource(node("r1", "192.168.1.1")).create();
        test.resource(pod("rbac", "web", "r1", Map.of("app", "web"), "10.2.0.1")).create();
        test.resource(pod("rbac", "api", "r1", Map.of("app", "api"), "10.2.0.2")).create();
        test.resource(allowFrom("rbac", "web-from-api", "web", "api")).create();
        test.resource(defaultDeny("rbac", "deny")).create();
        // a ClusterNetworkPolicy: watched (after the CRD check), its status written; the first status write meets a
        // 409 Conflict (set up once, as an API server answers a write from a stale read), so the retry's fresh read is used
        test.resource(namespace("rbac-team", Map.of("team", "rbac"))).create();
        test.resource(Fixtures.denyMetadata(test, "rbac-guard", "rbac")).create();
        server.getKubernetesMockServer().expect().put()
                .withPath("/apis/policy.networking.k8s.io/v1beta1/clusternetworkpolicies/rbac-guard/status")
                .andReturn(409, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Conflict\","
                        + "\"message\":\"the object has been modified\",\"code\":409}").once();

        operator.start();
        try {
            await().atMost(Duration.ofSeconds(15)).until(() -> test.resources(NodeRuleSet.class).withName("r1").get() != null
                    && test.resources(DefaultDeny.class).inNamespace("rbac").withName("deny").get().getStatus().conditions != null
                    && !test.resources(DefaultDeny.class).inNamespace("rbac").withName("deny").get().getStatus().conditions.isEmpty());
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                var cnp = test.resources(dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy.class).withName("rbac-guard").get();
                return cnp.getStatus() != null && cnp.getStatus().conditions != null && !cnp.getStatus().conditions.isEmpty();
            });
            // update: a hand-edited AddressSet is put back
            AddressSet set = test.resources(AddressSet.class).list().getItems().get(0);
            List<String> entries = List.copyOf(set.getSpec().entries);
            set.getSpec().entries = List.of("10.9.9.9");
            test.resource(set).update();
            await().atMost(Duration.ofSeconds(15)).until(() ->
                    test.resources(AddressSet.class).withName(set.getMetadata().getName()).get().getSpec().entries.equals(entries));
            // update: a new pod isolated on r1 (NodeRuleSet), a new peer (AddressSet); delete: the node and its pods go, the policy goes
            test.resource(pod("rbac", "web-2", "r1", Map.of("app", "web"), "10.2.0.3")).create();
            test.resource(pod("rbac", "api-2", "r1", Map.of("app", "api"), "10.2.0.4")).create();
            await().atMost(Duration.ofSeconds(15)).until(() ->
                    test.resources(NodeRuleSet.class).withName("r1").get().getSpec().summary.pods == 4
                            && test.resources(DefaultDeny.class).inNamespace("rbac").withName("deny").get().getStatus()
                            .selectedPods == 4);
            test.network().v1().networkPolicies().inNamespace("rbac").withName("web-from-api").delete();
            test.resources(DefaultDeny.class).inNamespace("rbac").withName("deny").delete();
            test.pods().inNamespace("rbac").delete();
            test.nodes().withName("r1").delete();
            test.resources(dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy.class).withName("rbac-guard").delete();
            await().atMost(Duration.ofSeconds(15)).until(() -> test.resources(NodeRuleSet.class).list().getItems().isEmpty()
                    && test.resources(AddressSet.class).list().getItems().isEmpty());
            // at least one lease renewal (retry period 2 s)
            await().pollDelay(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5)).until(() -> true);
        } finally {
            operator.stop();
            test.close();
        }

        Set<Permission> used = new TreeSet<>(java.util.Comparator.comparing(Permission::toString));
        RecordedRequest r;
        while ((r = server.getKubernetesMockServer().takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
            if (!TEST_AGENT.equals(r.getHeader("User-Agent"))) {
                used.add(permission(r.getMethod(), r.getPath()));
            }
        }
        // the status controller's list + watch of DefaultDenies started with the application, before this test
        assertThat(used).contains(new Permission("netfence.dev", "defaultdenies/status", "patch", false));
        assertThat(used).contains(new Permission("policy.networking.k8s.io", "clusternetworkpolicies/status", "update", false));
        assertThat(used).containsExactlyInAnyOrderElementsOf(OperatorApiAccess.PERMISSIONS);
    }

    private void drain() throws InterruptedException {
        while (server.getKubernetesMockServer().takeRequest(10, TimeUnit.MILLISECONDS) != null) {
            // requests from before this test (the application's start, other tests)
        }
    }

    /** The RBAC permission an HTTP request needs (Kubernetes' request-info rules, the cases used here). */
    static Permission permission(String method, String pathAndQuery) {
        URI uri = URI.create(pathAndQuery);
        String[] p = uri.getPath().replaceFirst("^/", "").split("/");
        int i;
        String group;
        if (p[0].equals("api")) {
            group = "";
            i = 2;
        } else {
            group = p[1];
            i = 3;
        }
        boolean namespaced = false;
        if (p.length > i + 2 && p[i].equals("namespaces")) {
            namespaced = true;
            i += 2;
        }
        String resource = p[i];
        String name = p.length > i + 1 ? p[i + 1] : null;
        if (p.length > i + 2) {
            resource += "/" + p[i + 2];
        }
        boolean watch = uri.getQuery() != null && uri.getQuery().contains("watch=true");
        String verb = switch (method) {
            case "GET" -> watch ? "watch" : name == null ? "list" : "get";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name == null ? "deletecollection" : "delete";
            default -> method;
        };
        // only leases are used in a namespace; everything else is watched and written cluster-wide
        return new Permission(group, resource, verb, namespaced && resource.equals("leases"));
    }
}
