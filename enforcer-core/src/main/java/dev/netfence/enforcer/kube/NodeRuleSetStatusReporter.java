package dev.netfence.enforcer.kube;

import dev.netfence.crds.NodeRuleSet;
import dev.netfence.crds.NodeRuleSetStatus;
import dev.netfence.crds.SchemaRules;
import dev.netfence.enforcer.loop.EnforcementState;
import dev.netfence.enforcer.loop.StatusSink;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Objects;

/**
 * Writes what the enforcer did into its NodeRuleSet's status: the content hash of the rule set in
 * force (computed by the enforcer from what it applied, so a hand-edited spec never reports the
 * operator's hash), when it was first applied, the rule and element counts, the pods announced by the
 * CNI plugin that it does not name yet (held, fail-closed), and the last error (the previous rules stay
 * in force then). Written only when its content differs from the status the
 * informer holds: an unchanged state writes nothing, however often it is reported. A conflict (the
 * operator just rewrote the spec) is thrown, so the loop keeps the report pending for the next event.
 */
public final class NodeRuleSetStatusReporter implements StatusSink {
    private final KubernetesClient client;
    private final KubernetesRuleSetSource source;
    private final String enforcer;

    public NodeRuleSetStatusReporter(KubernetesClient client, KubernetesRuleSetSource source, String enforcer) {
        this.client = client;
        this.source = source;
        this.enforcer = enforcer;
    }

    /** The status write lost a race with a spec write; report again with the newer object. */
    public static final class StatusConflictException extends RuntimeException {
        StatusConflictException(String message) {
            super(message);
        }
    }

    @Override
    public boolean report(EnforcementState state) {
        NodeRuleSet published = source.published();
        if (published == null) {
            return false;
        }
        NodeRuleSetStatus status = status(state);
        if (same(status, published.getStatus())) {
            return false;
        }
        NodeRuleSet copy = client.getKubernetesSerialization().clone(published);
        copy.setStatus(status);
        try {
            client.resource(copy).updateStatus();
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return false; // the NodeRuleSet was deleted: nothing to report on
            }
            if (e.getCode() == 409) {
                // the informer's copy is older than the object (the operator just rewrote the spec): the
                // caller keeps the report pending and repeats it on the next event, which that write is
                throw new StatusConflictException("NodeRuleSet " + published.getMetadata().getName()
                        + " changed while its status was written (resourceVersion conflict)");
            }
            throw e;
        }
    }

    NodeRuleSetStatus status(EnforcementState state) {
        NodeRuleSetStatus s = new NodeRuleSetStatus();
        s.appliedHash = state.ruleSetHash();
        s.appliedTime = state.appliedAt() == null ? null : state.appliedAt().toString();
        s.error = bounded(state.lastError());
        // errorTime is not written: re-stamping it on every retry would be a write per retry
        s.enforcer = enforcer;
        if (!state.waitingPods().isEmpty()) {
            // absent when none wait, so a node without new pods writes the status it always did
            s.podsWaiting = state.waitingPods().size();
            s.waitingPods = state.waitingPods().stream().limit(SchemaRules.MAX_WAITING_PODS_LISTED).toList();
        }
        if (state.lastResult() != null) {
            s.rules = state.lastResult().rules();
            s.elements = state.lastResult().elements();
            s.applyKind = state.lastResult().kind().name();
        }
        return s;
    }

    /**
     * The CRD caps {@code status.error} ({@link SchemaRules#MAX_ERROR_LENGTH}): a longer message (an nft error
     * quoting a large script) would make the API server refuse the whole status write with 422, and the
     * node would report nothing at all. The start of the message says what failed; the rest is cut, saying so.
     */
    static String bounded(String error) {
        if (error == null || error.length() <= SchemaRules.MAX_ERROR_LENGTH) {
            return error;
        }
        String tail = " ... (cut: " + error.length() + " characters)";
        return error.substring(0, (int) SchemaRules.MAX_ERROR_LENGTH - tail.length()) + tail;
    }

    private static boolean same(NodeRuleSetStatus a, NodeRuleSetStatus b) {
        return b != null && Objects.equals(a.appliedHash, b.appliedHash) && Objects.equals(a.appliedTime, b.appliedTime)
                && Objects.equals(a.error, b.error) && Objects.equals(a.rules, b.rules)
                && Objects.equals(a.elements, b.elements) && Objects.equals(a.applyKind, b.applyKind)
                && Objects.equals(a.enforcer, b.enforcer) && Objects.equals(a.podsWaiting, b.podsWaiting)
                && Objects.equals(a.waitingPods, b.waitingPods);
    }
}
