package dev.netfence.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.crds.NodeRuleSetStatus;
import dev.netfence.cluster.ClusterModel;
import dev.netfence.cluster.ClusterSettings;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.Direction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Only DefaultDenies whose realization changed are announced to the status reconciler. */
class DefaultDenyRealizationsTest {

    private static ClusterModel state() {
        ClusterModel state = new ClusterModel(ClusterSettings.DEFAULTS);
        state.putDefaultDeny(new DefaultDeny("shop", "deny", Set.of(Direction.INGRESS, Direction.EGRESS), true, false, null), 1);
        state.putDefaultDeny(new DefaultDeny("other", "deny", Set.of(Direction.EGRESS), true, false, null), 4);
        state.refuse(dev.netfence.cluster.ClusterChange.Kind.DEFAULT_DENY, "other", "typo", "spec.exemptPodSelector: unsupported operator");
        return state;
    }

    private static Map<String, DefaultDenyRealization> realize(ClusterModel state, Map<String, NodeRuleSetStatus> statuses) {
        return DefaultDenyRealization.of(new RealizationSummary(DefaultDenyStatusAggregatorTest.twoNodesDenied(), statuses::get),
                state);
    }

    @Test
    void announcesEveryDefaultDenyFirstThenOnlyTheChangedOnes() {
        DefaultDenyRealizations realizations = new DefaultDenyRealizations();
        List<String> announced = new ArrayList<>();
        realizations.onChange(announced::add);
        ClusterModel state = state();

        realizations.publish(realize(state, Map.of()));
        assertThat(announced).containsExactlyInAnyOrder("shop/deny", "other/deny", "other/typo");
        assertThat(realizations.of("shop", "deny").realization().nodesDesired()).containsExactly("n1", "n2");
        assertThat(realizations.of("shop", "deny").compiledGeneration()).isEqualTo(1);
        assertThat(realizations.of("other", "typo").invalid()).contains("unsupported operator");

        // the same sync again: nothing to reconcile
        announced.clear();
        realizations.publish(realize(state, Map.of()));
        assertThat(announced).isEmpty();

        // an enforcer reports an error on n2: only the DefaultDeny realized on n2 changes
        announced.clear();
        Map<String, NodeRuleSetStatus> statuses = new HashMap<>();
        NodeRuleSetStatus failed = new NodeRuleSetStatus();
        failed.error = "nftables: Error";
        statuses.put("n2", failed);
        realizations.publish(realize(state, statuses));
        assertThat(announced).containsExactly("shop/deny");

        // a DefaultDeny that is gone is announced too (the reconciler then finds no primary and does nothing)
        announced.clear();
        state.removeDefaultDeny("other", "deny");
        realizations.publish(realize(state, statuses));
        assertThat(announced).containsExactly("other/deny");
    }

    @Test
    void afterForgettingEveryDefaultDenyIsAnnouncedAgain() {
        DefaultDenyRealizations realizations = new DefaultDenyRealizations();
        List<String> announced = new ArrayList<>();
        realizations.onChange(announced::add);
        ClusterModel state = state();
        realizations.publish(realize(state, Map.of()));

        realizations.forget();
        assertThat(realizations.of("shop", "deny")).isNull();
        announced.clear();
        realizations.publish(realize(state, Map.of()));
        assertThat(announced).containsExactlyInAnyOrder("shop/deny", "other/deny", "other/typo");
    }

    @Test
    void onlyTheAttachedLeaderMayWrite() {
        DefaultDenyRealizations realizations = new DefaultDenyRealizations();
        assertThat(realizations.leading()).isFalse();
        boolean[] leader = {true};
        realizations.attach(() -> leader[0]);
        assertThat(realizations.leading()).isTrue();
        leader[0] = false;
        assertThat(realizations.leading()).isFalse();
        leader[0] = true;
        realizations.detach();
        assertThat(realizations.leading()).isFalse();
    }

    @Test
    void aRefusedSpecIsReportedAgainstTheGenerationTheApiServerHolds() {
        Map<String, DefaultDenyRealization> r = realize(state(), Map.of());
        assertThat(r.get("shop/deny").status(7, null, "2026-11-27T00:00:00Z").observedGeneration).isEqualTo(1L);
        var typo = r.get("other/typo").status(7, null, "2026-11-27T00:00:00Z");
        assertThat(typo.observedGeneration).isEqualTo(7L);
        assertThat(typo.conditions).anySatisfy(c -> {
            assertThat(c.type).isEqualTo("Ready");
            assertThat(c.reason).isEqualTo("InvalidSpec");
        });
    }
}
