package dev.netfence.benchmarks;

import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.ContainerPort;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.PolicyPort;
import dev.netfence.policy.model.PolicyRule;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.Cidr;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The baseline: the same NetworkPolicy semantics (pod-to-pod flows only) computed the obvious way,
 * with no index and nothing prepared. For every flow it scans every policy of the cluster to find
 * those selecting the pod, and for every selector peer lists the matching pods by scanning every pod
 * of the cluster, then checks membership. It shows what the engine's per-pod isolation index and
 * direct peer matching buy.
 */
final class NaiveEngine {

    private final ClusterSnapshot snapshot;
    private final Map<String, Cidr> cidrs = new HashMap<>();

    NaiveEngine(ClusterSnapshot snapshot) {
        this.snapshot = snapshot;
    }

    boolean allowed(Pod from, Pod to, Protocol protocol, int port) {
        return side(Direction.EGRESS, from, to, to, protocol, port) && side(Direction.INGRESS, to, from, to, protocol, port);
    }

    private boolean side(Direction d, Pod subject, Pod other, Pod destination, Protocol protocol, int port) {
        if (subject == other) {
            return true;
        }
        boolean isolated = false;
        for (NetworkPolicy np : snapshot.policies()) {
            if (!np.namespace().equals(subject.namespace()) || !np.podSelector().matches(subject.labels())
                    || !np.effectiveTypes().contains(d)) {
                continue;
            }
            isolated = true;
            for (PolicyRule rule : np.rules(d)) {
                if (peers(rule, np.namespace(), other) && ports(rule, destination, protocol, port)) {
                    return true;
                }
            }
        }
        return !isolated;
    }

    private boolean peers(PolicyRule rule, String policyNamespace, Pod other) {
        if (rule.peers().isEmpty()) {
            return true;
        }
        for (Peer peer : rule.peers()) {
            if (peer.ipBlock() != null) {
                IpAddress ip = other.ips().get(0);
                if (cidr(peer.ipBlock().cidr()).contains(ip)
                        && peer.ipBlock().except().stream().noneMatch(e -> cidr(e).contains(ip))) {
                    return true;
                }
            } else if (selectedPods(peer, policyNamespace).contains(other)) {
                return true;
            }
        }
        return false;
    }

    /** Every pod of the cluster the peer's selectors select: a full scan. */
    private List<Pod> selectedPods(Peer peer, String policyNamespace) {
        List<Pod> out = new ArrayList<>();
        for (Pod p : snapshot.pods()) {
            boolean nsOk = peer.namespaceSelector() == null ? p.namespace().equals(policyNamespace)
                    : peer.namespaceSelector().matches(snapshot.namespaceLabels(p.namespace()));
            if (!p.hostNetwork() && nsOk && (peer.podSelector() == null || peer.podSelector().matches(p.labels()))) {
                out.add(p);
            }
        }
        return out;
    }

    private static boolean ports(PolicyRule rule, Pod destination, Protocol protocol, int port) {
        if (rule.ports().isEmpty()) {
            return true;
        }
        for (PolicyPort pp : rule.ports()) {
            if (pp.proto() != protocol) {
                continue;
            }
            if (pp.name() != null) {
                for (ContainerPort cp : destination.ports()) {
                    if (pp.name().equals(cp.name()) && cp.protocol() == protocol && cp.port() == port) {
                        return true;
                    }
                }
            } else if (pp.number() == null
                    || (port >= pp.number() && port <= (pp.endPort() == null ? pp.number() : pp.endPort()))) {
                return true;
            }
        }
        return false;
    }

    private Cidr cidr(String text) {
        return cidrs.computeIfAbsent(text, Cidr::parse);
    }
}
