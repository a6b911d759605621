package dev.netfence.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.crds.adapter.ModelAdapter;
import dev.netfence.policy.analysis.Change;
import dev.netfence.policy.analysis.PolicyObject;
import dev.netfence.policy.model.ClusterDns;
import dev.netfence.policy.model.ClusterSnapshot;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The decision alone, on fixed views: what the webhook and {@code netfence demo} both answer. */
class AdmissionJudgeTest {

    static final AdmissionJudge JUDGE = new AdmissionJudge(WebhookSettings.DEFAULT);

    static ClusterSnapshot cluster() {
        ClusterSnapshot.Builder b = ClusterSnapshot.builder().dns(ClusterDns.DEFAULT);
        for (String ns : List.of("kube-system", "shop")) {
            b.namespace(ModelAdapter.namespace(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()));
        }
        b.pod(pod("kube-system", "coredns", "10.0.0.10", Map.of("k8s-app", "kube-dns")));
        b.pod(pod("shop", "web-1", "10.0.1.1", Map.of("app", "web")));
        return b.build();
    }

    static dev.netfence.policy.model.Pod pod(String ns, String name, String ip, Map<String, String> labels) {
        return ModelAdapter.pod(new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).withLabels(labels)
                .endMetadata().withNewSpec().withNodeName("node-1").endSpec().withNewStatus().withPodIP(ip).addNewPodIP(ip)
                .endStatus().build());
    }

    /** shop/lockdown: web's egress only to app=db on 5432, which cuts DNS. */
    static PolicyObject lockdown() {
        NetworkPolicy np = new NetworkPolicyBuilder().withNewMetadata().withNamespace("shop").withName("lockdown").endMetadata()
                .withNewSpec().withNewPodSelector().addToMatchLabels("app", "web").endPodSelector().withPolicyTypes("Egress")
                .addNewEgress().addNewTo().withNewPodSelector().addToMatchLabels("app", "db").endPodSelector().endTo()
                .addNewPort().withProtocol("TCP").withPort(new IntOrString(5432)).endPort().endEgress().endSpec().build();
        return PolicyObject.of(ModelAdapter.networkPolicy(np));
    }

    @Test
    void aCutOfDnsIsRefusedWithTheMessageKubectlPrints() {
        AdmissionDecision d = JUDGE.decide(ClusterView.of(cluster(), List.of()), Change.create(lockdown()));
        assertThat(d.allowed()).isFalse();
        assertThat(d.refusal().orElseThrow()).startsWith("netfence refuses to create NetworkPolicy shop/lockdown:\n"
                + "- critical-flow spec.egress: shop/web-1 loses critical flow dns (UDP/53, TCP/53)");
    }

    @Test
    void nothingInANamespaceBeingDeletedIsRefused() {
        ClusterView leaving = new ClusterView(1, cluster(), Set.of("shop"), List.of());
        assertThat(JUDGE.decide(leaving, Change.create(lockdown())).allowed()).isTrue();
    }

    @Test
    void warningsAreOneShortLine() {
        assertThat(AdmissionJudge.shorten("a\n   b " + "x".repeat(200))).hasSize(120).startsWith("a b x").endsWith("...");
    }
}
