package dev.netfence.cli.explain;

import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.eval.Flow;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.ObjectRef;
import dev.netfence.policy.model.Pod;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The smallest rule that would let a denied flow through one side, as YAML to paste into a
 * NetworkPolicy that selects the pod. Labels that controllers generate per revision (such as
 * {@code pod-template-hash}) are left out of the suggested selector: they change on every rollout.
 */
final class FixSuggestion {

    private static final Set<String> GENERATED_LABELS = Set.of("pod-template-hash", "controller-revision-hash",
            "pod-template-generation", "statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index");

    private FixSuggestion() {
    }

    /** {@code existing}: the NetworkPolicy to add the rule to, or null to suggest a new one. */
    static String forSide(Direction d, Pod subject, Endpoint peer, Flow flow, ObjectRef existing,
                          List<DefaultDeny> defaultDenies) {
        StringBuilder sb = new StringBuilder();
        if (existing != null) {
            sb.append("To allow it, add this rule to ").append(existing).append(" (or to another NetworkPolicy in namespace ")
                    .append(subject.namespace()).append(" that selects ").append(subject.key()).append("):\n");
        } else {
            sb.append("To allow it, create a NetworkPolicy in namespace ").append(subject.namespace())
                    .append(" whose podSelector matches ").append(subject.key()).append(" (")
                    .append(Wording.labels(stableLabels(subject.labels()))).append("), with policyTypes: [")
                    .append(d.apiName()).append("] and this rule:\n");
        }
        String peers = d == Direction.INGRESS ? "from" : "to";
        sb.append("  ").append(d.field()).append(":\n");
        sb.append("    - ").append(peers).append(":\n");
        sb.append(peerYaml(subject.namespace(), peer));
        sb.append("      ports:\n");
        sb.append("        - protocol: ").append(flow.protocol()).append('\n');
        sb.append("          port: ").append(flow.port()).append('\n');
        for (DefaultDeny dd : defaultDenies) {
            if (peer instanceof Endpoint.PodEndpoint pe && pe.pod().namespace().equals(subject.namespace())
                    && !dd.allowSameNamespace()) {
                sb.append("Or, since both pods are in namespace ").append(subject.namespace()).append(", set")
                        .append(" spec.allowSameNamespace: true in ").append(dd.ref()).append(".\n");
            }
            if (d == Direction.EGRESS && !dd.allowDNS() && flow.port() == 53) {
                sb.append("If this is DNS, set spec.allowDNS: true in ").append(dd.ref()).append(".\n");
            }
        }
        return sb.toString().stripTrailing();
    }

    private static String peerYaml(String policyNamespace, Endpoint peer) {
        StringBuilder sb = new StringBuilder();
        if (peer instanceof Endpoint.PodEndpoint pe) {
            Pod pod = pe.pod();
            String indent = "        - ";
            if (!pod.namespace().equals(policyNamespace)) {
                sb.append(indent).append("namespaceSelector:\n")
                        .append("            matchLabels:\n")
                        .append("              ").append(Namespace.NAME_LABEL).append(": ").append(scalar(pod.namespace())).append('\n');
                indent = "          ";
            }
            Map<String, String> labels = stableLabels(pod.labels());
            if (labels.isEmpty()) {
                sb.append(indent).append("podSelector: {}   # ").append(pod.key())
                        .append(" has no labels: this selects every pod of its namespace; label it to be precise\n");
            } else {
                sb.append(indent).append("podSelector:\n").append("            matchLabels:\n");
                labels.forEach((k, v) -> sb.append("              ").append(k).append(": ").append(scalar(v)).append('\n'));
            }
            return sb.toString();
        }
        String cidr = peer.ip() + (peer.ip().v6() ? "/128" : "/32");
        return sb.append("        - ipBlock:\n").append("            cidr: ").append(cidr).append('\n').toString();
    }

    /** A label value as a YAML string: quoted when YAML would read it as something else (1, true, null, "on"). */
    static String scalar(String value) {
        boolean plain = value.matches("[A-Za-z][A-Za-z0-9._/-]*")
                && !value.toLowerCase().matches("true|false|yes|no|on|off|null|y|n");
        return plain ? value : "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static Map<String, String> stableLabels(Map<String, String> labels) {
        Map<String, String> out = new TreeMap<>(labels);
        out.keySet().removeAll(GENERATED_LABELS);
        return out;
    }
}
