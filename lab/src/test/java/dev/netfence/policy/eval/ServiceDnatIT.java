package dev.netfence.policy.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.netfence.enforcer.nft.Nftables;
import dev.netfence.lab.KubeProxyRules;
import dev.netfence.lab.KubeProxyRules.ServicePort;
import dev.netfence.lab.Lab;
import dev.netfence.lab.LabEnforcer;
import dev.netfence.lab.LabOptions;
import dev.netfence.lab.LabTopology;
import dev.netfence.lab.cni.LabNodeEnforcers;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.PolicyRule;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import dev.netfence.policy.testing.E2eModel;
import dev.netfence.policy.testing.Reachability;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Clients reach pods through a Service's ClusterIP, translated by a kube-proxy-style DNAT in a table
 * of its own ({@link KubeProxyRules}: {@code ip kube-proxy}, prerouting at priority dstnat) on every
 * node, in front of Netfence's table. svc-a (10.96.0.10:80) sends to x/a on node-1, svc-c
 * (10.96.0.11:80) to x/c on node-2; a policy lets only namespace y into namespace x. The policy sees
 * the translated destination: y/b and y/c reach both Services, x/b and z/c reach neither, on the
 * client's node (same node) and across nodes, and the outcome is the engine's for the endpoint pod.
 * Without the policy every client reaches both (the control: the ClusterIPs work at all).
 */
class ServiceDnatIT {
    static final IpAddress SVC_A = IpAddress.parse("10.96.0.10");
    static final IpAddress SVC_C = IpAddress.parse("10.96.0.11");
    static final List<String> CLIENTS = List.of("y/b", "x/b", "y/c", "z/c");

    @ParameterizedTest
    @EnumSource(LabTopology.class)
    void policiesSeeTheServicesTranslatedDestination(LabTopology topology) {
        assumeTrue(Lab.prerequisitesMissing().isEmpty(), () -> "skipped: " + Lab.prerequisitesMissing().orElse(""));
        assumeTrue(LabEnforcer.unavailableReason().isEmpty(), () -> "skipped: " + LabEnforcer.unavailableReason().orElse(""));
        ClusterSnapshot model = E2eModel.builder().build();
        NetworkPolicy fromY = new NetworkPolicy("x", "from-y", LabelSelector.of(Map.of()), List.of("Ingress"),
                List.of(new PolicyRule(List.of(Peer.namespaces(LabelSelector.of("ns", "y"))), List.of())), List.of(),
                Map.of());
        ClusterSnapshot policed = E2eModel.with(fromY);
        Map<IpAddress, String> endpointOf = Map.of(SVC_A, "x/a", SVC_C, "x/c");
        String proxy = KubeProxyRules.render(List.of(
                new ServicePort("svc-a", SVC_A, Protocol.TCP, 80, List.of(IpAddress.parse(E2eModel.v4("x", "a"))), 80),
                new ServicePort("svc-c", SVC_C, Protocol.TCP, 80, List.of(IpAddress.parse(E2eModel.v4("x", "c"))), 80)));
        try (LabNodeEnforcers enforcers = new LabNodeEnforcers(model);
             Lab lab = Lab.up(model, LabOptions.DEFAULT.withTopology(topology).withEnforcers(enforcers))) {
            lab.installRules(node -> new Nftables().run(proxy));

            Map<String, Boolean> open = reach(lab, endpointOf.keySet());
            assertThat(open).as("no policy: every client reaches both ClusterIPs").doesNotContainValue(false).hasSize(8);

            enforcers.enforce(policed);
            Reachability engine = Reachability.probe(policed, Protocol.TCP, 80);
            Map<String, Boolean> expected = new LinkedHashMap<>();
            for (String client : CLIENTS) {
                for (IpAddress svc : endpointOf.keySet()) {
                    expected.put(client + " -> " + svc, engine.allowed(client, endpointOf.get(svc)));
                }
            }
            assertThat(expected).as("the engine: only namespace y").containsEntry("y/b -> " + SVC_A, true)
                    .containsEntry("x/b -> " + SVC_A, false).containsEntry("z/c -> " + SVC_C, false);
            assertThat(reach(lab, endpointOf.keySet())).as("measured through the ClusterIPs").isEqualTo(expected);
        }
    }

    private static Map<String, Boolean> reach(Lab lab, java.util.Set<IpAddress> services) {
        Map<String, Boolean> out = new java.util.TreeMap<>();
        for (String client : CLIENTS) {
            for (IpAddress svc : services) {
                out.put(client + " -> " + svc, lab.runInPod(client, () -> connects(svc, 80)));
            }
        }
        return new LinkedHashMap<>(out);
    }

    /** A TCP handshake with the ClusterIP; a dropped SYN times out. */
    private static boolean connects(IpAddress ip, int port) {
        try (SocketChannel ch = SocketChannel.open()) {
            ch.socket().connect(new InetSocketAddress(java.net.InetAddress.getByName(ip.toString()), port), 1500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
