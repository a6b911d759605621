package dev.netfence.crds.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfence.policy.model.ContainerPort;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.PolicyPort;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The adapter as the operator and webhook use it: on fabric8 objects built in code or received from informers. */
class ModelAdapterTest {

    @Test
    void podFromFabric8() {
        Pod pod = ModelAdapter.pod(new PodBuilder()
                .withNewMetadata().withName("web-0").withNamespace("shop").addToLabels("app", "web").endMetadata()
                .withNewSpec().withNodeName("n1")
                .addNewContainer().withName("web")
                .addNewPort().withName("http").withContainerPort(8080).endPort()
                .addNewPort().withName("metrics").withContainerPort(9090).withProtocol("SCTP").endPort()
                .endContainer()
                .addNewContainer().withName("sidecar").addNewPort().withContainerPort(15001).endPort().endContainer()
                .endSpec()
                .withNewStatus().withPodIP("10.1.0.5").addNewPodIP("10.1.0.5").addNewPodIP("fd00::5").endStatus()
                .build());
        assertThat(pod.key()).isEqualTo("shop/web-0");
        assertThat(pod.ips()).containsExactly(IpAddress.parse("10.1.0.5"), IpAddress.parse("fd00::5"));
        assertThat(pod.ports()).containsExactly(new ContainerPort("http", 8080, Protocol.TCP),
                new ContainerPort("metrics", 9090, Protocol.SCTP), new ContainerPort(null, 15001, Protocol.TCP));
        assertThat(pod.resolveNamedPort("http", Protocol.TCP)).isEqualTo(8080);
    }

    @Test
    void aPendingPodHasNoAddressAndNoNamespaceMeansDefault() {
        Pod pod = ModelAdapter.pod(new PodBuilder().withNewMetadata().withName("p").endMetadata().build());
        assertThat(pod.namespace()).isEqualTo("default");
        assertThat(pod.ips()).isEmpty();
        assertThat(pod.nodeName()).isNull();
    }

    @Test
    void invalidAddressesAndProtocolsNameTheirField() {
        assertThatThrownBy(() -> ModelAdapter.pod(new PodBuilder().withNewMetadata().withName("p").endMetadata()
                .withNewStatus().withPodIP("not-an-ip").endStatus().build()))
                .isInstanceOfSatisfying(InvalidFieldException.class, e -> assertThat(e.fieldPath()).isEqualTo("status.podIP"));
        assertThatThrownBy(() -> ModelAdapter.pod(new PodBuilder().withNewMetadata().withName("p").endMetadata()
                .withNewSpec().addNewContainer().addNewPort().withContainerPort(80).withProtocol("ICMP").endPort()
                .endContainer().endSpec().build()))
                .isInstanceOfSatisfying(InvalidFieldException.class,
                        e -> assertThat(e.fieldPath()).isEqualTo("spec.containers[0].ports[0].protocol"));
    }

    @Test
    void nodeAddressesSkipHostNames() {
        var node = ModelAdapter.node(new NodeBuilder().withNewMetadata().withName("n1").endMetadata()
                .withNewStatus().addNewAddress("n1.example", "Hostname").addNewAddress("10.0.0.1", "InternalIP")
                .addNewAddress("2001:db8::1", "InternalIP").endStatus().build());
        assertThat(node.ips()).containsExactly(IpAddress.parse("10.0.0.1"), IpAddress.parse("2001:db8::1"));
    }

    @Test
    void networkPolicyFromTheApiTreatsOmittedAndEmptyRuleListsAlike() {
        NetworkPolicy np = ModelAdapter.networkPolicy(new NetworkPolicyBuilder()
                .withNewMetadata().withName("p").withNamespace("x").endMetadata()
                .withNewSpec().withNewPodSelector().endPodSelector().withPolicyTypes("Ingress", "Egress")
                .addNewEgress()
                .addNewTo().withNewNamespaceSelector().addToMatchLabels("team", "a").endNamespaceSelector().endTo()
                .addNewTo().withNewIpBlock().withCidr("10.0.0.0/8").withExcept("10.1.0.0/16").endIpBlock().endTo()
                .addNewPort().withPort(new IntOrString(53)).withProtocol("UDP").endPort()
                .addNewPort().withPort(new IntOrString("dns-tcp")).endPort()
                .addNewPort().withPort(new IntOrString(8000)).withEndPort(9000).endPort()
                .endEgress()
                .endSpec().build());
        assertThat(np.ingress()).as("[] and absent are indistinguishable in an API object: absent").isNull();
        assertThat(np.podSelector()).isEqualTo(LabelSelector.ALL);
        assertThat(np.egress().get(0).peers()).containsExactly(Peer.namespaces(LabelSelector.of("team", "a")),
                Peer.ipBlock("10.0.0.0/8", "10.1.0.0/16"));
        assertThat(np.egress().get(0).ports()).containsExactly(new PolicyPort("UDP", 53, null, null),
                new PolicyPort(null, null, "dns-tcp", null), new PolicyPort(null, 8000, null, 9000));
        assertThat(np.policyTypes()).containsExactly("Ingress", "Egress");
    }

    @Test
    void matchExpressionsKeepTheirOperatorAsWritten() {
        var selector = ModelAdapter.labelSelector(new io.fabric8.kubernetes.api.model.LabelSelectorBuilder()
                .addNewMatchExpression().withKey("tier").withOperator("NotIn").withValues("db").endMatchExpression()
                .addNewMatchExpression().withKey("x").withOperator("Bogus").endMatchExpression().build());
        assertThat(selector.matchExpressions()).containsExactly(
                new LabelSelector.Requirement("tier", "NotIn", List.of("db")),
                new LabelSelector.Requirement("x", "Bogus", List.of()));
        assertThat(ModelAdapter.labelSelector(null)).isNull();
    }
}
