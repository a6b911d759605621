package dev.netfence.policy.analysis;

import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.PolicyPort;
import dev.netfence.policy.model.PolicyRule;
import dev.netfence.policy.net.IpAddress;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** YAML snippets that restore a critical flow, ready to paste into a manifest. */
final class FixSnippets {

    private FixSnippets() {
    }

    /**
     * {@code spec.egress} (or {@code spec.ingress}) rule to add to an existing NetworkPolicy, with a
     * YAML comment saying whether to append it to the list the policy has ({@code hasNoList}: add the list).
     */
    static String ruleToAdd(CriticalFlow flow, Direction side, Collection<CriticalPort> ports, boolean hasNoList) {
        StringBuilder y = new StringBuilder(hasNoList
                ? "# add this spec." + side.field() + " list (the policy has none)\n"
                : "# append this rule to the policy's spec." + side.field() + " list, keeping the rules it has\n");
        y.append("spec:\n");
        rule(y, "  ", flow, side, ports);
        return y.toString();
    }

    /** A whole NetworkPolicy that allows the flow for the pods selected by {@code podSelector}. */
    static String policyToCreate(String namespace, LabelSelector podSelector, CriticalFlow flow, Direction side,
                                 Collection<CriticalPort> ports) {
        StringBuilder y = new StringBuilder();
        y.append("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n")
                .append("  name: allow-").append(flow.name()).append('-').append(side.field()).append('\n')
                .append("  namespace: ").append(namespace).append('\n')
                .append("spec:\n");
        selector(y, "  ", "podSelector", podSelector);
        y.append("  policyTypes:\n  - ").append(side.apiName()).append('\n');
        rule(y, "  ", flow, side, ports);
        return y.toString();
    }

    /** A whole NetworkPolicy manifest, ready for {@code kubectl apply -f -}. */
    static String policyManifest(NetworkPolicy np) {
        StringBuilder y = new StringBuilder();
        y.append("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n")
                .append("  name: ").append(np.name()).append('\n')
                .append("  namespace: ").append(np.namespace()).append('\n')
                .append("spec:\n");
        selector(y, "  ", "podSelector", np.podSelector());
        if (np.policyTypes() != null) {
            y.append("  policyTypes:\n");
            np.policyTypes().forEach(t -> y.append("  - ").append(t).append('\n'));
        }
        for (Direction d : List.of(Direction.INGRESS, Direction.EGRESS)) {
            List<PolicyRule> rules = d == Direction.INGRESS ? np.ingress() : np.egress();
            if (rules != null) {
                y.append("  ").append(d.field()).append(rules.isEmpty() ? ": []\n" : ":\n");
                rules.forEach(r -> ruleItem(y, "  ", d, r));
            }
        }
        return y.toString();
    }

    /** {@code spec: {egress: [rule]}}: one rule to add to a policy's list. */
    static String ruleSnippet(Direction d, PolicyRule rule) {
        StringBuilder y = new StringBuilder("spec:\n  ").append(d.field()).append(":\n");
        ruleItem(y, "  ", d, rule);
        return y.toString();
    }

    /** One item of an ingress/egress list, {@code in} being the indentation of the list's key. */
    private static void ruleItem(StringBuilder y, String in, Direction d, PolicyRule rule) {
        String first = in + "- ";
        String rest = in + "  ";
        boolean started = false;
        if (!rule.peers().isEmpty()) {
            y.append(first).append(d == Direction.INGRESS ? "from" : "to").append(":\n");
            started = true;
            for (Peer peer : rule.peers()) {
                String item = rest + "- ";
                String cont = rest + "  ";
                boolean continues = true;
                y.append(item);
                if (peer.namespaceSelector() != null) {
                    selector(y, cont, "namespaceSelector", peer.namespaceSelector(), continues);
                    continues = false;
                }
                if (peer.podSelector() != null) {
                    selector(y, cont, "podSelector", peer.podSelector(), continues);
                    continues = false;
                }
                if (peer.ipBlock() != null) {
                    if (!continues) {
                        y.append(cont);
                    }
                    y.append("ipBlock:\n").append(cont).append("  cidr: ").append(peer.ipBlock().cidr()).append('\n');
                    if (!peer.ipBlock().except().isEmpty()) {
                        y.append(cont).append("  except:\n");
                        peer.ipBlock().except().forEach(e -> y.append(cont).append("  - ").append(e).append('\n'));
                    }
                }
            }
        }
        if (!rule.ports().isEmpty()) {
            y.append(started ? rest : first).append("ports:\n");
            started = true;
            for (PolicyPort p : rule.ports()) {
                y.append(rest).append("- protocol: ").append(p.protocol()).append('\n');
                if (p.number() != null || p.name() != null) {
                    y.append(rest).append("  port: ").append(p.number() != null ? p.number() : p.name()).append('\n');
                }
                if (p.endPort() != null) {
                    y.append(rest).append("  endPort: ").append(p.endPort()).append('\n');
                }
            }
        }
        if (!started) {
            y.append(first).append("{}\n");
        }
    }

    /**
     * A ClusterNetworkPolicy rule that accepts the flow, to insert before the rule that denies it:
     * rules are evaluated in written order, the first matching one decides.
     */
    static String clusterAcceptRule(CriticalFlow flow, Direction side, Collection<CriticalPort> ports, String beforePath) {
        StringBuilder y = new StringBuilder("# insert this rule into spec." + side.field() + " before " + beforePath
                + " (the first matching rule decides)\nspec:\n");
        y.append("  ").append(side.field()).append(":\n");
        y.append("  - name: keep-").append(flow.name()).append('\n');
        y.append("    action: Accept\n");
        y.append("    ").append(side == Direction.EGRESS ? "to" : "from").append(":\n");
        String peer = "    ";
        if (side == Direction.EGRESS) {
            if (flow.destinationPods() != null) {
                y.append(peer).append("- pods:\n");
                selector(y, peer + "    ", "namespaceSelector", orAll(flow.destinationNamespaces()));
                selector(y, peer + "    ", "podSelector", flow.destinationPods());
            }
            if (!flow.destinationIps().isEmpty()) {
                y.append(peer).append("- networks:\n");
                for (IpAddress ip : flow.destinationIps()) {
                    y.append(peer).append("  - ").append(ip).append(ip.v6() ? "/128" : "/32").append('\n');
                }
            }
        } else {
            y.append(peer).append("- pods:\n");
            selector(y, peer + "    ", "namespaceSelector", orAll(flow.sourceNamespaces()));
            selector(y, peer + "    ", "podSelector", orAll(flow.sourcePods()));
        }
        y.append("    protocols:\n");
        for (CriticalPort p : ports) {
            if (p.name() != null) {
                y.append("    - destinationNamedPort: ").append(p.name()).append('\n');
            } else {
                y.append("    - ").append(p.protocol().name().toLowerCase(java.util.Locale.ROOT)).append(":\n")
                        .append("        destinationPort:\n          number: ").append(p.number()).append('\n');
            }
        }
        return y.toString();
    }

    static String allowDns() {
        return "spec:\n  allowDNS: true\n";
    }

    private static void rule(StringBuilder y, String in, CriticalFlow flow, Direction side, Collection<CriticalPort> ports) {
        y.append(in).append(side.field()).append(":\n");
        y.append(in).append("- ").append(side == Direction.EGRESS ? "to" : "from").append(":\n");
        String peer = in + "  ";
        if (side == Direction.EGRESS) {
            if (flow.destinationPods() != null) {
                y.append(peer).append("- ");
                selector(y, peer + "  ", "namespaceSelector", orAll(flow.destinationNamespaces()), true);
                selector(y, peer + "  ", "podSelector", flow.destinationPods());
            }
            for (IpAddress ip : flow.destinationIps()) {
                y.append(peer).append("- ipBlock:\n").append(peer).append("    cidr: ").append(ip)
                        .append(ip.v6() ? "/128" : "/32").append('\n');
            }
        } else {
            y.append(peer).append("- ");
            selector(y, peer + "  ", "namespaceSelector", orAll(flow.sourceNamespaces()), true);
            if (flow.sourcePods() != null) {
                selector(y, peer + "  ", "podSelector", flow.sourcePods());
            }
        }
        y.append(in).append("  ports:\n");
        for (CriticalPort p : ports) {
            y.append(in).append("  - protocol: ").append(p.protocol()).append('\n')
                    .append(in).append("    port: ").append(p.name() != null ? p.name() : p.number()).append('\n');
        }
    }

    private static LabelSelector orAll(LabelSelector s) {
        return s == null ? LabelSelector.ALL : s;
    }

    private static void selector(StringBuilder y, String in, String field, LabelSelector s) {
        selector(y, in, field, s, false);
    }

    /** Writes {@code field: ...}; {@code continuesListItem}: the first line follows a {@code "- "} already written. */
    private static void selector(StringBuilder y, String in, String field, LabelSelector s, boolean continuesListItem) {
        if (!continuesListItem) {
            y.append(in);
        }
        if (s.isEmpty()) {
            y.append(field).append(": {}\n");
            return;
        }
        y.append(field).append(":\n");
        if (!s.matchLabels().isEmpty()) {
            y.append(in).append("  matchLabels:\n");
            new TreeMap<>(s.matchLabels()).forEach((k, v) -> y.append(in).append("    ").append(k).append(": ")
                    .append(quote(v)).append('\n'));
        }
        if (!s.matchExpressions().isEmpty()) {
            y.append(in).append("  matchExpressions:\n");
            for (LabelSelector.Requirement r : s.matchExpressions()) {
                y.append(in).append("  - key: ").append(r.key()).append('\n')
                        .append(in).append("    operator: ").append(r.operator()).append('\n');
                if (!r.values().isEmpty()) {
                    y.append(in).append("    values: [").append(String.join(", ", r.values().stream().map(FixSnippets::quote).toList()))
                            .append("]\n");
                }
            }
        }
    }

    /** Compiled once: String.matches compiled it again for every label value of every fix (~3% of a decision's CPU in a profile of JudgeCost). */
    private static final Pattern NOT_A_STRING_IN_YAML = Pattern.compile("(?i)true|false|yes|no|on|off|null|~|[-+]?[0-9.]+(e[-+]?[0-9]+)?");

    /** Label values that YAML would read as something else than a string are quoted. */
    static String quote(String v) {
        if (v.isEmpty() || NOT_A_STRING_IN_YAML.matcher(v).matches()) {
            return "\"" + v + "\"";
        }
        return v;
    }

    static String namespaceSelectorByName(String namespace) {
        return "namespaceSelector:\n  matchLabels:\n    kubernetes.io/metadata.name: " + namespace + "\n";
    }

    static String mergedPeer(LabelSelector namespaceSelector, LabelSelector podSelector) {
        StringBuilder y = new StringBuilder("- ");
        selector(y, "  ", "namespaceSelector", namespaceSelector, true);
        selector(y, "  ", "podSelector", podSelector);
        return y.toString();
    }

    static String policyTypes(List<String> types) {
        StringBuilder y = new StringBuilder("spec:\n  policyTypes:\n");
        types.forEach(t -> y.append("  - ").append(t).append('\n'));
        return y.toString();
    }
}
