package dev.netfence.benchmarks;

import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.PolicyRule;
import dev.netfence.policy.net.IpAddress;
import java.util.List;
import java.util.Map;

/**
 * The shape of Antrea's controller scale tests ({@code TestInitXLargeScaleWithSmallNamespaces} and
 * {@code ...WithNamespaceSelectors}): many small namespaces, each labelled {@code app=<its name>},
 * with 4 pods (2 with {@code app-1=scale-1}, 2 with {@code app-2=scale-2}) and 3 NetworkPolicies:
 * a default deny of both directions, and for each of the two apps a policy isolating it in both
 * directions whose ingress admits the same app, either by pod selector alone (in the policy's
 * namespace) or by namespace selector {@code app=<the namespace>} plus pod selector. Every peer is
 * distinct per namespace, so a compile evaluates 2 peers per namespace. Pods are spread
 * round-robin over {@code nodes} nodes (Antrea's test leaves node placement out; a node count is
 * needed here because rule sets are per node).
 */
final class AntreaShapeCluster {

    enum Peers { POD_SELECTOR, NAMESPACE_AND_POD_SELECTOR }

    private AntreaShapeCluster() {
    }

    static ClusterSnapshot build(int namespaces, int nodes, Peers peers) {
        ClusterSnapshot.Builder b = ClusterSnapshot.builder();
        for (int n = 0; n < nodes; n++) {
            b.node(new Node(node(n), List.of(IpAddress.parse("192.168." + (n >> 8) + "." + (n & 255)))));
        }
        int pod = 0;
        for (int i = 0; i < namespaces; i++) {
            String ns = String.format("ns-%05d", i);
            b.namespace(new Namespace(ns, Map.of("app", ns)));
            for (int p = 0; p < 4; p++) {
                Map<String, String> labels = p < 2 ? Map.of("app-1", "scale-1") : Map.of("app-2", "scale-2");
                int ip = pod + 1;
                b.pod(new Pod(ns, "pod" + (p + 1), labels,
                        List.of(IpAddress.parse("10." + (ip >> 16) + "." + ((ip >> 8) & 255) + "." + (ip & 255))),
                        node(pod % nodes), false, List.of()));
                pod++;
            }
            b.policy(new NetworkPolicy(ns, "default-deny-all", LabelSelector.ALL, List.of("Ingress", "Egress"), null, null, Map.of()));
            for (int app = 1; app <= 2; app++) {
                LabelSelector selector = LabelSelector.of("app-" + app, "scale-" + app);
                Peer peer = peers == Peers.POD_SELECTOR ? Peer.pods(selector)
                        : Peer.podsInNamespaces(LabelSelector.of("app", ns), selector);
                b.policy(new NetworkPolicy(ns, "np-" + app, selector, List.of("Ingress", "Egress"),
                        List.of(new PolicyRule(List.of(peer), List.of())), null, Map.of()));
            }
        }
        return b.build();
    }

    static String node(int n) {
        return String.format("node-%04d", n);
    }
}
