package dev.netfence.webhook;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * Checks an AdmissionReview's size, nesting and rule counts with Jackson's streaming parser,
 * before anything is built from it: a hostile policy (tens of thousands of rules, or four
 * 1.5 MB objects at once) costs a scan of its bytes, not a tree or an object graph. It also finds
 * {@code request.uid}, so the refusal is an AdmissionReview answer the user sees in kubectl.
 */
final class RequestLimits {

    /** Deeper than any NetworkPolicy or DefaultDeny (about 10 levels): refused before it costs a deep tree. */
    static final int MAX_DEPTH = 64;

    private static final JsonFactory JSON = new JsonFactory();

    private final WebhookSettings.Limits limits;

    RequestLimits(WebhookSettings.Limits limits) {
        this.limits = limits;
    }

    /** What the scan found: the request uid (empty if not found) and the first limit exceeded, if any. */
    record Scan(String uid, Optional<String> problem) {
    }

    Scan scan(byte[] body) {
        if (body.length > limits.maxRequestBytes()) {
            return new Scan(uidNear(body), Optional.of("the AdmissionReview is " + body.length + " bytes, more than the "
                    + limits.maxRequestBytes() + " bytes netfence judges (netfence.webhook.limits.max-request-bytes)"));
        }
        String uid = "";
        // path of field names from the root; arrays push "[]"
        Deque<String> path = new ArrayDeque<>();
        String field = null;
        int[] rules = new int[2];      // object, oldObject
        int[] entries = new int[2];
        try (JsonParser p = JSON.createParser(body)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                switch (t) {
                    case FIELD_NAME -> {
                        field = p.currentName();
                        if ("matchLabels".equals(path.peek())) {
                            selectorTerm(path, entries);
                        }
                    }
                    case START_OBJECT, START_ARRAY -> {
                        path.push(field == null ? "[]" : field);
                        field = null;
                        if (path.size() > MAX_DEPTH) {
                            return new Scan(uid, Optional.of("the AdmissionReview nests deeper than " + MAX_DEPTH + " levels"));
                        }
                        if (t == JsonToken.START_OBJECT && path.size() >= 6) {
                            count(path, rules, entries);
                        }
                    }
                    case END_OBJECT, END_ARRAY -> {
                        path.pop();
                        field = null;
                    }
                    default -> {
                        if (t == JsonToken.VALUE_STRING && "values".equals(path.peek())) {
                            selectorTerm(path, entries);
                        }
                        if (t == JsonToken.VALUE_STRING && "uid".equals(field) && path.size() == 2
                                && "request".equals(path.peek())) {
                            uid = p.getText();
                        }
                        field = null;
                    }
                }
                for (int i = 0; i < 2; i++) {
                    String which = i == 0 ? "request.object" : "request.oldObject";
                    if (rules[i] > limits.maxRules()) {
                        return new Scan(uid, Optional.of(which + ".spec has more than " + limits.maxRules()
                                + " ingress and egress rules, the most netfence judges (netfence.webhook.limits.max-rules);"
                                + " split the policy or merge rules that share peers"));
                    }
                    if (entries[i] > limits.maxRuleEntries()) {
                        return new Scan(uid, Optional.of(which + ".spec has more than " + limits.maxRuleEntries()
                                + " peers, ports and selector terms, the most netfence judges"
                                + " (netfence.webhook.limits.max-rule-entries); use ipBlocks or selectors that cover several peers"));
                    }
                }
            }
        } catch (IOException e) {
            return new Scan(uid, Optional.empty());   // not JSON: the parser after this says so, with the position
        }
        return new Scan(uid, Optional.empty());
    }

    /**
     * Counts, for request.object and request.oldObject: elements of spec.ingress / spec.egress (rules), and
     * elements of their from / to / ports (entries). {@code path} is innermost first.
     */
    private static void count(Deque<String> path, int[] rules, int[] entries) {
        Object[] p = path.toArray();   // innermost first
        int n = p.length;
        // outermost: [root "[]"], "request", "object"|"oldObject", "spec", "ingress"|"egress", "[]" (a rule)
        if (n < 6 || !"request".equals(p[n - 2]) || !"spec".equals(p[n - 4])) {
            return;
        }
        int which = "object".equals(p[n - 3]) ? 0 : "oldObject".equals(p[n - 3]) ? 1 : -1;
        if (which < 0 || !("ingress".equals(p[n - 5]) || "egress".equals(p[n - 5]))) {
            return;
        }
        if (n == 6) {
            rules[which]++;
        } else if (n == 8 && ("from".equals(p[n - 7]) || "to".equals(p[n - 7]) || "ports".equals(p[n - 7]))) {
            entries[which]++;
        }
    }

    /**
     * A matchLabels entry or a matchExpressions value anywhere in the spec of request.object or
     * request.oldObject: selectors of tens of thousands of terms cost the analysis seconds.
     */
    private static void selectorTerm(Deque<String> path, int[] entries) {
        Object[] p = path.toArray();
        int n = p.length;
        if (n >= 5 && "request".equals(p[n - 2]) && "spec".equals(p[n - 4])) {
            if ("object".equals(p[n - 3])) {
                entries[0]++;
            } else if ("oldObject".equals(p[n - 3])) {
                entries[1]++;
            }
        }
    }

    /** The uid of an oversized request, from its first bytes only (the API server writes request.uid first). */
    private static String uidNear(byte[] body) {
        String head = new String(body, 0, Math.min(body.length, 4096), java.nio.charset.StandardCharsets.UTF_8);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"uid\"\\s*:\\s*\"([^\"]{1,128})\"").matcher(head);
        return m.find() ? m.group(1) : "";
    }
}
