package dev.netfence.policy.analysis;

import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.ObjectRef;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.PolicyPort;
import dev.netfence.policy.model.PolicyRule;
import dev.netfence.policy.net.Cidr;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The lint rules that look at one NetworkPolicy against what is known of the cluster (all
 * warnings: each is legal Kubernetes that rarely does what its author meant). Rules that need pods
 * stay silent when no pod of the namespaces concerned is known, so that linting a repository
 * without workloads does not drown real findings.
 */
final class PolicyLint {

    private final ClusterSnapshot snapshot;
    private final AnalysisConfig config;

    PolicyLint(ClusterSnapshot snapshot, AnalysisConfig config) {
        this.snapshot = snapshot;
        this.config = config;
    }

    List<Finding> lint(NetworkPolicy np) {
        List<Finding> out = new ArrayList<>();
        ignoredRules(np, out);
        policySelectsNoPods(np, out);
        for (Direction d : Direction.values()) {
            List<PolicyRule> rules = np.rules(d);
            for (int r = 0; r < rules.size(); r++) {
                String rulePath = "spec." + d.field() + "[" + r + "]";
                PolicyRule rule = rules.get(r);
                splitPeers(np, rulePath, d, rule, out);
                for (int i = 0; i < rule.peers().size(); i++) {
                    String peerPath = rulePath + "." + (d == Direction.INGRESS ? "from" : "to") + "[" + i + "]";
                    Peer peer = rule.peers().get(i);
                    boolean dnsLabel = dnsSelectorUnsetLabel(np, peerPath, peer, out);
                    if (!dnsLabel) {
                        peerSelectsNoPods(np, peerPath, peer, out);
                    }
                    ipBlockCoversPods(np, peerPath, peer, out);
                }
                unexposedNamedPorts(np, rulePath, d, rule, out);
            }
        }
        return out;
    }

    private static Finding warning(String rule, ObjectRef ref, String path, String message, String fix) {
        return new Finding(rule, Severity.WARNING, ref, path, message, fix, null);
    }

    /** "egress" rules while policyTypes is written without Egress: Kubernetes ignores them (and vice versa). */
    private void ignoredRules(NetworkPolicy np, List<Finding> out) {
        if (np.policyTypes() == null || np.policyTypes().isEmpty()) {
            return;
        }
        for (Direction d : Direction.values()) {
            List<PolicyRule> rules = d == Direction.INGRESS ? np.ingress() : np.egress();
            if (rules != null && !rules.isEmpty() && !np.policyTypes().contains(d.apiName())) {
                List<String> types = new ArrayList<>(np.policyTypes());
                types.add(d.apiName());
                out.add(warning(Rules.IGNORED_RULES, np.ref(), "spec." + d.field(), d.field()
                        + " rules are ignored: spec.policyTypes lacks " + d.apiName() + "; add it or remove the rules",
                        FixSnippets.policyTypes(types)));
            }
        }
    }

    private void policySelectsNoPods(NetworkPolicy np, List<Finding> out) {
        if (snapshot.podsInNamespace(np.namespace()).isEmpty()) {
            return;
        }
        if (!snapshot.selectsAnyPod(np.namespace(), np.podSelector())) {
            out.add(warning(Rules.SELECTS_NO_PODS, np.ref(), "spec.podSelector", "selects no pod of namespace "
                    + np.namespace() + " (" + np.podSelector() + "); check the labels against the pods' labels", null));
        }
    }

    private void peerSelectsNoPods(NetworkPolicy np, String path, Peer peer, List<Finding> out) {
        if (peer.ipBlock() != null) {
            return;
        }
        List<String> namespaces = peer.namespaceSelector() == null ? List.of(np.namespace())
                : snapshot.selectNamespaces(peer.namespaceSelector());
        if (namespaces.isEmpty()) {
            if (!snapshot.namespaces().isEmpty()) {
                out.add(warning(Rules.SELECTS_NO_PODS, np.ref(), path + ".namespaceSelector", "selects no namespace ("
                        + peer.namespaceSelector() + "); namespaces carry kubernetes.io/metadata.name=<name> and their own labels", null));
            }
            return;
        }
        boolean anyKnownPods = namespaces.stream().anyMatch(ns -> !snapshot.podsInNamespace(ns).isEmpty());
        if (!anyKnownPods) {
            return;
        }
        LabelSelector pods = peer.podSelector() == null ? LabelSelector.ALL : peer.podSelector();
        boolean any = namespaces.stream().anyMatch(ns -> snapshot.selectsAnyPod(ns, pods));
        if (!any) {
            out.add(warning(Rules.SELECTS_NO_PODS, np.ref(), path + (peer.podSelector() != null ? ".podSelector" : ""),
                    "selects no pod (" + pods + " in " + String.join(", ", namespaces) + ")", null));
        }
    }

    /** A namespaceSelector that names the DNS namespace through a label Kubernetes does not set ({@code name: kube-system}). */
    private boolean dnsSelectorUnsetLabel(NetworkPolicy np, String path, Peer peer, List<Finding> out) {
        if (peer.namespaceSelector() == null) {
            return false;
        }
        String dnsNs = snapshot.dns().namespace();
        Map<String, String> actual = snapshot.namespaceLabels(dnsNs);
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(peer.namespaceSelector().matchLabels()).entrySet()) {
            if (!e.getKey().equals(Namespace.NAME_LABEL) && e.getValue().equals(dnsNs)
                    && !e.getValue().equals(actual.get(e.getKey()))) {
                out.add(warning(Rules.DNS_SELECTOR_UNSET_LABEL, np.ref(), path + ".namespaceSelector.matchLabels[" + e.getKey() + "]",
                        "Kubernetes does not set label " + e.getKey() + "=" + dnsNs + " on namespace " + dnsNs
                                + "; select it by kubernetes.io/metadata.name", FixSnippets.namespaceSelectorByName(dnsNs)));
                return true;
            }
        }
        return false;
    }

    /** {@code - namespaceSelector: ...} and {@code - podSelector: ...} as two peers of one rule: an OR where an AND was likely meant. */
    private void splitPeers(NetworkPolicy np, String rulePath, Direction d, PolicyRule rule, List<Finding> out) {
        List<Peer> peers = rule.peers();
        for (int i = 0; i + 1 < peers.size(); i++) {
            Peer a = peers.get(i);
            Peer b = peers.get(i + 1);
            Peer nsOnly = isNamespaceOnly(a) ? a : isNamespaceOnly(b) ? b : null;
            Peer podOnly = isPodOnly(a) ? a : isPodOnly(b) ? b : null;
            if (nsOnly != null && podOnly != null) {
                String field = d == Direction.INGRESS ? "from" : "to";
                out.add(warning(Rules.SPLIT_NAMESPACE_POD_PEER, np.ref(), rulePath + "." + field + "[" + i + "]",
                        "namespaceSelector and podSelector are two peers (" + field + "[" + i + "], " + field + "[" + (i + 1)
                                + "]), so either one matches; to select pods " + podOnly.podSelector()
                                + " in namespaces " + nsOnly.namespaceSelector() + " write them in one peer",
                        FixSnippets.mergedPeer(nsOnly.namespaceSelector(), podOnly.podSelector())));
                i++;
            }
        }
    }

    private static boolean isNamespaceOnly(Peer p) {
        return p.namespaceSelector() != null && p.podSelector() == null && p.ipBlock() == null;
    }

    private static boolean isPodOnly(Peer p) {
        return p.podSelector() != null && p.namespaceSelector() == null && p.ipBlock() == null;
    }

    /** A named port that none of the rule's destination pods declares (for that protocol). */
    private void unexposedNamedPorts(NetworkPolicy np, String rulePath, Direction d, PolicyRule rule, List<Finding> out) {
        if (rule.ports().stream().noneMatch(PolicyPort::isNamed)) {
            return;
        }
        List<Pod> destinations = d == Direction.INGRESS ? snapshot.selectPods(np.namespace(), np.podSelector())
                : egressDestinations(np, rule);
        if (destinations.isEmpty()) {
            return;
        }
        for (int i = 0; i < rule.ports().size(); i++) {
            PolicyPort p = rule.ports().get(i);
            if (p.isNamed() && destinations.stream().allMatch(pod -> pod.resolveNamedPort(p.name(), p.proto()) < 0)) {
                out.add(warning(Rules.UNEXPOSED_NAMED_PORT, np.ref(), rulePath + ".ports[" + i + "].port",
                        "no " + (d == Direction.INGRESS ? "selected" : "destination") + " pod exposes a " + p.proto()
                                + " container port named \"" + p.name() + "\" (" + destinations.size()
                                + " pods checked); the rule matches nothing on it", null));
            }
        }
    }

    private List<Pod> egressDestinations(NetworkPolicy np, PolicyRule rule) {
        if (rule.peers().isEmpty()) {
            return snapshot.pods(p -> !p.hostNetwork());
        }
        List<Pod> out = new ArrayList<>();
        for (Peer peer : rule.peers()) {
            if (peer.ipBlock() != null) {
                continue;
            }
            List<String> namespaces = peer.namespaceSelector() == null ? List.of(np.namespace())
                    : snapshot.selectNamespaces(peer.namespaceSelector());
            for (String ns : namespaces) {
                out.addAll(snapshot.selectPods(ns, peer.podSelector() == null ? LabelSelector.ALL : peer.podSelector()));
            }
        }
        return out;
    }

    /**
     * An ipBlock that contains pod addresses (known pod IPs, or the configured pod networks). Pod IPs
     * change when pods restart; selectors follow them. A /0 block is "anywhere", written on purpose.
     */
    private void ipBlockCoversPods(NetworkPolicy np, String path, Peer peer, List<Finding> out) {
        if (peer.ipBlock() == null) {
            return;
        }
        Cidr cidr = Cidr.parse(peer.ipBlock().cidr());
        if (cidr.prefix() == 0) {
            return;
        }
        List<Cidr> except = peer.ipBlock().except().stream().map(Cidr::parse).toList();
        Optional<String> covered = config.podNetworks().stream()
                .filter(n -> n.v6() == cidr.v6() && (cidr.contains(n) || n.contains(cidr)))
                .filter(n -> except.stream().noneMatch(e -> e.contains(n)))
                .map(n -> "pod network " + n).findFirst();
        if (covered.isEmpty()) {
            // the snapshot's address index, not a walk over every pod: this runs on every admission request
            covered = snapshot.podAddressIn(cidr, except).map(hit -> "pod " + hit.getValue().key() + " (" + hit.getKey() + ")");
        }
        covered.ifPresent(what -> out.add(warning(Rules.IPBLOCK_COVERS_PODS, np.ref(), path + ".ipBlock.cidr",
                "ipBlock " + cidr + " covers " + what + "; pod IPs change, select pods with podSelector/namespaceSelector "
                        + "or add the pod network to except", null)));
    }
}
