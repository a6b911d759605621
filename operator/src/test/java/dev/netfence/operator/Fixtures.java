package dev.netfence.operator;

import dev.netfence.crds.DefaultDeny;
import dev.netfence.crds.DefaultDenySpec;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Kubernetes objects as a cluster would hold them (fabric8 builders), and the CRDs from crds/. */
final class Fixtures {
    private Fixtures() {
    }

    /** Netfence's CRDs, and the ClusterNetworkPolicy CRD generated from crds/' classes (users install upstream's). */
    static void installCrds(KubernetesClient client) throws IOException {
        for (String f : List.of("noderulesets.netfence.dev-v1.yml", "addresssets.netfence.dev-v1.yml",
                "defaultdenies.netfence.dev-v1.yml", "target/test-crds/clusternetworkpolicies.policy.networking.k8s.io-v1.yml")) {
            try (InputStream in = Files.newInputStream(Path.of("..", "crds").resolve(f))) {
                CustomResourceDefinition crd = client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
                client.resource(crd).createOr(r -> r.update());
            }
        }
    }

    static Namespace namespace(String name, Map<String, String> labels) {
        return new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata().build();
    }

    static Node node(String name, String ip) {
        return new NodeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewStatus().addNewAddress().withType("InternalIP").withAddress(ip).endAddress().endStatus().build();
    }

    static Pod pod(String ns, String name, String node, Map<String, String> labels, String ip) {
        return new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("app").withImage("app:1")
                .addNewPort().withName("http").withContainerPort(8080).withProtocol("TCP").endPort().endContainer().endSpec()
                .withNewStatus().withPodIP(ip).addNewPodIP().withIp(ip).endPodIP().endStatus().build();
    }

    /** Pods labelled {@code app=<from>} may reach pods labelled {@code app=<to>} on TCP 8080. */
    static NetworkPolicy allowFrom(String ns, String name, String to, String from) {
        return new NetworkPolicyBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withPodSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("app", to)).build())
                .withPolicyTypes("Ingress")
                .addNewIngress().addNewFrom().withPodSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("app", from)).build())
                .endFrom().addNewPort().withProtocol("TCP").withNewPort(8080).endPort().endIngress().endSpec().build();
    }

    /** An Admin-tier ClusterNetworkPolicy: every pod of namespaces labelled {@code team=<team>} may not send to 169.254.169.254. */
    static dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy denyMetadata(KubernetesClient client, String name, String team) {
        return client.getKubernetesSerialization().unmarshal("""
                apiVersion: policy.networking.k8s.io/v1beta1
                kind: ClusterNetworkPolicy
                metadata:
                  name: %s
                spec:
                  tier: Admin
                  priority: 10
                  subject:
                    namespaces:
                      matchLabels:
                        team: %s
                  egress:
                    - name: deny-cloud-metadata
                      action: Deny
                      to:
                        - networks: ["169.254.169.254/32"]
                """.formatted(name, team), dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy.class);
    }

    static DefaultDeny defaultDeny(String ns, String name) {
        DefaultDeny dd = new DefaultDeny();
        dd.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(name).withGeneration(1L).build());
        DefaultDenySpec spec = new DefaultDenySpec();
        spec.policyTypes = List.of(DefaultDenySpec.PolicyTypeValue.Egress);
        dd.setSpec(spec);
        return dd;
    }
}
