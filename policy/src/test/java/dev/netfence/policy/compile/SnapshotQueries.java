package dev.netfence.policy.compile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Two snapshots holding the same objects must answer every query alike, whatever way they were
 * built: an incrementally maintained one keeps its indexes (pods by namespace, by label and by IP,
 * namespaces by label, policies by namespace) by hand, so each is compared with a fresh build's.
 */
final class SnapshotQueries {

    private SnapshotQueries() {
    }

    static void assertSameAnswers(ClusterSnapshot actual, ClusterSnapshot expected, RandomSnapshots gen, String at) {
        assertThat(List.copyOf(actual.namespaces())).as("namespaces, " + at).isEqualTo(List.copyOf(expected.namespaces()));
        assertThat(List.copyOf(actual.pods())).as("pods, " + at).isEqualTo(List.copyOf(expected.pods()));
        assertThat(List.copyOf(actual.nodes())).as("nodes, " + at).isEqualTo(List.copyOf(expected.nodes()));
        assertThat(actual.policies()).as("policies, " + at).isEqualTo(expected.policies());
        assertThat(actual.defaultDenies()).as("DefaultDenies, " + at).isEqualTo(expected.defaultDenies());
        assertThat(actual.dns()).as("dns, " + at).isEqualTo(expected.dns());
        assertThat(actual.podsWithIps()).as("pods with IPs, " + at).isEqualTo(expected.podsWithIps());

        TreeSet<String> names = new TreeSet<>(List.of("v", "w", "x", "y", "z", "kube-system", "absent"));
        expected.namespaces().forEach(n -> names.add(n.name()));
        expected.pods().forEach(p -> names.add(p.namespace()));
        List<LabelSelector> selectors = new ArrayList<>(List.of(LabelSelector.ALL,
                LabelSelector.of(Namespace.NAME_LABEL, "x"), LabelSelector.of("k8s-app", "kube-dns"),
                new LabelSelector(Map.of(), List.of(new LabelSelector.Requirement("app", LabelSelector.Operator.EXISTS, List.of()))),
                new LabelSelector(Map.of(), List.of(new LabelSelector.Requirement("team", LabelSelector.Operator.NOT_IN, List.of("a"))))));
        for (int i = 0; i < 6; i++) {
            selectors.add(gen.selector());
        }
        for (String ns : names) {
            assertThat(actual.namespace(ns)).as("namespace %s, %s", ns, at).isEqualTo(expected.namespace(ns));
            assertThat(actual.namespaceLabels(ns)).as("labels of namespace %s, %s", ns, at).isEqualTo(expected.namespaceLabels(ns));
            assertThat(actual.podsInNamespace(ns)).as("pods in %s, %s", ns, at).isEqualTo(expected.podsInNamespace(ns));
            assertThat(actual.policiesInNamespace(ns)).as("policies in %s, %s", ns, at).isEqualTo(expected.policiesInNamespace(ns));
            assertThat(actual.defaultDeniesInNamespace(ns)).as("DefaultDenies in %s, %s", ns, at)
                    .isEqualTo(expected.defaultDeniesInNamespace(ns));
            for (LabelSelector sel : selectors) {
                assertThat(actual.selectPods(ns, sel)).as("pods of %s in %s, %s", sel, ns, at).isEqualTo(expected.selectPods(ns, sel));
                // the early-exit query lint uses must agree with the list it stands for, on both snapshots
                assertThat(actual.selectsAnyPod(ns, sel)).as("any pod of %s in %s, %s", sel, ns, at)
                        .isEqualTo(!expected.selectPods(ns, sel).isEmpty());
                assertThat(expected.selectsAnyPod(ns, sel)).as("any pod of %s in %s (fresh), %s", sel, ns, at)
                        .isEqualTo(!expected.selectPods(ns, sel).isEmpty());
            }
        }
        for (LabelSelector sel : selectors) {
            assertThat(actual.selectNamespaces(sel)).as("namespaces of %s, %s", sel, at).isEqualTo(expected.selectNamespaces(sel));
        }
        TreeSet<IpAddress> ips = new TreeSet<>(List.of(IpAddress.parse("10.0.0.1"), IpAddress.parse("192.168.0.10")));
        for (ClusterSnapshot s : List.of(actual, expected)) {
            for (Pod p : s.pods()) {
                ips.addAll(p.ips());
                assertThat(actual.pod(p.namespace(), p.name())).as("pod %s, %s", p.key(), at).isEqualTo(expected.pod(p.namespace(), p.name()));
            }
            for (Node n : s.nodes()) {
                ips.addAll(n.ips());
                assertThat(actual.node(n.name())).as("node %s, %s", n.name(), at).isEqualTo(expected.node(n.name()));
            }
        }
        for (IpAddress ip : ips) {
            assertThat(actual.podByIp(ip)).as("pod with IP %s, %s", ip, at).isEqualTo(expected.podByIp(ip));
            assertThat(actual.nodeByIp(ip)).as("node with IP %s, %s", ip, at).isEqualTo(expected.nodeByIp(ip));
        }
    }
}
