package dev.netfence.cli.lint;

import dev.netfence.policy.analysis.Rules;
import java.util.Map;

/** One line per rule id, for SARIF rule metadata and {@code --help}. */
final class RuleDescriptions {

    private static final Map<String, String> TEXT = Map.of(
            Rules.CRITICAL_FLOW, "Pods lose a critical flow (DNS or a CriticalFlow object) they had",
            Rules.DNS_SELECTOR_UNSET_LABEL, "The DNS namespace is selected by a label Kubernetes does not set",
            Rules.SPLIT_NAMESPACE_POD_PEER, "namespaceSelector and podSelector written as two peers (OR) instead of one (AND)",
            Rules.IGNORED_RULES, "Rules of a direction that policyTypes lacks are ignored by Kubernetes",
            Rules.SELECTS_NO_PODS, "A policy or a peer selects no pod",
            Rules.UNEXPOSED_NAMED_PORT, "A named port that no destination pod exposes",
            Rules.IPBLOCK_COVERS_PODS, "An ipBlock covers pod addresses; select pods instead",
            Rules.INVALID, "The object is invalid");

    private RuleDescriptions() {
    }

    static String of(String ruleId) {
        return TEXT.getOrDefault(ruleId, ruleId);
    }
}
