package dev.netfence.policy.eval;

import static dev.netfence.policy.testing.ClusterPolicies.admin;
import static dev.netfence.policy.testing.ClusterPolicies.deny;
import static dev.netfence.policy.testing.ClusterPolicies.ingress;
import static dev.netfence.policy.testing.ClusterPolicies.namespaces;
import static dev.netfence.policy.testing.ClusterPolicies.namespacesSubject;
import static dev.netfence.policy.testing.ClusterPolicies.peers;
import static dev.netfence.policy.testing.Fixtures.matchLabels;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.policy.model.ClusterDelta;
import dev.netfence.policy.model.ClusterNetworkPolicy;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.model.Tier;
import dev.netfence.policy.testing.E2eModel;
import dev.netfence.policy.testing.Flows;
import org.junit.jupiter.api.Test;

/**
 * ClusterNetworkPolicies through {@link ClusterSnapshot#apply(ClusterDelta)}: a snapshot updated by
 * deltas equals one built from the same objects (incremental == full), and answers alike.
 */
class ClusterPolicyUpdatesTest {

    static final ClusterNetworkPolicy DENY_Y = admin("deny-y", 10, namespacesSubject(matchLabels("ns=x")),
            ingress(deny("no-y", peers(namespaces(matchLabels("ns=y"))))));

    @Test
    void addingChangingAndRemovingAPolicyByDeltaEqualsBuildingIt() {
        ClusterSnapshot base = E2eModel.builder().build();
        ClusterSnapshot added = base.apply(ClusterDelta.builder().clusterPolicy(DENY_Y).build());
        assertThat(added).isEqualTo(E2eModel.builder().clusterPolicy(DENY_Y).build());
        assertThat(new PolicyEngine(added).allowed(Flows.flow(added, "y/b", "x/a", Protocol.TCP, 80))).isFalse();
        assertThat(new PolicyEngine(base).allowed(Flows.flow(base, "y/b", "x/a", Protocol.TCP, 80))).isTrue();

        ClusterNetworkPolicy baseline = new ClusterNetworkPolicy("deny-y", Tier.BASELINE, 10, DENY_Y.subject(),
                DENY_Y.ingress(), DENY_Y.egress());
        ClusterSnapshot changed = added.apply(ClusterDelta.builder().clusterPolicy(baseline).build());
        assertThat(changed.clusterPolicies(Tier.ADMIN)).isEmpty();
        assertThat(changed.clusterPolicies(Tier.BASELINE)).containsExactly(baseline);
        assertThat(changed).isEqualTo(E2eModel.builder().clusterPolicy(baseline).build());

        ClusterSnapshot removed = changed.apply(ClusterDelta.builder().removeClusterPolicy("deny-y").build());
        assertThat(removed).isEqualTo(base);
        assertThat(removed.clusterPolicies()).isEmpty();
        // the snapshots before stay as they were
        assertThat(added.clusterPolicy("deny-y")).contains(DENY_Y);
    }

    @Test
    void deltasMergeLastWriteWins() {
        ClusterDelta d = ClusterDelta.builder().clusterPolicy(DENY_Y).build()
                .then(ClusterDelta.builder().removeClusterPolicy("deny-y").build());
        assertThat(d.clusterPolicies()).isEmpty();
        assertThat(d.removedClusterPolicies()).containsExactly("deny-y");
        assertThat(d.size()).isEqualTo(1);
    }
}
