package dev.netfence.cli.explain;

import dev.netfence.cli.common.JsonText;
import dev.netfence.cli.explain.SideExplanation.Reason;
import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.model.ObjectRef;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The explanation for tools: {@code {"allowed": false, "protocol": "TCP", "port": 80, "source": {...},
 * "destination": {...}, "egress": {...}, "ingress": {...}}}; each side has {@code allowed},
 * {@code isolated}, {@code isolatedBy}, {@code allowedBy}, {@code notMatched} (policy, fieldPath, reason),
 * {@code note} and {@code fix} (null when not denied).
 */
public final class ExplanationJson {

    private ExplanationJson() {
    }

    public static String render(Explanation e) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("allowed", e.allowed());
        json.put("protocol", e.flow().protocol().name());
        json.put("port", e.flow().port());
        json.put("source", endpoint(e.flow().source()));
        json.put("destination", endpoint(e.flow().destination()));
        json.put("egress", side(e.egress()));
        json.put("ingress", side(e.ingress()));
        return JsonText.write(json);
    }

    private static Map<String, Object> endpoint(Endpoint ep) {
        Map<String, Object> json = new LinkedHashMap<>();
        if (ep instanceof Endpoint.PodEndpoint p) {
            json.put("kind", "pod");
            json.put("pod", p.pod().key());
        } else if (ep instanceof Endpoint.Host h) {
            json.put("kind", h.pod() != null ? "host-network pod" : h.nodeName() != null ? "node" : "external");
            json.put("pod", h.pod() == null ? null : h.pod().key());
        }
        json.put("ip", ep.ip().toString());
        json.put("node", ep.nodeName());
        return json;
    }

    private static Map<String, Object> side(SideExplanation s) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("allowed", s.allowed());
        json.put("isolated", s.isolated());
        json.put("isolatedBy", s.isolatedBy().stream().map(ObjectRef::toString).toList());
        json.put("allowedBy", reasons(s.allowedBy(), "description"));
        json.put("notMatched", reasons(s.notMatched(), "reason"));
        json.put("note", s.note());
        json.put("fix", s.fix());
        json.put("decidedBy", s.decidedBy() == null ? (s.isolated() ? "NetworkPolicy tier" : null) : s.decidedBy());
        json.put("clusterPolicyRules", s.tierRules());
        return json;
    }

    private static List<Map<String, Object>> reasons(List<Reason> reasons, String textField) {
        return reasons.stream().map(r -> {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("policy", r.policy().toString());
            json.put("fieldPath", r.fieldPath());
            json.put(textField, r.text());
            return json;
        }).toList();
    }
}
