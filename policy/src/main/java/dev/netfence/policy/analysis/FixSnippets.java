package dev.netfence.policy.analysis;

import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.net.IpAddress;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/** YAML snippets that restore a critical flow, ready to paste into a manifest. */
final class FixSnippets {

    private FixSnippets() {
    }

    /** {@code spec.egress} (or {@code spec.ingress}) rule to add to an existing NetworkPolicy. */
    static String ruleToAdd(CriticalFlow flow, Direction side, Collection<CriticalPort> ports) {
        StringBuilder y = new StringBuilder("spec:\n");
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

    /** Label values that YAML would read as something else than a string are quoted. */
    static String quote(String v) {
        if (v.isEmpty() || v.matches("(?i)true|false|yes|no|on|off|null|~|[-+]?[0-9.]+(e[-+]?[0-9]+)?")) {
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
