package dev.netfence.lab;

import static dev.netfence.policy.testing.Fixtures.ingress;
import static dev.netfence.policy.testing.Fixtures.matchLabels;
import static dev.netfence.policy.testing.Fixtures.peers;
import static dev.netfence.policy.testing.Fixtures.podPeer;
import static dev.netfence.policy.testing.Fixtures.podSelector;
import static dev.netfence.policy.testing.Fixtures.policy;
import static dev.netfence.policy.testing.Fixtures.rule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.netfence.enforcer.nft.ApplyResult;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.testing.E2eModel;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Successive snapshots in one lab: the per-node appliers send later changes as they would on a node. */
class LabEnforcerIT {

    @Test
    void aRelabelledPodIsLetInWithoutReplacingTheTable() {
        assumeTrue(Lab.prerequisitesMissing().isEmpty(), () -> "skipped: " + Lab.prerequisitesMissing().orElse(""));
        assumeTrue(LabEnforcer.unavailableReason().isEmpty(), () -> "skipped: " + LabEnforcer.unavailableReason().orElse(""));
        ClusterSnapshot onlyB = E2eModel.with(policy("x", "allow-b", podSelector(matchLabels("pod=a")),
                ingress(rule(peers(podPeer(matchLabels("pod=b")))))));
        Pod xc = onlyB.pod("x", "c").orElseThrow();
        ClusterSnapshot cToo = onlyB.toBuilder().pod(xc.withLabels(Map.of("pod", "b"))).build();

        try (Lab lab = Lab.up(onlyB)) {
            LabEnforcer enforcer = new LabEnforcer(lab);
            assertThat(enforcer.enforce(onlyB)).extractingByKey("node-1").extracting(ApplyResult::kind)
                    .isEqualTo(ApplyResult.Kind.FULL);
            assertThat(lab.measure(80, Protocol.TCP).allowed("x/c", "x/a")).isFalse();

            Map<String, ApplyResult> update = enforcer.enforce(cToo);

            assertThat(update.get("node-1").kind()).as("x/a's node: only set members changed").isEqualTo(ApplyResult.Kind.DELTA);
            ReachabilityMatrix after = lab.measure(80, Protocol.TCP);
            assertThat(after.allowed("x/c", "x/a")).isTrue();
            assertThat(after.allowed("y/b", "x/a")).as("pod=b of another namespace").isFalse();
        }
    }
}
