package dev.netfence.policy.property;

import dev.netfence.policy.model.ClusterNetworkPolicy;
import dev.netfence.policy.model.ClusterPeer;
import dev.netfence.policy.model.ClusterPort;
import dev.netfence.policy.model.ClusterRule;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.RuleAction;
import dev.netfence.policy.model.Tier;
import dev.netfence.policy.model.ContainerPort;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.IpBlock;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.PolicyPort;
import dev.netfence.policy.model.PolicyRule;
import dev.netfence.policy.model.Protocol;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A deliberately naive reading of the NetworkPolicy v1 documentation (and of Netfence's DefaultDeny,
 * and of the ClusterNetworkPolicy API comments for the Admin and Baseline tiers),
 * written without any of the engine's code: no index, no {@code Cidr}, no {@code LabelSelector.matches},
 * every policy of the snapshot scanned for every flow. Addresses are compared as numbers from
 * {@link InetAddress} (literals only: no name is ever resolved).
 */
final class SpecReading {

    /** One end of a flow: a pod (host-network or not) or a bare address; {@code node} set for a node address given with its name. */
    record End(String ip, Pod pod, String node) {
        boolean isPod() {
            return pod != null && !pod.hostNetwork();
        }
    }

    private final ClusterSnapshot s;

    SpecReading(ClusterSnapshot snapshot) {
        this.s = snapshot;
    }

    boolean allowed(End from, End to, Protocol protocol, int port) {
        return sideAllows(Direction.EGRESS, from, to, to, protocol, port)
                && sideAllows(Direction.INGRESS, to, from, to, protocol, port);
    }

    /** Names (kind ns/name) of what isolates the pod in {@code subject} for {@code d}; empty for non-pods. */
    TreeSet<String> isolatedBy(Direction d, End subject) {
        TreeSet<String> out = new TreeSet<>();
        if (!subject.isPod()) {
            return out;
        }
        Pod pod = subject.pod();
        for (NetworkPolicy np : s.policies()) {
            if (np.namespace().equals(pod.namespace()) && selects(np.podSelector(), pod.labels()) && types(np).contains(d)) {
                out.add("NetworkPolicy " + np.namespace() + "/" + np.name());
            }
        }
        for (DefaultDeny dd : s.defaultDenies()) {
            if (dd.namespace().equals(pod.namespace()) && dd.policyTypes().contains(d)
                    && !(dd.exemptPodSelector() != null && selects(dd.exemptPodSelector(), pod.labels()))) {
                out.add("DefaultDeny " + dd.namespace() + "/" + dd.name());
            }
        }
        return out;
    }

    private boolean sideAllows(Direction d, End subject, End other, End destination, Protocol protocol, int port) {
        // Only pods (not host-network ones) can be isolated, or be the subject of a ClusterNetworkPolicy.
        if (!subject.isPod()) {
            return true;
        }
        Pod pod = subject.pod();
        if (other.pod() != null && other.pod().namespace().equals(pod.namespace()) && other.pod().name().equals(pod.name())) {
            return true;   // to itself: loopback
        }
        String otherNode = nodeOf(other);
        if (otherNode != null && otherNode.equals(pod.nodeName())) {
            return true;   // "traffic to and from the node where a Pod is running is always allowed"
        }
        // "Policy tiers are evaluated in the following order: Admin tier, NetworkPolicy tier, Baseline tier"
        String admin = tierAction(Tier.ADMIN, d, pod, other, destination, protocol, port);
        if ("Accept".equals(admin) || "Deny".equals(admin)) {
            return admin.equals("Accept");
        }
        // "By default, a pod is non-isolated": "v1.NetworkPolicy always makes a final decision for selected pods".
        if (isolatedBy(d, subject).isEmpty()) {
            String baseline = tierAction(Tier.BASELINE, d, pod, other, destination, protocol, port);
            return !"Deny".equals(baseline);   // Accept, Pass or nothing: "all pods can communicate with each other"
        }
        for (NetworkPolicy np : s.policies()) {
            if (!np.namespace().equals(pod.namespace()) || !selects(np.podSelector(), pod.labels()) || !types(np).contains(d)) {
                continue;
            }
            List<PolicyRule> rules = d == Direction.INGRESS ? np.ingress() : np.egress();
            for (PolicyRule rule : rules == null ? List.<PolicyRule>of() : rules) {
                if (anyPeer(rule.peers(), np.namespace(), other) && anyPort(rule.ports(), destination, protocol, port)) {
                    return true;
                }
            }
        }
        for (DefaultDeny dd : s.defaultDenies()) {
            if (!dd.namespace().equals(pod.namespace()) || !dd.policyTypes().contains(d)
                    || (dd.exemptPodSelector() != null && selects(dd.exemptPodSelector(), pod.labels()))) {
                continue;
            }
            if (d == Direction.EGRESS && dd.allowDNS() && isDns(other) && isDnsPort(protocol, port)) {
                return true;
            }
            if (dd.allowSameNamespace() && other.isPod() && other.pod().namespace().equals(pod.namespace())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The action of the first matching rule of the tier's policies selecting the pod, by priority
     * (lower first) and then name, rules in written order; null when none matches. A Deny or Pass
     * rule with a peer of no known kind is "a 'Deny all' rule"; an Accept rule's such peer matches nothing.
     */
    private String tierAction(Tier tier, Direction d, Pod pod, End other, End destination, Protocol protocol, int port) {
        List<ClusterNetworkPolicy> applicable = new ArrayList<>();
        for (ClusterNetworkPolicy cnp : s.clusterPolicies()) {
            if (cnp.tier() != tier || pod.hostNetwork()) {
                continue;
            }
            boolean nsOk = selects(cnp.subject().namespaceSelector(), namespaceLabels(pod.namespace()));
            boolean podOk = cnp.subject().podSelector() == null || selects(cnp.subject().podSelector(), pod.labels());
            if (nsOk && podOk) {
                applicable.add(cnp);
            }
        }
        applicable.sort((a, b) -> a.priority() != b.priority() ? Integer.compare(a.priority(), b.priority())
                : a.name().compareTo(b.name()));
        for (ClusterNetworkPolicy cnp : applicable) {
            for (ClusterRule rule : d == Direction.INGRESS ? cnp.ingress() : cnp.egress()) {
                boolean unknownPeer = rule.peers().isEmpty();
                for (ClusterPeer p : rule.peers()) {
                    unknownPeer |= p instanceof ClusterPeer.Unknown;
                }
                if (unknownPeer && rule.action() != RuleAction.ACCEPT) {
                    return "Deny";
                }
                boolean peerOk = false;
                for (ClusterPeer p : rule.peers()) {
                    peerOk |= clusterPeerMatches(p, other);
                }
                boolean portOk = rule.protocols().isEmpty();
                for (ClusterPort cp : rule.protocols()) {
                    if (cp.namedPort() != null) {
                        if (destination.isPod()) {
                            for (ContainerPort c : destination.pod().ports()) {
                                portOk |= c.name() != null && c.name().equals(cp.namedPort()) && c.protocol() == protocol
                                        && c.port() == port;
                            }
                        }
                    } else {
                        portOk |= cp.protocol() == protocol && cp.start() <= port && port <= cp.end();
                    }
                }
                if (peerOk && portOk) {
                    return rule.action().apiName();
                }
            }
        }
        return null;
    }

    private boolean clusterPeerMatches(ClusterPeer p, End other) {
        if (p instanceof ClusterPeer.Namespaces n) {
            return other.isPod() && selects(n.namespaces(), namespaceLabels(other.pod().namespace()));
        }
        if (p instanceof ClusterPeer.Pods pods) {
            return other.isPod() && selects(pods.namespaces(), namespaceLabels(other.pod().namespace()))
                    && selects(pods.pods(), other.pod().labels());
        }
        if (p instanceof ClusterPeer.Nodes n) {
            for (Node node : s.nodes()) {
                for (var ip : node.ips()) {
                    if (family(ip.toString()) == family(other.ip()) && number(ip.toString()).equals(number(other.ip()))
                            && selects(n.nodes(), node.labels())) {
                        return true;
                    }
                }
            }
            return false;
        }
        if (p instanceof ClusterPeer.Networks nets) {
            for (String c : nets.cidrs()) {
                if (inCidr(c, other.ip())) {
                    return true;
                }
            }
            return false;
        }
        return false;
    }

    /**
     * policyTypes: "If no policyTypes are specified on a NetworkPolicy then by default Ingress will
     * always be set and Egress will be set if the NetworkPolicy has any egress rules."
     */
    static List<Direction> types(NetworkPolicy np) {
        List<Direction> out = new ArrayList<>();
        if (np.policyTypes() == null || np.policyTypes().isEmpty()) {
            out.add(Direction.INGRESS);
            if (np.egress() != null && np.egress().size() > 0) {
                out.add(Direction.EGRESS);
            }
            return out;
        }
        if (np.policyTypes().contains("Ingress")) {
            out.add(Direction.INGRESS);
        }
        if (np.policyTypes().contains("Egress")) {
            out.add(Direction.EGRESS);
        }
        return out;
    }

    /** "If this field is empty or missing, this rule matches all sources/destinations"; else any one entry. */
    private boolean anyPeer(List<Peer> peers, String policyNamespace, End other) {
        if (peers.isEmpty()) {
            return true;
        }
        for (Peer peer : peers) {
            if (peer.ipBlock() != null) {
                if (inBlock(peer.ipBlock(), other.ip())) {
                    return true;
                }
                continue;
            }
            if (!other.isPod()) {
                continue;   // selectors select pods; host-network pods are node traffic
            }
            Pod p = other.pod();
            boolean namespaceOk = peer.namespaceSelector() == null
                    ? p.namespace().equals(policyNamespace)
                    : selects(peer.namespaceSelector(), namespaceLabels(p.namespace()));
            boolean podOk = peer.podSelector() == null || selects(peer.podSelector(), p.labels());
            if (namespaceOk && podOk) {
                return true;
            }
        }
        return false;
    }

    /** "If this field is empty or missing, this rule matches all ports"; else any one entry (protocol default TCP). */
    private static boolean anyPort(List<PolicyPort> ports, End destination, Protocol protocol, int port) {
        if (ports.isEmpty()) {
            return true;
        }
        for (PolicyPort pp : ports) {
            Protocol p = pp.protocol() == null ? Protocol.TCP : Protocol.valueOf(pp.protocol());
            if (p != protocol) {
                continue;
            }
            if (pp.name() != null) {
                if (destination.isPod()) {
                    for (ContainerPort cp : destination.pod().ports()) {
                        if (pp.name().equals(cp.name()) && cp.protocol() == protocol && cp.port() == port) {
                            return true;
                        }
                    }
                }
                continue;
            }
            if (pp.number() == null) {
                return true;
            }
            int last = pp.endPort() == null ? pp.number() : pp.endPort();
            if (pp.number() <= port && port <= last) {
                return true;
            }
        }
        return false;
    }

    /** "Selects all pods if empty"; matchLabels and matchExpressions all hold. */
    static boolean selects(LabelSelector sel, Map<String, String> labels) {
        for (Map.Entry<String, String> e : sel.matchLabels().entrySet()) {
            if (!labels.containsKey(e.getKey()) || !labels.get(e.getKey()).equals(e.getValue())) {
                return false;
            }
        }
        for (LabelSelector.Requirement req : sel.matchExpressions()) {
            boolean has = labels.containsKey(req.key());
            boolean ok = switch (req.operator()) {
                case "In" -> has && req.values().contains(labels.get(req.key()));
                case "NotIn" -> !has || !req.values().contains(labels.get(req.key()));
                case "Exists" -> has;
                case "DoesNotExist" -> !has;
                default -> throw new IllegalArgumentException(req.operator());
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private Map<String, String> namespaceLabels(String name) {
        Map<String, String> labels = new HashMap<>();
        for (Namespace n : s.namespaces()) {
            if (n.name().equals(name)) {
                labels.putAll(n.labels());
            }
        }
        labels.put("kubernetes.io/metadata.name", name);
        return labels;
    }

    private String nodeOf(End e) {
        if (e.node() != null) {
            return e.node();
        }
        if (e.pod() != null) {
            return e.pod().hostNetwork() ? e.pod().nodeName() : null;
        }
        for (Node n : s.nodes()) {
            for (var ip : n.ips()) {
                if (number(ip.toString()).equals(number(e.ip())) && family(ip.toString()) == family(e.ip())) {
                    return n.name();
                }
            }
        }
        return null;
    }

    private boolean isDns(End other) {
        if (other.isPod()) {
            Pod p = other.pod();
            return p.namespace().equals(s.dns().namespace()) && selects(s.dns().podSelector(), p.labels());
        }
        for (var ip : s.dns().extraIps()) {
            if (ip.toString().equals(other.ip())) {
                return true;
            }
        }
        return false;
    }

    private boolean isDnsPort(Protocol protocol, int port) {
        for (var p : s.dns().ports()) {
            if (p.protocol() == protocol && p.port() == port) {
                return true;
            }
        }
        return false;
    }

    /** In the CIDR and in none of its excepts. */
    static boolean inBlock(IpBlock block, String ip) {
        if (!inCidr(block.cidr(), ip)) {
            return false;
        }
        for (String ex : block.except()) {
            if (inCidr(ex, ip)) {
                return false;
            }
        }
        return true;
    }

    static boolean inCidr(String cidr, String ip) {
        int slash = cidr.indexOf('/');
        String base = cidr.substring(0, slash);
        int prefix = Integer.parseInt(cidr.substring(slash + 1));
        int bits = family(base);
        if (bits != family(ip)) {
            return false;
        }
        int shift = bits - prefix;
        return number(base).shiftRight(shift).equals(number(ip).shiftRight(shift));
    }

    static int family(String ip) {
        return bytes(ip).length * 8;
    }

    static BigInteger number(String ip) {
        return new BigInteger(1, bytes(ip));
    }

    private static byte[] bytes(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();   // a literal: parsed, never looked up
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
