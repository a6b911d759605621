package dev.netfence.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the install bundle tells the API server and the kubelet about the webhook (src/main/kubernetes/webhook). */
class WebhookManifestsTest {

    static final Path DIR = Path.of("..", "src", "main", "kubernetes", "webhook");

    static <T> T load(String file, Class<T> type) throws Exception {
        try (InputStream in = Files.newInputStream(DIR.resolve(file))) {
            return Serialization.unmarshal(in, type);
        }
    }

    /** Issue 10, finding 4: kube-system was excluded, CriticalFlows were not reviewed. */
    @Test
    void everyNamespaceButNetfencesOwnIsReviewedAndCriticalFlowsToo() throws Exception {
        ValidatingWebhook w = load("validatingwebhookconfiguration.yaml", ValidatingWebhookConfiguration.class).getWebhooks().get(0);
        assertThat(w.getNamespaceSelector().getMatchExpressions()).singleElement().satisfies(e -> {
            assertThat(e.getKey()).isEqualTo("kubernetes.io/metadata.name");
            assertThat(e.getOperator()).isEqualTo("NotIn");
            assertThat(e.getValues()).containsExactly("netfence-system");
        });
        assertThat(w.getRules()).anySatisfy(r -> {
            assertThat(r.getResources()).containsExactly("criticalflows");
            assertThat(r.getScope()).isEqualTo("Cluster");
            assertThat(r.getOperations()).containsExactlyInAnyOrder("CREATE", "UPDATE", "DELETE");
        });
        assertThat(w.getRules()).flatExtracting(r -> r.getResources())
                .containsExactlyInAnyOrder("networkpolicies", "defaultdenies", "criticalflows", "clusternetworkpolicies");
        // issue 16: upstream's ClusterNetworkPolicy, cluster-scoped, in the version the webhook reads
        assertThat(w.getRules()).anySatisfy(r -> {
            assertThat(r.getResources()).containsExactly("clusternetworkpolicies");
            assertThat(r.getApiGroups()).containsExactly("policy.networking.k8s.io");
            assertThat(r.getApiVersions()).containsExactly("v1beta1");
            assertThat(r.getScope()).isEqualTo("Cluster");
            assertThat(r.getOperations()).containsExactlyInAnyOrder("CREATE", "UPDATE", "DELETE");
        });
        assertThat(w.getFailurePolicy()).isEqualTo("Fail");
        assertThat(w.getTimeoutSeconds()).isEqualTo(5);
    }

    /** Issue 9: the operator's realization annotation went through the webhook, so a webhook outage failed its sync. */
    @Test
    void theOperatorsOwnWritesAreNotSentToTheWebhook() throws Exception {
        ValidatingWebhook w = load("validatingwebhookconfiguration.yaml", ValidatingWebhookConfiguration.class).getWebhooks().get(0);
        assertThat(w.getMatchConditions()).singleElement().satisfies(c -> assertThat(c.getExpression())
                .isEqualTo("request.userInfo.username != 'system:serviceaccount:netfence-system:netfence-operator'"));
        String rbac = Files.readString(DIR.resolve("..").resolve("operator-rbac.yaml"));
        assertThat(rbac).contains("kind: ServiceAccount\nmetadata:\n  name: netfence-operator\n  namespace: netfence-system");
        // issue 16: status writes (DefaultDeny, ClusterNetworkPolicy) go to the status subresource, which no rule names
        assertThat(w.getRules()).flatExtracting(r -> r.getResources()).noneMatch(r -> r.contains("/"));
    }

    /** Issue 16: the webhook judges every change against the ClusterNetworkPolicies in force, so it watches them. */
    @Test
    void theWebhookMayReadClusterNetworkPoliciesAndTheirCrd() throws Exception {
        List<io.fabric8.kubernetes.api.model.rbac.PolicyRule> rules;
        try (InputStream in = Files.newInputStream(DIR.resolve("rbac.yaml"))) {
            rules = new io.fabric8.kubernetes.client.KubernetesClientBuilder().build().load(in).items().stream()
                    .filter(o -> o instanceof io.fabric8.kubernetes.api.model.rbac.ClusterRole)
                    .flatMap(o -> ((io.fabric8.kubernetes.api.model.rbac.ClusterRole) o).getRules().stream()).toList();
        }
        assertThat(rules).anySatisfy(r -> {
            assertThat(r.getApiGroups()).containsExactly("policy.networking.k8s.io");
            assertThat(r.getResources()).containsExactly("clusternetworkpolicies");
            assertThat(r.getVerbs()).containsExactlyInAnyOrder("get", "list", "watch");
        });
        assertThat(rules).anySatisfy(r -> {
            assertThat(r.getResources()).containsExactly("customresourcedefinitions");
            assertThat(r.getResourceNames()).containsExactly("clusternetworkpolicies.policy.networking.k8s.io");
            assertThat(r.getVerbs()).containsExactly("get");
        });
        assertThat(WebhookWiring.WATCHED).contains(dev.netfence.cluster.ClusterChange.Kind.CLUSTER_NETWORK_POLICY);
    }

    /**
     * Issue 10, finding 6: the Deployment set no heap size. Issue 9: the collector is named, since in a
     * container under 1792Mi (or with one CPU) the JVM would pick the Serial collector, whose full
     * collections of a 150,000-pod model stop all requests for seconds; the memory request equals the
     * limit, so the scheduler places the pod where the heap the model needs is there.
     */
    @Test
    void theHeapFollowsTheMemoryLimitAndTheCollectorIsChosen() throws Exception {
        var c = load("deployment.yaml", Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getResources().getLimits().get("memory")).isEqualTo(new Quantity("1536Mi"));
        assertThat(c.getResources().getRequests().get("memory")).isEqualTo(c.getResources().getLimits().get("memory"));
        assertThat(c.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("JAVA_TOOL_OPTIONS");
            assertThat(List.of(e.getValue().split(" "))).contains("-XX:+UseG1GC", "-XX:-ClassUnloadingWithConcurrentMark", "-XX:MaxRAMPercentage=65",
                    "-XX:+ExitOnOutOfMemoryError");
        });
        assertThat(c.getEnvFrom()).anySatisfy(e -> assertThat(e.getConfigMapRef().getName()).isEqualTo("netfence-cluster-settings"));
    }
}
