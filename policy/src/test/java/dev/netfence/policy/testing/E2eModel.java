package dev.netfence.policy.testing;

import static dev.netfence.policy.testing.Fixtures.containerPort;
import static dev.netfence.policy.testing.Fixtures.ip;
import static dev.netfence.policy.testing.Fixtures.onNode;
import static dev.netfence.policy.testing.Fixtures.pod;
import static dev.netfence.policy.testing.Fixtures.podIps;
import static dev.netfence.policy.testing.Fixtures.podLabels;

import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The cluster of the upstream NetworkPolicy e2e suite ({@code test/e2e/network/netpol}): namespaces
 * x, y, z labelled {@code ns=<name>}, pods a, b, c in each labelled {@code pod=<name>}, each serving
 * ports 80 and 81 on TCP, UDP and SCTP under the names {@code serve-80-tcp}, {@code serve-81-udp},
 * ... Pods are dual stack: x/a is 10.0.1.1 and fd00::1:1, y/b is 10.0.2.2 and fd00::2:2. Pods a
 * and b run on node-1 (10.1.0.1), c on node-2 (10.1.0.2).
 */
public final class E2eModel {

    public static final List<String> NAMESPACES = List.of("x", "y", "z");
    public static final List<String> POD_NAMES = List.of("a", "b", "c");
    public static final int[] PORTS = {80, 81};

    private E2eModel() {
    }

    /** Every pod key, x/a ... z/c: the rows and columns of a reachability table. */
    public static List<String> podKeys() {
        List<String> keys = new ArrayList<>();
        for (String ns : NAMESPACES) {
            for (String p : POD_NAMES) {
                keys.add(ns + "/" + p);
            }
        }
        return keys;
    }

    public static String v4(String namespace, String pod) {
        return "10.0." + (NAMESPACES.indexOf(namespace) + 1) + "." + (POD_NAMES.indexOf(pod) + 1);
    }

    public static String v6(String namespace, String pod) {
        return "fd00::" + (NAMESPACES.indexOf(namespace) + 1) + ":" + (POD_NAMES.indexOf(pod) + 1);
    }

    public static final Node NODE_1 = new Node("node-1", List.of(ip("10.1.0.1"), ip("fd00:1::1")));
    public static final Node NODE_2 = new Node("node-2", List.of(ip("10.1.0.2"), ip("fd00:1::2")));

    public static Pod modelPod(String namespace, String name) {
        Pod p = pod(namespace, name, podLabels("pod=" + name), podIps(v4(namespace, name), v6(namespace, name)),
                onNode(name.equals("c") ? NODE_2.name() : NODE_1.name()));
        for (int port : PORTS) {
            for (Protocol proto : Protocol.values()) {
                p = containerPort("serve-" + port + "-" + proto.name().toLowerCase(Locale.ROOT), port, proto).apply(p);
            }
        }
        return p;
    }

    /** The model with no policies; add policies, DefaultDenies or more pods to the builder. */
    public static ClusterSnapshot.Builder builder() {
        ClusterSnapshot.Builder b = ClusterSnapshot.builder().node(NODE_1).node(NODE_2);
        for (String ns : NAMESPACES) {
            b.namespace(new Namespace(ns, Fixtures.labels("ns=" + ns)));
            for (String p : POD_NAMES) {
                b.pod(modelPod(ns, p));
            }
        }
        return b;
    }

    public static ClusterSnapshot with(NetworkPolicy... policies) {
        ClusterSnapshot.Builder b = builder();
        for (NetworkPolicy np : policies) {
            b.policy(np);
        }
        return b.build();
    }

    public static ClusterSnapshot with(List<NetworkPolicy> policies, List<DefaultDeny> defaultDenies) {
        ClusterSnapshot.Builder b = builder();
        policies.forEach(b::policy);
        defaultDenies.forEach(b::defaultDeny);
        return b.build();
    }
}
