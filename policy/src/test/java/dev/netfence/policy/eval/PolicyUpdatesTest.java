package dev.netfence.policy.eval;

import static dev.netfence.policy.testing.Fixtures.defaultDeny;
import static dev.netfence.policy.testing.Fixtures.ingress;
import static dev.netfence.policy.testing.Fixtures.matchLabels;
import static dev.netfence.policy.testing.Fixtures.namespace;
import static dev.netfence.policy.testing.Fixtures.namespacePeer;
import static dev.netfence.policy.testing.Fixtures.onNode;
import static dev.netfence.policy.testing.Fixtures.peers;
import static dev.netfence.policy.testing.Fixtures.pod;
import static dev.netfence.policy.testing.Fixtures.podIps;
import static dev.netfence.policy.testing.Fixtures.podLabels;
import static dev.netfence.policy.testing.Fixtures.podPeer;
import static dev.netfence.policy.testing.Fixtures.podSelector;
import static dev.netfence.policy.testing.Fixtures.policy;
import static dev.netfence.policy.testing.Fixtures.policyTypes;
import static dev.netfence.policy.testing.Fixtures.rule;
import static dev.netfence.policy.testing.Flows.flow;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.testing.E2eModel;
import dev.netfence.policy.testing.Flows;
import dev.netfence.policy.testing.Reachability;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Snapshots change by {@code toBuilder()}: a policy replaced by namespace/name or deleted, pods and
 * namespaces relabelled, pods deleted and created. The engine of the new snapshot follows; the old
 * snapshot and its engine stay as they were.
 */
class PolicyUpdatesTest {

    static String table(ClusterSnapshot s) {
        return Reachability.probe(s, Protocol.TCP, 80).toString();
    }

    static String expected(String table) {
        return Reachability.parse(table).toString();
    }

    @Test
    void aPolicyUpdateReplacesThePolicyOfTheSameName() {
        ClusterSnapshot before = E2eModel.with(policy("x", "web", ingress()));
        ClusterSnapshot after = before.toBuilder()
                .policy(policy("x", "web", podSelector(matchLabels("pod=a")),
                        ingress(rule(peers(namespacePeer(matchLabels("ns=y")))))))
                .build();

        assertThat(table(after)).isEqualTo(expected(E2eReachabilityTest.XA_FROM_Y_ONLY));
        assertThat(after.policies()).hasSize(1);
        assertThat(table(before)).isEqualTo(expected(E2eReachabilityTest.X_INGRESS_DENIED));
    }

    @Test
    void aPolicyUpdateCanSwitchDirection() {
        ClusterSnapshot before = E2eModel.with(policy("x", "deny", policyTypes("Ingress")));
        ClusterSnapshot after = before.toBuilder().policy(policy("x", "deny", policyTypes("Egress"))).build();
        assertThat(table(after)).isEqualTo(expected(E2eReachabilityTest.X_EGRESS_DENIED));
    }

    @Test
    void deletingPoliciesAndDefaultDeniesOpensTheNamespaceAgain() {
        ClusterSnapshot before = E2eModel.builder()
                .policy(policy("x", "deny-ingress"))
                .policy(policy("x", "allow-y", podSelector(matchLabels("pod=a")),
                        ingress(rule(peers(namespacePeer(matchLabels("ns=y")))))))
                .defaultDeny(defaultDeny("y"))
                .build();
        PolicyEngine engineBefore = new PolicyEngine(before);

        ClusterSnapshot onlyAllowY = before.toBuilder().removePolicy("x", "deny-ingress").removeDefaultDeny("y", "default-deny")
                .build();
        assertThat(table(onlyAllowY)).isEqualTo(expected(E2eReachabilityTest.XA_FROM_Y_ONLY));

        ClusterSnapshot nothing = onlyAllowY.toBuilder().removePolicy("x", "allow-y").build();
        assertThat(table(nothing)).isEqualTo(expected(E2eReachabilityTest.ALL_ALLOWED));

        // the old snapshot, and an engine built on it, are unchanged
        assertThat(before.policies()).hasSize(2);
        assertThat(engineBefore.allowed(flow(before, "z/a", "x/b", Protocol.TCP, 80))).isFalse();
        assertThat(engineBefore.allowed(flow(before, "x/a", "y/a", Protocol.TCP, 80))).isFalse();
    }

    @Test
    void relabelledPeerPodsGainAndLoseAccess() {
        ClusterSnapshot before = E2eModel.with(policy("x", "allow-b", podSelector(matchLabels("pod=a")),
                ingress(rule(peers(podPeer(matchLabels("pod=b")))))));
        assertThat(table(before)).isEqualTo(expected(E2eReachabilityTest.XA_FROM_XB_ONLY));

        ClusterSnapshot after = before.toBuilder()
                .pod(Flows.pod(before, "x/c").withLabels(Map.of("pod", "b")))
                .pod(Flows.pod(before, "x/b").withLabels(Map.of("pod", "d")))
                .build();
        assertThat(table(after)).isEqualTo(expected("""
                -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
                x/a  .   .   .   .   .   .   .   .   .
                x/b  X   .   .   .   .   .   .   .   .
                x/c  .   .   .   .   .   .   .   .   .
                y/a  X   .   .   .   .   .   .   .   .
                y/b  X   .   .   .   .   .   .   .   .
                y/c  X   .   .   .   .   .   .   .   .
                z/a  X   .   .   .   .   .   .   .   .
                z/b  X   .   .   .   .   .   .   .   .
                z/c  X   .   .   .   .   .   .   .   .
                """));
    }

    @Test
    void aRelabelledSubjectPodLeavesThePolicy() {
        ClusterSnapshot before = E2eModel.with(policy("x", "deny-a", podSelector(matchLabels("pod=a")), ingress()));
        assertThat(table(before)).isEqualTo(expected(E2eReachabilityTest.XA_INGRESS_DENIED));
        ClusterSnapshot after = before.toBuilder()
                .pod(Flows.pod(before, "x/a").withLabels(Map.of("pod", "a-renamed")))
                .pod(Flows.pod(before, "x/b").withLabels(Map.of("pod", "a")))
                .build();
        assertThat(table(after)).isEqualTo(expected("""
                -   x/a x/b x/c y/a y/b y/c z/a z/b z/c
                x/a  .   X   .   .   .   .   .   .   .
                x/b  .   .   .   .   .   .   .   .   .
                x/c  .   X   .   .   .   .   .   .   .
                y/a  .   X   .   .   .   .   .   .   .
                y/b  .   X   .   .   .   .   .   .   .
                y/c  .   X   .   .   .   .   .   .   .
                z/a  .   X   .   .   .   .   .   .   .
                z/b  .   X   .   .   .   .   .   .   .
                z/c  .   X   .   .   .   .   .   .   .
                """));
    }

    @Test
    void relabelledNamespacesGainAndLoseAccess() {
        ClusterSnapshot before = E2eModel.with(policy("x", "allow-y", podSelector(matchLabels("pod=a")),
                ingress(rule(peers(namespacePeer(matchLabels("ns=y")))))));
        ClusterSnapshot after = before.toBuilder()
                .namespace(namespace("z", "ns=y"))
                .namespace(namespace("y", "ns=not-y"))
                .build();
        assertThat(table(after)).isEqualTo(expected(E2eReachabilityTest.XA_FROM_Z_ONLY));
        assertThat(table(before)).isEqualTo(expected(E2eReachabilityTest.XA_FROM_Y_ONLY));
    }

    @Test
    void deletedAndCreatedPods() {
        ClusterSnapshot before = E2eModel.with(policy("x", "allow-b", podSelector(matchLabels("pod=a")),
                ingress(rule(peers(podPeer(matchLabels("pod=b")))))));
        ClusterSnapshot after = before.toBuilder()
                .removePod("x", "b")
                .pod(pod("x", "d", podLabels("pod=b"), podIps("10.0.1.4"), onNode("node-1")))
                .build();
        PolicyEngine engine = new PolicyEngine(after);
        assertThat(after.pod("x", "b")).isEmpty();
        assertThat(engine.allowed(flow(after, "x/d", "x/a", Protocol.TCP, 80))).isTrue();
        assertThat(engine.allowed(flow(after, "x/c", "x/a", Protocol.TCP, 80))).isFalse();
        // x/b's old address now belongs to nobody: it is judged as an address, which selectors never match
        assertThat(engine.allowed(flow(Flows.address("10.0.1.2"), Flows.endpoint(after, "x/a"), Protocol.TCP, 80))).isFalse();
    }
}
