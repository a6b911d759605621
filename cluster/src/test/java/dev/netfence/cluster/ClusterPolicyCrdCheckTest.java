package dev.netfence.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;

/**
 * The start-up check of the ClusterNetworkPolicy CRD against the mock API server, with the CRD
 * generated from crds/' classes: served, another version only, not installed.
 */
@EnableKubernetesMockClient(crud = true)
class ClusterPolicyCrdCheckTest {

    KubernetesClient client;

    static CustomResourceDefinition crd() {
        return TestCrds.generate(ClusterNetworkPolicy.class, ClusterNetworkPolicy.CRD_NAME);
    }

    @Test
    void theGeneratedCrdServesTheVersionNetfenceReads() {
        CustomResourceDefinition crd = crd();
        assertThat(crd.getMetadata().getName()).isEqualTo("clusternetworkpolicies.policy.networking.k8s.io");
        assertThat(crd.getSpec().getScope()).isEqualTo("Cluster");
        assertThat(crd.getSpec().getVersions()).extracting(CustomResourceDefinitionVersion::getName).containsExactly("v1beta1");
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
        ClusterPolicyCrdCheck.Result r = ClusterPolicyCrdCheck.check(client);
        assertThat(r.status()).isEqualTo(ClusterPolicyCrdCheck.Status.SERVED);
    }

    @Test
    void aCrdServingOnlyAnotherVersionIsNamedWithWhatToInstall() {
        CustomResourceDefinition crd = crd();
        crd.getSpec().getVersions().get(0).setName("v1alpha2");
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
        ClusterPolicyCrdCheck.Result r = ClusterPolicyCrdCheck.check(client);
        assertThat(r.status()).isEqualTo(ClusterPolicyCrdCheck.Status.VERSION_NOT_SERVED);
        assertThat(r.message()).isEqualTo("CustomResourceDefinition clusternetworkpolicies.policy.networking.k8s.io serves "
                + "v1alpha2, not v1beta1, the version Netfence reads: ClusterNetworkPolicies are ignored; install the CRD of a "
                + "kubernetes-sigs/network-policy-api release that serves v1beta1 (" + ClusterPolicyCrdCheck.INSTALL
                + "), then restart Netfence");
    }

    @Test
    void noCrdIsNotAnError() {
        ClusterPolicyCrdCheck.Result r = ClusterPolicyCrdCheck.check(client);
        assertThat(r.status()).isEqualTo(ClusterPolicyCrdCheck.Status.NOT_INSTALLED);
        assertThat(r.message()).contains("is not installed").contains("kubectl apply -f https://").contains("serves v1beta1")
                .doesNotContain("Exception");
    }
}
