package dev.netfence.enforcer.kube;

import dev.netfence.crds.NodeRuleSet;
import dev.netfence.crds.NodeRuleSetStatus;
import dev.netfence.enforcer.loop.EnforcementState;
import dev.netfence.enforcer.loop.StatusSink;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Objects;

/**
 * Writes what the enforcer did into its NodeRuleSet's status: the content hash of the rule set in
 * force (computed by the enforcer from what it applied, so a hand-edited spec never reports the
 * operator's hash), when it was first applied, the rule and element counts, and the last error (the
 * previous rules stay in force then). Written only when its content differs from the status the
 * informer holds: an unchanged state writes nothing, however often it is reported. A conflict (the
 * operator just rewrote the spec, which is an event and so another report) is not retried here.
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
            if (e.getCode() == 409 || e.getCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    NodeRuleSetStatus status(EnforcementState state) {
        NodeRuleSetStatus s = new NodeRuleSetStatus();
        s.appliedHash = state.ruleSetHash();
        s.appliedTime = state.appliedAt() == null ? null : state.appliedAt().toString();
        s.error = state.lastError();
        // errorTime is not written: re-stamping it on every retry would be a write per retry
        s.enforcer = enforcer;
        if (state.lastResult() != null) {
            s.rules = state.lastResult().rules();
            s.elements = state.lastResult().elements();
            s.applyKind = state.lastResult().kind().name();
        }
        return s;
    }

    private static boolean same(NodeRuleSetStatus a, NodeRuleSetStatus b) {
        return b != null && Objects.equals(a.appliedHash, b.appliedHash) && Objects.equals(a.appliedTime, b.appliedTime)
                && Objects.equals(a.error, b.error) && Objects.equals(a.rules, b.rules)
                && Objects.equals(a.elements, b.elements) && Objects.equals(a.applyKind, b.applyKind)
                && Objects.equals(a.enforcer, b.enforcer);
    }
}
