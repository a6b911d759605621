package dev.netfence.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.ContainerPort;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The webhook judges ClusterNetworkPolicy CREATE/UPDATE/DELETE like a NetworkPolicy: an Admin Deny
 * that cuts DNS is refused with the rule to insert; the same policy with a DNS Accept first is admitted.
 */
class ClusterPolicyAdmissionTest {

    static final ObjectMapper MAPPER = new ObjectMapper();

    static final ClusterSnapshot CLUSTER = ClusterSnapshot.builder()
            .namespace(Namespace.of("kube-system")).namespace(Namespace.of("shop"))
            .pod(new Pod("kube-system", "coredns", Map.of("k8s-app", "kube-dns"), List.of(IpAddress.parse("10.0.0.10")),
                    "node-1", false, List.of(new ContainerPort("dns", 53, Protocol.UDP), new ContainerPort("dns-tcp", 53, Protocol.TCP))))
            .pod(new Pod("shop", "web", Map.of("app", "web"), List.of(IpAddress.parse("10.0.1.1")), "node-1", false, List.of()))
            .build();

    static AdmissionReviewHandler handler() {
        ClusterViewSource source = new ClusterViewSource() {
            @Override
            public boolean synced() {
                return true;
            }

            @Override
            public ClusterView view() {
                return ClusterView.of(CLUSTER, List.of());
            }
        };
        return new AdmissionReviewHandler(MAPPER, source, new AdmissionJudge(WebhookSettings.DEFAULT),
                new AdmissionMetrics(new SimpleMeterRegistry()));
    }

    static ObjectNode review(String operation, boolean dnsFirst) throws Exception {
        ObjectNode r = MAPPER.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode req = r.putObject("request").put("uid", "u-1").put("operation", operation);
        req.putObject("kind").put("group", "policy.networking.k8s.io").put("version", "v1beta1").put("kind", "ClusterNetworkPolicy");
        String dns = """
                {"name": "keep-dns", "action": "Accept",
                 "to": [{"pods": {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                                  "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}}],
                 "protocols": [{"udp": {"destinationPort": {"number": 53}}}, {"tcp": {"destinationPort": {"number": 53}}}]},
                """;
        JsonNode object = MAPPER.readTree("""
                {"apiVersion": "policy.networking.k8s.io/v1beta1", "kind": "ClusterNetworkPolicy",
                 "metadata": {"name": "lockdown"},
                 "spec": {"tier": "Admin", "priority": 5, "subject": {"namespaces": {"matchLabels": {"kubernetes.io/metadata.name": "shop"}}},
                          "egress": [%s {"name": "deny-all", "action": "Deny", "to": [{"networks": ["0.0.0.0/0"]}]}]}}
                """.formatted(dnsFirst ? dns : ""));
        req.set("DELETE".equals(operation) ? "oldObject" : "object", object);
        return r;
    }

    static JsonNode answer(ObjectNode review) throws Exception {
        AdmissionReviewHandler.Answer a = handler().handle(review.toString().getBytes(StandardCharsets.UTF_8));
        return MAPPER.readTree(a.body()).get("response");
    }

    @Test
    void anAdminDenyThatCutsDnsIsRefused() throws Exception {
        JsonNode response = answer(review("CREATE", false));
        assertThat(response.path("allowed").asBoolean()).isFalse();
        assertThat(response.at("/status/code").asInt()).isEqualTo(403);
        assertThat(response.at("/status/message").asText())
                .startsWith("netfence refuses to create ClusterNetworkPolicy lockdown:\n- critical-flow spec.egress[0]: "
                        + "shop/web loses critical flow dns (UDP/53, TCP/53) to kube-system/coredns (10.0.0.10): their egress is "
                        + "denied by Admin tier, ClusterNetworkPolicy lockdown (priority 5) spec.egress[0].to[0] \"deny-all\": Deny")
                .contains("# insert this rule into spec.egress before spec.egress[0]");
    }

    @Test
    void theSamePolicyWithADnsAcceptFirstIsAdmitted() throws Exception {
        JsonNode response = answer(review("CREATE", true));
        assertThat(response.path("allowed").asBoolean()).as("%s", response).isTrue();
    }

    @Test
    void deletingIsJudgedToo() throws Exception {
        // the cluster holds no such policy: deleting it changes nothing, so it is admitted
        assertThat(answer(review("DELETE", false)).path("allowed").asBoolean()).isTrue();
    }
}
