package dev.netfence.cli.lint;

import dev.netfence.policy.analysis.Rules;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What each rule checks (one line) and how to fix what it finds (help), for SARIF rule metadata and {@code --help}. */
final class RuleDescriptions {

    record Rule(String id, String shortText, String help, String defaultLevel) {
    }

    /** Every rule, in a fixed order: SARIF's ruleIndex refers to it. */
    static final List<Rule> ALL = List.of(
            new Rule(Rules.INVALID, "The input is invalid: the API server would refuse it, or it cannot be read",
                    "Fix the field named in the message (YAML syntax, an unknown field, a wrong type, an invalid value); "
                            + "netfence lint checks nothing else until the input is valid.", "error"),
            new Rule(Rules.CRITICAL_FLOW, "Pods lose a critical flow (DNS or a CriticalFlow object) they had",
                    "Add the rule shown in the fix to the policy (or create the policy shown) so that the pods keep the flow; "
                            + "to accept the cut, annotate the policy with netfence.dev/allow-cut: FLOW.", "error"),
            new Rule(Rules.DNS_SELECTOR_UNSET_LABEL, "The DNS namespace is selected by a label Kubernetes does not set",
                    "Select the namespace by kubernetes.io/metadata.name, the label Kubernetes sets on every namespace.",
                    "warning"),
            new Rule(Rules.SPLIT_NAMESPACE_POD_PEER,
                    "namespaceSelector and podSelector written as two peers (OR) instead of one (AND)",
                    "Write them in one peer (one list item) to allow only the selected pods of the selected namespaces.",
                    "warning"),
            new Rule(Rules.IGNORED_RULES, "Rules of a direction that policyTypes lacks are ignored by Kubernetes",
                    "Add the direction to spec.policyTypes, or remove the rules.", "warning"),
            new Rule(Rules.SELECTS_NO_PODS, "A policy or a peer selects no pod",
                    "Check the labels against the pods' labels; in a policy-only repository give the cluster's namespaces "
                            + "and pods with --cluster-from.", "warning"),
            new Rule(Rules.UNEXPOSED_NAMED_PORT, "A named port that no destination pod exposes",
                    "Use the name of a container port of the destination pods, or the port number.", "warning"),
            new Rule(Rules.IPBLOCK_COVERS_PODS, "An ipBlock covers pod addresses; select pods instead",
                    "Pod IPs change: select the pods with podSelector/namespaceSelector, or add the pod network to except.",
                    "warning"),
            new Rule(Rules.IPBLOCK_COVERS_SERVICE_IP, "An ipBlock covers a Service ClusterIP, which NetworkPolicy never sees",
                    "kube-proxy rewrites the destination to the Service's endpoints before the policy is applied: select the "
                            + "Service's pods (namespaceSelector and podSelector) instead of its ClusterIP.", "warning"),
            new Rule(Rules.SAME_PRIORITY_OVERLAP,
                    "Two ClusterNetworkPolicies of one tier share a priority and select common pods",
                    "The API leaves their order to the implementation (Netfence: by name); give them distinct priorities.",
                    "warning"),
            new Rule(Rules.FAIL_CLOSED_PEER, "A ClusterNetworkPolicy peer Netfence cannot read fails closed",
                    "Use a namespaces, pods, nodes or networks peer: an unreadable peer matches nothing in an Accept rule "
                            + "and makes a Deny or Pass rule deny all.", "warning"));

    private static final Map<String, Rule> BY_ID = new LinkedHashMap<>();

    static {
        ALL.forEach(r -> BY_ID.put(r.id(), r));
    }

    private RuleDescriptions() {
    }

    static String of(String ruleId) {
        Rule r = BY_ID.get(ruleId);
        return r == null ? ruleId : r.shortText();
    }

    static int index(String ruleId) {
        return ALL.indexOf(BY_ID.get(ruleId));
    }
}
