package dev.netfence.crds.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfence.policy.model.ClusterNetworkPolicy;
import dev.netfence.policy.model.ClusterPeer;
import dev.netfence.policy.model.ClusterPort;
import dev.netfence.policy.model.RuleAction;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

/**
 * The adapter as informers use it (fabric8's deserialization, no strict field check): a peer with a
 * field this version does not know, or with domainNames, becomes an unknown peer the engine fails
 * closed on; structural errors name the field.
 */
class ClusterPolicyAdapterTest {

    static ClusterNetworkPolicy read(String spec) {
        String json = "{\"apiVersion\": \"policy.networking.k8s.io/v1beta1\", \"kind\": \"ClusterNetworkPolicy\", "
                + "\"metadata\": {\"name\": \"p\"}, \"spec\": " + spec + "}";
        return ClusterPolicyAdapter.clusterNetworkPolicy(
                Serialization.unmarshal(json, dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy.class));
    }

    @Test
    void peersOfAKindNetfenceCannotReadFailClosed() {
        ClusterNetworkPolicy cnp = read("""
                {"tier": "Admin", "priority": 1, "subject": {"namespaces": {}},
                 "egress": [{"action": "Deny", "to": [{"futurePeer": {"x": 1}}]},
                            {"action": "Accept", "to": [{"domainNames": ["example.com"]}]},
                            {"action": "Pass", "to": [{}], "protocols": [{"destinationNamedPort": "http"}]}]}
                """);
        assertThat(cnp.egress().get(0).peers()).containsExactly(new ClusterPeer.Unknown("futurePeer"));
        assertThat(cnp.egress().get(0).deniesAll()).isTrue();
        assertThat(cnp.egress().get(1).peers()).containsExactly(new ClusterPeer.Unknown("domainNames"));
        assertThat(cnp.egress().get(1).action()).isEqualTo(RuleAction.ACCEPT);
        assertThat(cnp.egress().get(1).deniesAll()).isFalse();
        assertThat(cnp.egress().get(2).peers()).containsExactly(new ClusterPeer.Unknown("a peer with no field set"));
        assertThat(cnp.egress().get(2).protocols()).containsExactly(ClusterPort.named("http"));
        assertThat(cnp.egress().get(2).deniesAll()).isTrue();
    }

    @Test
    void aPeerWithTwoFieldsNamesBoth() {
        assertThatThrownBy(() -> read("""
                {"tier": "Baseline", "priority": 1, "subject": {"pods": {"podSelector": {}}},
                 "ingress": [{"action": "Deny", "from": [{"namespaces": {}, "pods": {"podSelector": {}}}]}]}
                """)).isInstanceOfSatisfying(InvalidFieldException.class, e -> {
                    assertThat(e.fieldPath()).isEqualTo("spec.ingress[0].from[0]");
                    assertThat(e.getMessage()).isEqualTo("sets namespaces and pods: a peer sets exactly one field; split it "
                            + "into one peer per field");
                });
    }

    @Test
    void anUnknownActionIsRefusedWithTheValues() {
        assertThatThrownBy(() -> read("""
                {"tier": "Admin", "priority": 1, "subject": {"namespaces": {}},
                 "ingress": [{"action": "Allow", "from": [{"namespaces": {}}]}]}
                """)).isInstanceOfSatisfying(InvalidFieldException.class, e -> {
                    assertThat(e.fieldPath()).isEqualTo("spec.ingress[0].action");
                    assertThat(e.getMessage()).isEqualTo("unsupported value \"Allow\": supported values are \"Accept\", \"Deny\" and \"Pass\"");
                });
    }
}
