package dev.netfence.policy.analysis;

import dev.netfence.policy.eval.DecidingTier;
import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.eval.Flow;
import dev.netfence.policy.eval.PolicyEngine;
import dev.netfence.policy.eval.SideVerdict;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.IpBlock;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.ObjectRef;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.PolicyPort;
import dev.netfence.policy.model.PolicyRule;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The narrowest change that lets one denied flow through one side, and nothing else.
 *
 * <p>NetworkPolicy is additive: a rule added to a policy opens its peers and ports for every pod
 * the policy selects. Adding the rule to a policy with {@code podSelector: {}} would open the flow
 * for every pod of the namespace; adding it to a new policy would isolate, in that direction, any
 * pod it selects that was not isolated before. So the fix
 * <ul>
 *   <li>extends an isolating NetworkPolicy only if every pod it selects is a twin of the flow's pod
 *       (the same labels, generated ones aside: replicas, which no selector tells apart);</li>
 *   <li>else creates a new NetworkPolicy whose podSelector selects exactly the pod's twins: its own
 *       labels (without those controllers generate per revision, such as {@code pod-template-hash})
 *       plus {@code DoesNotExist} for the labels of other pods that carry all of them. The twins
 *       are isolated by the same objects as the pod (isolation depends only on labels), so the new
 *       policy isolates nothing new;</li>
 *   <li>names the peer the same way: its twins in its namespace, or its address when it is not a pod.</li>
 * </ul>
 * Applying the fix therefore changes only the flows from the source's twins to the destination's
 * twins on that port (exactly one when the pods have no twins): {@code FlowFixPropertyTest}.
 */
public record FlowFix(Direction direction, ObjectRef extended, boolean appendsToList, NetworkPolicy result, PolicyRule rule,
                      Pod subject, int subjectTwins) {

    /** Labels that controllers set per revision or per replica: they change on every rollout, or name one pod. */
    public static final Set<String> GENERATED_LABELS = Set.of("pod-template-hash", "controller-revision-hash",
            "pod-template-generation", "statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index",
            "batch.kubernetes.io/controller-uid", "controller-uid", "batch.kubernetes.io/job-name", "job-name");

    /** True when the fix creates {@link #result} as a new policy; false when it adds {@link #rule} to {@link #extended}. */
    public boolean createsPolicy() {
        return extended == null;
    }

    /**
     * The fix for the {@code side} of a flow that this side denies, or empty when that side allows
     * it or its subject is not a pod (NetworkPolicy does not restrict hosts), and when a
     * ClusterNetworkPolicy (Admin or Baseline tier) denied it: no NetworkPolicy change opens that.
     */
    public static Optional<FlowFix> of(ClusterSnapshot snapshot, Flow flow, Direction side) {
        PolicyEngine engine = new PolicyEngine(snapshot);
        SideVerdict sv = side == Direction.EGRESS ? engine.evaluate(flow).egress() : engine.evaluate(flow).ingress();
        Endpoint subjectEnd = side == Direction.EGRESS ? flow.source() : flow.destination();
        Endpoint peerEnd = side == Direction.EGRESS ? flow.destination() : flow.source();
        if (sv.allowed() || !(subjectEnd instanceof Endpoint.PodEndpoint subjectPod)) {
            return Optional.empty();
        }
        if (sv.decidedBy() != DecidingTier.NETWORK_POLICY) {
            // A ClusterNetworkPolicy denied it: an Admin Deny no NetworkPolicy overrides, and a Baseline
            // Deny a new NetworkPolicy would override only by isolating the pod for every other flow too.
            // The fix is the cluster administrator's (the explanation names the rule).
            return Optional.empty();
        }
        Pod subject = subjectPod.pod();
        int twins = (int) snapshot.podsInNamespace(subject.namespace()).stream()
                .filter(p -> !p.hostNetwork() && !p.name().equals(subject.name()) && twins(p, subject)).count();
        PolicyRule rule = new PolicyRule(List.of(peer(snapshot, subject.namespace(), peerEnd)),
                List.of(PolicyPort.of(flow.protocol(), flow.port())));

        List<NetworkPolicy> narrow = new ArrayList<>();
        for (ObjectRef ref : sv.isolatedBy()) {
            if (!ref.kind().equals("NetworkPolicy")) {
                continue;
            }
            NetworkPolicy np = policy(snapshot, ref);
            List<Pod> selected = snapshot.selectPods(np.namespace(), np.podSelector());
            if (selected.stream().allMatch(p -> twins(p, subject))) {
                narrow.add(np);
            }
        }
        // a policy that already has rules in this direction is where one more reads naturally
        narrow.sort(Comparator.comparing((NetworkPolicy np) -> np.rules(side).isEmpty()).thenComparing(NetworkPolicy::name));
        if (!narrow.isEmpty()) {
            NetworkPolicy np = narrow.get(0);
            List<PolicyRule> rules = new ArrayList<>(np.rules(side));
            rules.add(rule);
            NetworkPolicy result = side == Direction.EGRESS
                    ? new NetworkPolicy(np.namespace(), np.name(), np.podSelector(), np.policyTypes(), np.ingress(), rules, np.annotations())
                    : new NetworkPolicy(np.namespace(), np.name(), np.podSelector(), np.policyTypes(), rules, np.egress(), np.annotations());
            return Optional.of(new FlowFix(side, np.ref(), !np.rules(side).isEmpty(), result, rule, subject, twins));
        }
        LabelSelector podSelector = exactSelector(snapshot, subject);
        NetworkPolicy created = new NetworkPolicy(subject.namespace(), newName(snapshot, subject, peerEnd, side, flow),
                podSelector, List.of(side.apiName()), side == Direction.INGRESS ? List.of(rule) : null,
                side == Direction.EGRESS ? List.of(rule) : null, null);
        return Optional.of(new FlowFix(side, null, false, created, rule, subject, twins));
    }

    /** The YAML to paste: the whole new policy, or {@code spec: {egress: [rule]}} to add to {@link #extended}. */
    public String yaml() {
        return createsPolicy() ? FixSnippets.policyManifest(result) : FixSnippets.ruleSnippet(direction, rule);
    }

    /** What to do with {@link #yaml()}, in one sentence naming the policy and whether to append to its list. */
    public String instruction() {
        String field = "spec." + direction.field();
        String who = subject.key() + (subjectTwins == 0 ? "" : " and the " + subjectTwins + " other pod"
                + (subjectTwins == 1 ? "" : "s") + " with the same labels");
        if (createsPolicy()) {
            return "create this NetworkPolicy: it selects only " + who + ", already isolated for " + direction.apiName()
                    + ", so it opens this flow and nothing else:";
        }
        if (appendsToList) {
            return "append this rule to the " + field + " list of " + extended + " (it selects only " + who + "):";
        }
        return "add this " + field + " list to " + extended + " (it has none yet; it selects only " + who + "):";
    }

    /** A pod's labels without the generated ones. */
    public static Map<String, String> stableLabels(Map<String, String> labels) {
        Map<String, String> out = new TreeMap<>(labels);
        out.keySet().removeAll(GENERATED_LABELS);
        return out;
    }

    /** Pods no selector on stable labels tells apart: same namespace, same stable labels. */
    public static boolean twins(Pod a, Pod b) {
        return a.namespace().equals(b.namespace()) && stableLabels(a.labels()).equals(stableLabels(b.labels()));
    }

    /**
     * The selector, within the pod's namespace, of exactly its twins: its stable labels, and
     * {@code DoesNotExist} for every other key of a pod that carries them all.
     */
    static LabelSelector exactSelector(ClusterSnapshot snapshot, Pod pod) {
        Map<String, String> labels = stableLabels(pod.labels());
        LabelSelector base = LabelSelector.of(labels);
        Set<String> extraKeys = new TreeSet<>();
        for (Pod other : snapshot.selectPods(pod.namespace(), base)) {
            if (!twins(other, pod)) {
                stableLabels(other.labels()).keySet().stream().filter(k -> !labels.containsKey(k)).forEach(extraKeys::add);
            }
        }
        List<LabelSelector.Requirement> exprs = extraKeys.stream()
                .map(k -> new LabelSelector.Requirement(k, LabelSelector.Operator.DOES_NOT_EXIST, List.of())).toList();
        return new LabelSelector(labels, exprs);
    }

    private static Peer peer(ClusterSnapshot snapshot, String policyNamespace, Endpoint peer) {
        if (peer instanceof Endpoint.PodEndpoint pe) {
            LabelSelector pods = exactSelector(snapshot, pe.pod());
            if (pe.pod().namespace().equals(policyNamespace)) {
                return Peer.pods(pods);
            }
            return Peer.podsInNamespaces(pods, LabelSelector.of(Namespace.NAME_LABEL, pe.pod().namespace()));
        }
        return new Peer(null, null, new IpBlock(peer.ip() + (peer.ip().v6() ? "/128" : "/32"), List.of()));
    }

    /** {@code allow-worker-to-pg-tcp-443} (DNS-1123, at most 63 characters), made unique in the namespace. */
    private static String newName(ClusterSnapshot snapshot, Pod subject, Endpoint peer, Direction side, Flow flow) {
        String peerName = peer instanceof Endpoint.PodEndpoint pe ? shortName(pe.pod()) : peer.ip().toString();
        String base = "allow-" + shortName(subject) + (side == Direction.EGRESS ? "-to-" : "-from-") + peerName + "-"
                + flow.protocol().name() + "-" + flow.port();
        base = base.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("-+", "-");
        base = base.length() > 60 ? base.substring(0, 60) : base;
        base = base.replaceAll("-+$", "");
        Set<String> taken = new TreeSet<>();
        snapshot.policiesInNamespace(subject.namespace()).forEach(p -> taken.add(p.name()));
        String name = base;
        for (int i = 2; taken.contains(name); i++) {
            name = base + "-" + i;
        }
        return name;
    }

    /** What people call the pod: its app label when it has one, else its name. */
    private static String shortName(Pod pod) {
        Map<String, String> l = pod.labels();
        return l.getOrDefault("app.kubernetes.io/name", l.getOrDefault("app", pod.name()));
    }

    private static NetworkPolicy policy(ClusterSnapshot snapshot, ObjectRef ref) {
        return snapshot.policiesInNamespace(ref.namespace()).stream().filter(p -> p.name().equals(ref.name()))
                .findFirst().orElseThrow(() -> new IllegalStateException("verdict names unknown " + ref));
    }
}
