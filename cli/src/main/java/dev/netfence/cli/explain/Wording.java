package dev.netfence.cli.explain;

import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.IpBlock;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.PolicyPort;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.Cidr;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Peers, ports and selectors in the words of someone reading a policy, and why one of them does not match a flow. */
final class Wording {

    private Wording() {
    }

    static String endpoint(Endpoint e) {
        if (e instanceof Endpoint.PodEndpoint p) {
            return p.pod().key();
        }
        return e.describe();
    }

    static String selector(LabelSelector s) {
        return s.toString();
    }

    static String labels(Map<String, String> labels) {
        if (labels.isEmpty()) {
            return "no labels";
        }
        return new TreeMap<>(labels).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
    }

    /** "pods with app=web in namespaces with team=blue", "all pods in namespace y", "addresses in 10.0.0.0/8 except 10.1.0.0/16". */
    static String peer(Peer p, String policyNamespace) {
        if (p.ipBlock() != null) {
            IpBlock b = p.ipBlock();
            return "addresses in " + b.cidr() + (b.except().isEmpty() ? "" : " except " + String.join(", ", b.except()));
        }
        String pods = p.podSelector() == null || p.podSelector().isEmpty() ? "all pods" : "pods with " + selector(p.podSelector());
        if (p.namespaceSelector() == null) {
            return pods + " in namespace " + policyNamespace;
        }
        if (p.namespaceSelector().isEmpty()) {
            return pods + " in all namespaces";
        }
        return pods + " in namespaces with " + selector(p.namespaceSelector());
    }

    /** Why {@code peer} (the other end of the flow) is not selected by {@code p}; null when it is. */
    static String peerMismatch(Peer p, String policyNamespace, Endpoint peer, ClusterSnapshot snapshot) {
        if (p.ipBlock() != null) {
            IpBlock b = p.ipBlock();
            if (!Cidr.parse(b.cidr()).contains(peer.ip())) {
                return peer.ip() + " is outside " + b.cidr();
            }
            for (String ex : b.except()) {
                if (Cidr.parse(ex).contains(peer.ip())) {
                    return peer.ip() + " is in the exception " + ex;
                }
            }
            return null;
        }
        if (!(peer instanceof Endpoint.PodEndpoint pe)) {
            if (peer instanceof Endpoint.Host h && h.pod() != null) {
                return h.pod().key() + " uses the host network: selectors never match host-network pods"
                        + " (their traffic is node traffic); allow its node's address with an ipBlock";
            }
            return endpoint(peer) + " is not a pod: pod and namespace selectors only match pods; use an ipBlock";
        }
        Pod pod = pe.pod();
        if (p.namespaceSelector() == null) {
            if (!pod.namespace().equals(policyNamespace)) {
                return pod.key() + " is in namespace " + pod.namespace() + ", not " + policyNamespace
                        + " (a podSelector without namespaceSelector only selects pods of the policy's namespace)";
            }
        } else if (!p.namespaceSelector().matches(snapshot.namespaceLabels(pod.namespace()))) {
            return "namespace " + pod.namespace() + " (" + labels(snapshot.namespaceLabels(pod.namespace()))
                    + ") does not match " + selector(p.namespaceSelector());
        }
        if (p.podSelector() != null && !p.podSelector().matches(pod.labels())) {
            return pod.key() + " (" + labels(pod.labels()) + ") does not match " + selector(p.podSelector());
        }
        return null;
    }

    /** "TCP/80", "all UDP ports", "TCP/8000-9000", "TCP/http (port 8080 on y/b)". */
    static String port(PolicyPort pp, Endpoint destination) {
        Protocol proto = pp.proto();
        if (pp.isNamed()) {
            String resolved;
            if (destination instanceof Endpoint.PodEndpoint dp) {
                int number = dp.pod().resolveNamedPort(pp.name(), proto);
                resolved = number < 0 ? "not declared by " + dp.pod().key() + " for " + proto
                        : "port " + number + " on " + dp.pod().key();
            } else {
                resolved = "a named port never matches a destination that is not a pod";
            }
            return proto + "/" + pp.name() + " (" + resolved + ")";
        }
        if (pp.number() == null) {
            return "all " + proto + " ports";
        }
        return proto + "/" + pp.number() + (pp.endPort() != null ? "-" + pp.endPort() : "");
    }
}
