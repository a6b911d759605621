package dev.netfence.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The install manifests in src/main/kubernetes: complete, in netfence-system, and as narrow as the design says. */
class InstallManifestsTest {
    private static final Path DIR = Path.of("..", "src", "main", "kubernetes");
    private static KubernetesClient parser;
    private static List<HasMetadata> objects;

    @BeforeAll
    static void load() throws IOException {
        parser = new KubernetesClientBuilder().build();
        objects = new ArrayList<>();
        for (String file : resources()) {
            try (InputStream in = Files.newInputStream(DIR.resolve(file))) {
                objects.addAll(parser.load(in).items());
            }
        }
    }

    @AfterAll
    static void close() {
        parser.close();
    }

    /**
     * The manifest files the kustomization lists. Directory entries (the webhook's own kustomization)
     * are other components' bundles, checked as a whole by the CLI's InstallBundleTest.
     */
    @SuppressWarnings("unchecked")
    static List<String> resources() throws IOException {
        Map<String, Object> k = Serialization.unmarshal(Files.readString(DIR.resolve("kustomization.yaml")), Map.class);
        return ((List<String>) k.get("resources")).stream().filter(r -> !Files.isDirectory(DIR.resolve(r))).toList();
    }

    private static <T> T only(Class<T> type, String name) {
        return objects.stream().filter(type::isInstance).map(type::cast)
                .filter(o -> ((HasMetadata) o).getMetadata().getName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void kustomizationListsEveryManifestOfTheDirectory() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            List<String> yaml = files.map(p -> p.getFileName().toString())
                    .filter(f -> f.endsWith(".yaml") && !f.equals("kustomization.yaml")).toList();
            assertThat(resources()).containsExactlyInAnyOrderElementsOf(yaml);
        }
    }

    @Test
    void namespacedObjectsLiveInNetfenceSystem() {
        assertThat(objects).filteredOn(o -> o instanceof Namespaced)
                .allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).as(o.getKind() + " " + o.getMetadata().getName())
                        .isEqualTo("netfence-system"));
    }

    @Test
    void theEnforcerRunsOnTheHostNetworkWithOnlyNetAdmin() {
        DaemonSet ds = only(DaemonSet.class, "netfence-enforcer");
        var pod = ds.getSpec().getTemplate().getSpec();
        assertThat(pod.getHostNetwork()).isTrue();
        assertThat(pod.getServiceAccountName()).isEqualTo("netfence-enforcer");
        Container c = pod.getContainers().get(0);
        assertThat(c.getSecurityContext().getPrivileged()).isFalse();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(c.getSecurityContext().getCapabilities().getAdd()).containsExactly("NET_ADMIN");
        assertThat(c.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("NETFENCE_ENFORCER_NODE_NAME");
            assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("spec.nodeName");
        });
        assertThat(c.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("NETFENCE_ENFORCER_SOURCE");
            assertThat(e.getValue()).isEqualTo("kubernetes");
        });
    }

    @Test
    void theOperatorRunsUnprivilegedUnderItsOwnAccount() {
        Deployment d = only(Deployment.class, "netfence-operator");
        var pod = d.getSpec().getTemplate().getSpec();
        assertThat(pod.getServiceAccountName()).isEqualTo("netfence-operator");
        assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        Container c = pod.getContainers().get(0);
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(c.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
    }

    @Test
    void everyBindingGrantsItsRoleToTheMatchingServiceAccount() {
        List<String> accounts = objects.stream().filter(ServiceAccount.class::isInstance)
                .map(o -> o.getMetadata().getName()).toList();
        assertThat(accounts).containsExactlyInAnyOrder("netfence-operator", "netfence-enforcer");
        for (ClusterRoleBinding b : objects.stream().filter(ClusterRoleBinding.class::isInstance).map(ClusterRoleBinding.class::cast).toList()) {
            assertThat(b.getSubjects()).singleElement().satisfies(s -> {
                assertThat(s.getName()).isEqualTo(b.getRoleRef().getName());
                assertThat(s.getNamespace()).isEqualTo("netfence-system");
            });
        }
        RoleBinding leader = only(RoleBinding.class, "netfence-operator-leader-election");
        assertThat(leader.getSubjects()).singleElement().satisfies(s -> assertThat(s.getName()).isEqualTo("netfence-operator"));
    }
}
