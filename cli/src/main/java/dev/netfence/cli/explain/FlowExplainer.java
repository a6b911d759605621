package dev.netfence.cli.explain;

import dev.netfence.cli.explain.SideExplanation.Reason;
import dev.netfence.policy.eval.DecidingTier;
import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.eval.TierMatch;
import dev.netfence.policy.eval.Flow;
import dev.netfence.policy.eval.PolicyEngine;
import dev.netfence.policy.eval.RuleMatch;
import dev.netfence.policy.eval.SideVerdict;
import dev.netfence.policy.eval.Verdict;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.ObjectRef;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.PolicyRule;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Puts the engine's verdict into words: for each side, which policies isolate the pod, which rule
 * (and which of its peers and ports) allowed the flow, or, when none did, what each rule is missing.
 * The verdict itself always comes from {@link PolicyEngine}; this class only reads the policies again
 * to say why their rules did not match.
 */
public final class FlowExplainer {

    private final ClusterSnapshot snapshot;
    private final PolicyEngine engine;

    /** Explains the enforced verdict (audited policies change nothing). */
    public FlowExplainer(ClusterSnapshot snapshot) {
        this(snapshot, new PolicyEngine(snapshot));
    }

    /** Explains the verdict of {@code engine}: {@link PolicyEngine#asIfAuditedEnforced} for the audit verdict. */
    public FlowExplainer(ClusterSnapshot snapshot, PolicyEngine engine) {
        this.snapshot = snapshot;
        this.engine = engine;
    }

    public Explanation explain(Flow flow) {
        Verdict v = engine.evaluate(flow);
        return new Explanation(flow, side(v.egress(), flow), side(v.ingress(), flow));
    }

    private SideExplanation side(SideVerdict sv, Flow flow) {
        Direction d = sv.direction();
        Endpoint subject = d == Direction.EGRESS ? flow.source() : flow.destination();
        Endpoint peer = d == Direction.EGRESS ? flow.destination() : flow.source();
        List<String> tierRules = sv.tierMatches().stream().map(TierMatch::describe).toList();
        if (sv.decidedBy() == DecidingTier.ADMIN || sv.decidedBy() == DecidingTier.BASELINE) {
            TierMatch rule = sv.decidingRule();
            String note = sv.decidedBy() == DecidingTier.ADMIN
                    ? "the Admin tier decides before any NetworkPolicy: " + rule.policy() + " " + rule.fieldPath() + " "
                            + (sv.allowed() ? "accepts" : "denies") + " it" + (sv.allowed() ? "" : "; only a change of that "
                            + "ClusterNetworkPolicy (cluster administrators) opens it")
                    : "no NetworkPolicy selects " + ((Endpoint.PodEndpoint) subject).pod().key() + " for " + d.apiName()
                            + ", so the Baseline tier decides: " + rule.policy() + " " + rule.fieldPath() + " "
                            + (sv.allowed() ? "accepts" : "denies") + " it" + (sv.allowed() ? "" : "; a NetworkPolicy selecting the pod "
                            + "for " + d.apiName() + " overrides it (and then decides all its " + d.apiName() + " traffic)");
            return new SideExplanation(d, subject, sv.allowed(), sv.isolatedBy(), List.of(), List.of(), note, null,
                    sv.decidedBy().label(), tierRules);
        }
        if (!sv.isolated()) {
            return new SideExplanation(d, subject, true, List.of(), List.of(), List.of(), openNote(d, subject), null,
                    null, tierRules);
        }
        List<Reason> allowedBy = new ArrayList<>();
        for (RuleMatch m : sv.allowedBy()) {
            allowedBy.add(new Reason(m.policy(), m.fieldPath(), describeMatch(m, flow)));
        }
        if (sv.allowed()) {
            return new SideExplanation(d, subject, true, sv.isolatedBy(), allowedBy, List.of(), sv.note(), null, null,
                    tierRules);
        }
        Pod pod = ((Endpoint.PodEndpoint) subject).pod();
        List<Reason> notMatched = new ArrayList<>();
        List<DefaultDeny> defaultDenies = new ArrayList<>();
        for (ObjectRef ref : sv.isolatedBy()) {
            if (ref.kind().equals("NetworkPolicy")) {
                notMatched.addAll(policyMisses(networkPolicy(ref), d, pod, peer, flow));
            } else {
                DefaultDeny dd = defaultDeny(ref);
                defaultDenies.add(dd);
                notMatched.add(new Reason(ref, "spec", defaultDenyMiss(dd, d, pod, peer, flow)));
            }
        }
        String fix = FixSuggestion.forSide(snapshot, flow, d, defaultDenies);
        return new SideExplanation(d, subject, false, sv.isolatedBy(), List.of(), notMatched, sv.note(), fix, null,
                tierRules);
    }

    private static String openNote(Direction d, Endpoint subject) {
        if (subject instanceof Endpoint.Host h && h.pod() != null) {
            return h.pod().key() + " uses the host network: its traffic is node traffic, and NetworkPolicy does not restrict "
                    + (d == Direction.EGRESS ? "what a node sends" : "what a node receives");
        }
        if (!(subject instanceof Endpoint.PodEndpoint pe)) {
            return subject.describe() + " is not a pod: NetworkPolicy does not restrict "
                    + (d == Direction.EGRESS ? "what it sends" : "what it receives");
        }
        return "no NetworkPolicy or DefaultDeny selects " + pe.pod().key() + " for " + d.apiName() + ", so all its "
                + (d == Direction.EGRESS ? "outgoing" : "incoming") + " traffic is allowed";
    }

    private String describeMatch(RuleMatch m, Flow flow) {
        if (m.rule() < 0) {
            if (m.fieldPath().equals("spec.allowDNS")) {
                return "allowDNS: egress to the cluster DNS (" + snapshot.dns().namespace() + " pods with "
                        + snapshot.dns().podSelector() + ") on its DNS ports stays open";
            }
            return "allowSameNamespace: traffic between pods of namespace " + m.policy().namespace() + " is allowed";
        }
        NetworkPolicy np = networkPolicy(m.policy());
        PolicyRule rule = np.rules(m.direction()).get(m.rule());
        String peersField = m.direction() == Direction.INGRESS ? "from" : "to";
        String who = m.peer() < 0 ? "no " + peersField + " list: every peer"
                : peersField + "[" + m.peer() + "] " + Wording.peer(rule.peers().get(m.peer()), np.namespace());
        String ports = m.port() < 0 ? "no ports list: every port"
                : "ports[" + m.port() + "] " + Wording.port(rule.ports().get(m.port()), flow.destination());
        return who + "; " + ports;
    }

    /** For each rule of a policy in this direction, what did not match; a policy without rules only isolates. */
    private List<Reason> policyMisses(NetworkPolicy np, Direction d, Pod subject, Endpoint peer, Flow flow) {
        List<PolicyRule> rules = np.rules(d);
        List<Reason> out = new ArrayList<>();
        if (rules.isEmpty()) {
            String defaulted = np.policyTypes() == null && d == Direction.INGRESS
                    ? " (it sets no policyTypes, and policyTypes always defaults to include Ingress)" : "";
            out.add(new Reason(np.ref(), "spec." + d.field(), "has no " + d.field() + " rules: it selects "
                    + subject.key() + " only to deny all its " + d.apiName() + " traffic" + defaulted));
            return out;
        }
        String peersField = d == Direction.INGRESS ? "from" : "to";
        Endpoint destination = flow.destination();
        for (int r = 0; r < rules.size(); r++) {
            PolicyRule rule = rules.get(r);
            List<String> why = new ArrayList<>();
            if (!rule.peers().isEmpty() && !peerMatches(rule.peers(), np.namespace(), peer)) {
                List<String> perPeer = new ArrayList<>();
                for (int i = 0; i < rule.peers().size(); i++) {
                    Peer p = rule.peers().get(i);
                    String mismatch = Wording.peerMismatch(p, np.namespace(), peer, snapshot);
                    perPeer.add(peersField + "[" + i + "] " + Wording.peer(p, np.namespace())
                            + (mismatch == null ? "" : ": " + mismatch));
                }
                why.add((d == Direction.INGRESS ? "the source " : "the destination ") + Wording.endpoint(peer)
                        + " is not among its peers (" + String.join("; ", perPeer) + ")");
            }
            if (!rule.ports().isEmpty()
                    && PolicyEngine.matchingPort(rule.ports(), destination, flow.protocol(), flow.port()) < 0) {
                String ports = rule.ports().stream().map(p -> Wording.port(p, destination))
                        .collect(Collectors.joining(", "));
                why.add(flow.protocol() + "/" + flow.port() + " is not among its ports (" + ports + ")");
            }
            out.add(new Reason(np.ref(), "spec." + d.field() + "[" + r + "]", String.join("; and ", why)));
        }
        return out;
    }

    private boolean peerMatches(List<Peer> peers, String namespace, Endpoint peer) {
        return peers.stream().anyMatch(p -> engine.peerMatches(p, namespace, peer));
    }

    private String defaultDenyMiss(DefaultDeny dd, Direction d, Pod subject, Endpoint peer, Flow flow) {
        StringBuilder sb = new StringBuilder("isolates every pod of namespace " + dd.namespace() + " for " + d.apiName()
                + "; its exceptions do not cover this flow: ");
        List<String> parts = new ArrayList<>();
        if (d == Direction.EGRESS) {
            if (!dd.allowDNS()) {
                parts.add("allowDNS is false");
            } else {
                parts.add("allowDNS only opens " + dnsPorts() + " to " + snapshot.dns().namespace() + " pods with "
                        + snapshot.dns().podSelector());
            }
        }
        if (!dd.allowSameNamespace()) {
            parts.add("allowSameNamespace is false");
        } else {
            parts.add("allowSameNamespace only opens traffic within " + dd.namespace() + ", and "
                    + Wording.endpoint(peer) + " is not a pod of " + dd.namespace());
        }
        return sb.append(String.join("; ", parts)).toString();
    }

    private String dnsPorts() {
        return snapshot.dns().ports().stream().map(p -> p.protocol() + "/" + p.port()).collect(Collectors.joining(" and "));
    }

    private NetworkPolicy networkPolicy(ObjectRef ref) {
        return snapshot.policiesInNamespace(ref.namespace()).stream().filter(p -> p.name().equals(ref.name()))
                .findFirst().orElseThrow(() -> new IllegalStateException("verdict names unknown " + ref));
    }

    private DefaultDeny defaultDeny(ObjectRef ref) {
        return snapshot.defaultDeniesInNamespace(ref.namespace()).stream().filter(p -> p.name().equals(ref.name()))
                .findFirst().orElseThrow(() -> new IllegalStateException("verdict names unknown " + ref));
    }
}
