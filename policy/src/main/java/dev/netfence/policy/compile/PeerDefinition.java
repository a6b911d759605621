package dev.netfence.policy.compile;

import dev.netfence.policy.model.ClusterDns;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What an {@link AddressSet} stands for, independent of the current pods: its normalised text
 * names the set, {@link #entries} evaluates it on a snapshot, and {@link #selects} tells whether a
 * pod takes part, so that an incremental compile re-evaluates only the sets a changed pod can be in.
 */
sealed interface PeerDefinition {

    /** The normalised definition; equal texts select equal addresses. */
    String text();

    /** The set's entries on {@code snapshot}. */
    List<String> entries(ClusterSnapshot snapshot);

    /** Whether {@code pod} (a version of it in {@code snapshot}) is a member (its addresses are in the set). */
    boolean selects(Pod pod, ClusterSnapshot snapshot);

    /** Whether the members depend on namespace labels. */
    boolean dependsOnNamespaceLabels();

    /** Whether the members depend on the nodes (their labels and addresses): re-evaluated when a node changes. */
    default boolean dependsOnNodes() {
        return false;
    }

    /**
     * Where the member pods can live: {@link Scope#none()} for a set of no pods (an ipBlock), one
     * namespace, or any namespace (a namespace selector). It tells an incremental compile which
     * definitions a changed pod can be in without testing every one.
     */
    Scope scope();

    /** {@code namespace} null with {@code pods} true: any namespace. */
    record Scope(boolean pods, String namespace) {
        static Scope none() {
            return new Scope(false, null);
        }

        static Scope anyNamespace() {
            return new Scope(true, null);
        }

        static Scope namespace(String ns) {
            return new Scope(true, ns);
        }
    }

    default String name() {
        return AddressSet.nameOf(text());
    }

    /**
     * The pods a selector peer selects: those of {@code namespace} (a peer without namespaceSelector,
     * scoped to the policy's namespace) or of the namespaces {@code namespaceSelector} selects.
     */
    record Pods(String namespace, LabelSelector namespaceSelector, LabelSelector pods) implements PeerDefinition {
        static Pods of(String policyNamespace, LabelSelector namespaceSelector, LabelSelector pods) {
            return new Pods(namespaceSelector == null ? policyNamespace : null, namespaceSelector,
                    pods == null ? LabelSelector.ALL : pods);
        }

        @Override
        public String text() {
            String scope = namespaceSelector == null ? "namespace " + namespace : "namespaces " + normalized(namespaceSelector);
            return "pods " + normalized(pods) + " in " + scope;
        }

        @Override
        public List<String> entries(ClusterSnapshot snapshot) {
            List<IpAddress> ips = new ArrayList<>();
            List<String> namespaces = namespaceSelector == null ? List.of(namespace) : snapshot.selectNamespaces(namespaceSelector);
            for (String ns : namespaces) {
                for (Pod p : snapshot.selectPods(ns, pods)) {
                    ips.addAll(p.ips());
                }
            }
            return AddressRanges.ofAddresses(ips);
        }

        @Override
        public boolean selects(Pod pod, ClusterSnapshot snapshot) {
            if (pod.hostNetwork() || !pods.matches(pod.labels())) {
                return false;
            }
            return namespaceSelector == null ? pod.namespace().equals(namespace)
                    : namespaceSelector.matches(snapshot.namespaceLabels(pod.namespace()));
        }

        @Override
        public boolean dependsOnNamespaceLabels() {
            return namespaceSelector != null;
        }

        @Override
        public Scope scope() {
            return namespaceSelector == null ? Scope.namespace(namespace) : Scope.anyNamespace();
        }
    }

    /** The cluster DNS pods and extra addresses, for DefaultDeny's allowDNS. */
    record Dns(ClusterDns dns) implements PeerDefinition {
        @Override
        public String text() {
            return "dns " + dns.namespace() + " pods " + normalized(dns.podSelector()) + " extra " + dns.extraIps();
        }

        @Override
        public List<String> entries(ClusterSnapshot snapshot) {
            List<IpAddress> ips = new ArrayList<>(dns.extraIps());
            // the pods isDnsPod accepts: not host-network, in the DNS namespace, matching its selector
            for (Pod p : snapshot.selectPods(dns.namespace(), dns.podSelector())) {
                ips.addAll(p.ips());
            }
            return AddressRanges.ofAddresses(ips);
        }

        @Override
        public boolean selects(Pod pod, ClusterSnapshot snapshot) {
            return dns.isDnsPod(pod);
        }

        @Override
        public boolean dependsOnNamespaceLabels() {
            return false;
        }

        @Override
        public Scope scope() {
            return Scope.namespace(dns.namespace());
        }
    }

    /** An ipBlock's intervals: constant. */
    record IpBlock(List<String> ranges) implements PeerDefinition {
        static IpBlock of(dev.netfence.policy.model.IpBlock block) {
            return new IpBlock(AddressRanges.ofIpBlock(block.cidr(), block.except()));
        }

        @Override
        public String text() {
            return "ipBlock " + String.join(",", ranges);
        }

        @Override
        public List<String> entries(ClusterSnapshot snapshot) {
            return ranges;
        }

        @Override
        public boolean selects(Pod pod, ClusterSnapshot snapshot) {
            return false;
        }

        @Override
        public boolean dependsOnNamespaceLabels() {
            return false;
        }

        @Override
        public Scope scope() {
            return Scope.none();
        }
    }

    /**
     * A ClusterNetworkPolicy {@code nodes} peer: the addresses of the nodes whose labels match
     * ("It selects the nodeIPs as the peer type by matching on the IPs present in the
     * node.Status.Addresses"; the snapshot keeps a node's InternalIP/ExternalIP addresses), no pod.
     */
    record Nodes(LabelSelector nodes) implements PeerDefinition {
        @Override
        public String text() {
            return "nodes " + normalized(nodes);
        }

        @Override
        public List<String> entries(ClusterSnapshot snapshot) {
            List<IpAddress> ips = new ArrayList<>();
            for (dev.netfence.policy.model.Node n : snapshot.nodes()) {
                if (nodes.matches(n.labels())) {
                    ips.addAll(n.ips());
                }
            }
            return AddressRanges.ofAddresses(ips);
        }

        @Override
        public boolean selects(Pod pod, ClusterSnapshot snapshot) {
            return false;
        }

        @Override
        public boolean dependsOnNamespaceLabels() {
            return false;
        }

        @Override
        public boolean dependsOnNodes() {
            return true;
        }

        @Override
        public Scope scope() {
            return Scope.none();
        }
    }

    /** A selector as text that does not depend on how it was written (order of labels and expressions). */
    static String normalized(LabelSelector s) {
        List<String> parts = new ArrayList<>();
        new TreeMap<>(s.matchLabels()).forEach((k, v) -> parts.add(k + "=" + v));
        for (LabelSelector.Requirement r : s.matchExpressions()) {
            parts.add(r.key() + " " + r.operator() + " " + new TreeSet<>(r.values()));
        }
        Collections.sort(parts);
        return "{" + String.join(",", parts) + "}";
    }
}
