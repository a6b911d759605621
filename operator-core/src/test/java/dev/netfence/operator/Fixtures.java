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
import java.util.List;
import java.util.Map;

/** Kubernetes objects as a cluster would hold them (fabric8 builders). */
final class Fixtures {
    private Fixtures() {
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

    /** A kube-dns pod as kubeadm runs it (kube-system, k8s-app=kube-dns). */
    static Pod coreDns(String name, String node, String ip) {
        return pod("kube-system", name, node, Map.of("k8s-app", "kube-dns"), ip);
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
