package dev.netfence.webhook;

import dev.netfence.policy.analysis.Change;
import dev.netfence.policy.analysis.CriticalFlow;
import dev.netfence.policy.analysis.DenialMessage;
import dev.netfence.policy.analysis.Finding;
import dev.netfence.policy.analysis.PolicyAnalyzer;
import dev.netfence.policy.analysis.PolicyObject;
import dev.netfence.policy.analysis.Rules;
import dev.netfence.policy.analysis.Severity;
import dev.netfence.policy.model.NetworkPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The admission decision: a change to the policies of one namespace (CREATE, UPDATE, or DELETE
 * judged on the old object) against a view of the cluster. Refused when some pod had a critical
 * flow before and not after; lint findings that are not errors become warnings. Nothing in a
 * namespace being deleted is ever refused. The webhook and {@code netfence demo} both call this.
 *
 * <p>Two rules of trust are decided here. The built-in DNS flow is always checked unless the
 * webhook's own setting switches it off: a CriticalFlow named {@code dns} is judged in addition to
 * it (it may add NodeLocal addresses or ports), never instead of it, since anyone who may write
 * CriticalFlows could otherwise switch the DNS check off. And {@code netfence.dev/allow-cut} is
 * honoured only from members of the configured groups: otherwise the object is judged as if the
 * annotation were absent, and the refusal says why.
 */
public final class AdmissionJudge {

    /** The name of the webhook in src/main/kubernetes/webhook/validatingwebhookconfiguration.yaml, as kubectl quotes it. */
    public static final String WEBHOOK_NAME = "policies.netfence.dev";

    static final int MAX_WARNING = 120;

    private final WebhookSettings settings;
    /** Judges the built-in DNS flow next to any declared one (see the class comment and PolicyAnalyzer.flows). */
    private final PolicyAnalyzer analyzer;

    public AdmissionJudge(WebhookSettings settings) {
        this.settings = settings;
        this.analyzer = new PolicyAnalyzer(settings.analysis());
    }

    public WebhookSettings settings() {
        return settings;
    }

    /** The decision for {@code change} by a user with no group (the demo's view of "a developer applies it"). */
    public AdmissionDecision decide(ClusterView view, Change change) {
        return decide(view, change, AdmissionUser.NOBODY);
    }

    public AdmissionDecision decide(ClusterView view, Change change, AdmissionUser user) {
        if (change.namespace() != null && view.terminatingNamespaces().contains(change.namespace())) {
            return AdmissionDecision.admit(change);
        }
        boolean asksCut = change.subject().annotations().containsKey(Rules.ALLOW_CUT_ANNOTATION);
        boolean mayCut = user.groups().stream().anyMatch(settings.allowCutGroups()::contains);
        Change judged = asksCut && !mayCut ? withoutAllowCut(change) : change;

        List<Finding> findings = analyzer.review(view.snapshot(), judged, view.criticalFlows());
        List<Finding> errors = findings.stream().filter(f -> f.severity() == Severity.ERROR).toList();
        List<String> warnings = new ArrayList<>(findings.stream().filter(f -> f.severity() == Severity.WARNING)
                .map(f -> shorten(f.shortText())).toList());
        String ignoredCut = asksCut && !mayCut ? allowCutRefused(user) : null;
        Optional<String> refusal = Optional.empty();
        if (!errors.isEmpty()) {
            String message = DenialMessage.of(change, errors);
            refusal = Optional.of(ignoredCut == null ? message : message + "\n" + ignoredCut);
        } else if (ignoredCut != null) {
            warnings.add(shorten(ignoredCut));
        }
        return new AdmissionDecision(change, findings, refusal, warnings);
    }

    private String allowCutRefused(AdmissionUser user) {
        String groups = settings.allowCutGroups().isEmpty() ? "none are configured"
                : "configured: " + String.join(", ", settings.allowCutGroups().stream().sorted().toList());
        return "the annotation " + Rules.ALLOW_CUT_ANNOTATION + " was not honoured: user \"" + user.username()
                + "\" is in no group allowed to cut critical flows (netfence.webhook.allow-cut-groups; " + groups
                + "); ask a member of one to apply it";
    }

    private static Change withoutAllowCut(Change change) {
        List<PolicyObject> removed = change.removed().stream().map(AdmissionJudge::withoutAllowCut).toList();
        List<PolicyObject> added = change.added().stream().map(AdmissionJudge::withoutAllowCut).toList();
        PolicyObject subject = withoutAllowCut(change.subject());
        return new Change(change.operation(), removed, added, subject);
    }

    private static PolicyObject withoutAllowCut(PolicyObject o) {
        if (!o.annotations().containsKey(Rules.ALLOW_CUT_ANNOTATION)) {
            return o;
        }
        Map<String, String> annotations = new HashMap<>(o.annotations());
        annotations.remove(Rules.ALLOW_CUT_ANNOTATION);
        if (o instanceof PolicyObject.Policy p) {
            NetworkPolicy np = p.policy();
            return PolicyObject.of(new NetworkPolicy(np.namespace(), np.name(), np.podSelector(), np.policyTypes(),
                    np.ingress(), np.egress(), annotations));
        }
        if (o instanceof PolicyObject.Cluster c) {
            return PolicyObject.of(c.policy(), annotations);
        }
        return PolicyObject.of(((PolicyObject.Deny) o).defaultDeny(), annotations);
    }

    /**
     * A CriticalFlow object to be created or updated (already converted, so valid). One named
     * {@code dns} is admitted with a warning saying that it extends the built-in check.
     */
    public AdmissionDecision decideCriticalFlow(CriticalFlow flow) {
        List<String> warnings = new ArrayList<>();
        if (flow.isDns()) {
            warnings.add(shorten(settings.analysis().checkDns()
                    ? "CriticalFlow dns extends the built-in DNS check; only netfence.webhook.dns.check=false turns that off"
                    : "CriticalFlow dns is checked; the built-in DNS check is off (netfence.webhook.dns.check=false)"));
        }
        return new AdmissionDecision(null, List.of(), Optional.empty(), warnings);
    }

    /** Warnings are one line of at most 120 characters: {@code path.to.field: message}. */
    static String shorten(String text) {
        String oneLine = text.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= MAX_WARNING ? oneLine : oneLine.substring(0, MAX_WARNING - 3) + "...";
    }

}
