package dev.netfence.policy.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.LabelSelector.Operator;
import dev.netfence.policy.model.LabelSelector.Requirement;
import dev.netfence.policy.model.NetworkPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code CriticalFlowAnalysis.selectingAny} (the policies of a namespace that select one of the judged pods, with
 * a pre-filter on the label values present) chooses exactly the policies, in the same order, as matching every
 * selector against every label set, over random selectors (matchLabels, every matchExpressions operator, empty)
 * and label sets drawn from small alphabets so that matches, near misses and shared keys are frequent. Every other
 * round draws from 12 keys, so that the judged pods have more than 8 label keys among them (selectingAny then checks
 * a policy's matchLabels entries one by one instead of walking the pods' keys).
 */
class SelectingAnyTest {

    static final String[] KEYS = {"app", "tier", "env", "k8s-app"};
    static final String[] WIDE_KEYS = {"app", "tier", "env", "k8s-app", "team", "zone", "version", "track", "owner",
        "release", "component", "part-of"};
    static final String[] VALUES = {"a", "b", "c", "web", ""};

    /** The alphabet of label keys of the current round. */
    private static String[] keys = KEYS;

    @Test
    void sameAsMatchingEveryLabelSet() {
        Random random = new Random(20261202);
        int selected = 0;
        for (int round = 0; round < 2_000; round++) {
            keys = round % 2 == 0 ? KEYS : WIDE_KEYS;
            List<NetworkPolicy> policies = new ArrayList<>();
            for (int i = 0, n = random.nextInt(40); i < n; i++) {
                policies.add(new NetworkPolicy("ns", "p" + i, selector(random), List.of("Ingress"), List.of(), List.of(), Map.of()));
            }
            Set<Map<String, String>> labelSets = new HashSet<>();
            for (int i = 0, n = random.nextInt(keys == KEYS ? 5 : 8); i < n; i++) {
                labelSets.add(labels(random));
            }
            List<NetworkPolicy> expected = new ArrayList<>();
            for (NetworkPolicy np : policies) {
                if (labelSets.stream().anyMatch(l -> np.podSelector().matches(l))) {
                    expected.add(np);
                }
            }
            List<NetworkPolicy> actual = new ArrayList<>();
            CriticalFlowAnalysis.selectingAny(policies, labelSets, actual);
            assertThat(actual).as("round %d, label sets %s", round, labelSets).containsExactlyElementsOf(expected);
            selected += expected.size();
        }
        assertThat(selected).as("the random cases select some policies").isGreaterThan(1_000);
    }

    static Map<String, String> labels(Random random) {
        Map<String, String> labels = new HashMap<>();
        for (int i = 0, n = random.nextInt(keys == KEYS ? 4 : 7); i < n; i++) {
            labels.put(keys[random.nextInt(keys.length)], VALUES[random.nextInt(VALUES.length)]);
        }
        return labels;
    }

    static LabelSelector selector(Random random) {
        Map<String, String> matchLabels = random.nextInt(4) == 0 ? Map.of() : labels(random);
        List<Requirement> expressions = new ArrayList<>();
        for (int i = 0, n = random.nextInt(3) == 0 ? random.nextInt(3) : 0; i < n; i++) {
            Operator op = Operator.values()[random.nextInt(Operator.values().length)];
            List<String> values = op == Operator.IN || op == Operator.NOT_IN
                    ? List.of(VALUES[random.nextInt(VALUES.length)], VALUES[random.nextInt(VALUES.length)]) : List.of();
            expressions.add(new Requirement(keys[random.nextInt(keys.length)], op, values));
        }
        return new LabelSelector(matchLabels, expressions);
    }
}
