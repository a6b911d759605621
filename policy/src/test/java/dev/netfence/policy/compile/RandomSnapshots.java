package dev.netfence.policy.compile;

import dev.netfence.policy.model.ClusterDns;
import dev.netfence.policy.model.ClusterNetworkPolicy;
import dev.netfence.policy.model.ClusterPeer;
import dev.netfence.policy.model.ClusterPort;
import dev.netfence.policy.model.ClusterRule;
import dev.netfence.policy.model.ClusterSubject;
import dev.netfence.policy.model.ClusterSnapshot;
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
import dev.netfence.policy.model.RuleAction;
import dev.netfence.policy.model.Tier;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded random clusters: two or three nodes, pods (some dual-stack, some host-network, some
 * DNS), namespaces with labels, NetworkPolicies drawing selectors, ipBlocks with except, numeric,
 * ranged, named and protocol-only ports from small vocabularies so that they often match, and
 * DefaultDenies with their carve-outs, and ClusterNetworkPolicies of both tiers (every peer kind,
 * unreadable peers, Pass, named ports, priorities drawn from few values so that ties ordered by
 * name are common).
 */
final class RandomSnapshots {
    static final int[] PORTS = {53, 80, 81, 443, 8080, 5353};
    static final String[] PORT_NAMES = {"http", "dns", "metrics"};
    private static final String[] KEYS = {"app", "tier", "team"};
    private static final String[] VALUES = {"a", "b", "c"};

    private final Random random;

    RandomSnapshots(long seed) {
        this.random = new Random(seed);
    }

    ClusterSnapshot next() {
        ClusterSnapshot.Builder b = ClusterSnapshot.builder();
        int nodes = 2 + random.nextInt(2);
        for (int n = 0; n < nodes; n++) {
            // labels fixed per node (no draw): what a ClusterNetworkPolicy nodes peer selects
            b.node(new Node("node-" + n, List.of(IpAddress.parse("192.168.0." + (10 + n)), IpAddress.parse("fd00:1::" + (10 + n))),
                    Map.of("app", VALUES[n % VALUES.length])));
        }
        List<String> namespaces = List.of("x", "y", "z", "kube-system");
        for (String ns : namespaces) {
            b.namespace(new Namespace(ns, labels(2)));
        }
        int pods = 5 + random.nextInt(6);
        for (int i = 0; i < pods; i++) {
            b.pod(pod(namespaces.get(random.nextInt(namespaces.size())), "p" + i, i, nodes));
        }
        b.dns(dns());
        int policies = random.nextInt(5);
        for (int i = 0; i < policies; i++) {
            b.policy(policy(namespaces.get(random.nextInt(3)), "np" + i));
        }
        if (random.nextInt(3) == 0) {
            b.defaultDeny(defaultDeny(namespaces.get(random.nextInt(3)), "dd"));
        }
        // drawn last, so the rest of each seed's cluster is what it was before tiers existed
        int clusterPolicies = random.nextInt(3) == 0 ? 0 : 1 + random.nextInt(4);
        for (int i = 0; i < clusterPolicies; i++) {
            b.clusterPolicy(clusterPolicy("cnp" + i));
        }
        return b.build();
    }


    /**
     * A cluster DNS configuration: the default, the default with NodeLocal DNSCache's address, or
     * DNS elsewhere (another namespace and selector, OpenShift's port 5353, an extra address that
     * may also be a pod's or a node's).
     */
    ClusterDns dns() {
        return switch (random.nextInt(5)) {
            case 0, 1 -> ClusterDns.DEFAULT;
            case 2 -> new ClusterDns("kube-system", LabelSelector.of("k8s-app", "kube-dns"), ClusterDns.DEFAULT.ports(),
                    List.of(IpAddress.parse("169.254.20.10")));
            case 3 -> new ClusterDns("y", LabelSelector.of("app", VALUES[random.nextInt(VALUES.length)]),
                    List.of(new ClusterDns.DnsPort(Protocol.UDP, 5353), new ClusterDns.DnsPort(Protocol.TCP, 5353)),
                    List.of(IpAddress.parse("169.254.20.10"), IpAddress.parse("fd00:10:9::1")));
            default -> new ClusterDns("kube-system", LabelSelector.ALL, List.of(new ClusterDns.DnsPort(Protocol.UDP, 53)),
                    List.of(IpAddress.parse(random.nextBoolean() ? "10.0.0.3" : "192.168.0.11")));
        };
    }

    /** A pod on one of {@code nodes} nodes; {@code index} makes its addresses distinct. */
    Pod pod(String ns, String name, int index, int nodes) {
        int node = random.nextInt(nodes);
        boolean host = random.nextInt(8) == 0;
        List<IpAddress> ips = new ArrayList<>();
        if (host) {
            ips.add(IpAddress.parse("192.168.0." + (10 + node)));
        } else {
            ips.add(IpAddress.parse("10." + node + ".0." + (index + 1)));
            if (random.nextBoolean()) {
                ips.add(IpAddress.parse("fd00:10:" + node + "::" + (index + 1)));
            }
        }
        Map<String, String> labels = labels(2);
        if (ns.equals("kube-system") && random.nextBoolean()) {
            labels.put("k8s-app", "kube-dns");
        }
        List<ContainerPort> ports = new ArrayList<>();
        for (String portName : PORT_NAMES) {
            if (random.nextInt(3) > 0) {
                ports.add(new ContainerPort(portName, PORTS[random.nextInt(PORTS.length)], protocol()));
            }
        }
        return new Pod(ns, name, labels, ips, "node-" + node, host, ports);
    }

    DefaultDeny defaultDeny(String ns, String name) {
        EnumSet<Direction> types = random.nextBoolean() ? EnumSet.allOf(Direction.class)
                : EnumSet.of(random.nextBoolean() ? Direction.INGRESS : Direction.EGRESS);
        // one in five audited: the compiled rules must equal the engine's enforced verdict (audited ones change nothing)
        return new DefaultDeny(ns, name, types, random.nextBoolean(), random.nextBoolean(),
                random.nextBoolean() ? null : selector(),
                random.nextInt(5) == 0 ? dev.netfence.policy.model.Enforcement.AUDIT : dev.netfence.policy.model.Enforcement.ENFORCE);
    }

    NetworkPolicy policy(String ns, String name) {
        List<String> types = switch (random.nextInt(4)) {
            case 0 -> null;
            case 1 -> List.of("Ingress");
            case 2 -> List.of("Egress");
            default -> List.of("Ingress", "Egress");
        };
        return new NetworkPolicy(ns, name, random.nextInt(4) == 0 ? LabelSelector.ALL : selector(), types,
                rules(), random.nextInt(4) == 0 ? null : rules(),
                random.nextInt(5) == 0 ? Map.of(dev.netfence.policy.model.Enforcement.ANNOTATION, "audit") : Map.of());
    }

    /** Priorities from few values: same-priority ties (evaluated by name) are common. */
    private static final int[] PRIORITIES = {0, 10, 10, 500};
    private static final String[] NETWORKS = {"10.0.0.0/16", "10.1.0.0/24", "10.0.0.4/30", "192.168.0.0/24",
        "192.168.0.11/32", "0.0.0.0/0", "fd00:10::/32", "fd00:1::/64"};

    ClusterNetworkPolicy clusterPolicy(String name) {
        Tier tier = random.nextBoolean() ? Tier.ADMIN : Tier.BASELINE;
        ClusterSubject subject = random.nextBoolean()
                ? ClusterSubject.namespaces(random.nextInt(3) == 0 ? LabelSelector.ALL : selector())
                : ClusterSubject.pods(random.nextInt(3) == 0 ? LabelSelector.ALL : selector(), selector());
        return new ClusterNetworkPolicy(name, tier, PRIORITIES[random.nextInt(PRIORITIES.length)], subject,
                clusterRules(Direction.INGRESS), clusterRules(Direction.EGRESS));
    }

    private List<ClusterRule> clusterRules(Direction d) {
        List<ClusterRule> rules = new ArrayList<>();
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
            RuleAction action = RuleAction.values()[random.nextInt(3)];
            List<ClusterPeer> peers = new ArrayList<>();
            // now and then no peer at all: a Deny or Pass rule then fails closed, an Accept one matches nothing
            int np = random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(2);
            for (int j = 0; j < np; j++) {
                peers.add(clusterPeer(d));
            }
            List<ClusterPort> protocols = new ArrayList<>();
            if (random.nextInt(10) >= 4) {
                int k = 1 + random.nextInt(2);
                for (int j = 0; j < k; j++) {
                    protocols.add(clusterPort());
                }
            }
            rules.add(new ClusterRule(random.nextBoolean() ? "rule-" + i : null, action, peers, protocols));
        }
        return rules;
    }

    /** Ingress: namespaces and pods peers (upstream has no others there); egress also nodes and networks. */
    private ClusterPeer clusterPeer(Direction d) {
        int k = random.nextInt(d == Direction.INGRESS ? 11 : 18);
        if (k < 5) {
            return new ClusterPeer.Namespaces(random.nextInt(3) == 0 ? LabelSelector.ALL : selector());
        }
        if (k < 10) {
            return new ClusterPeer.Pods(random.nextInt(3) == 0 ? LabelSelector.ALL : selector(), selector());
        }
        if (k == 10) {
            return new ClusterPeer.Unknown("a peer with no field set");
        }
        if (k < 14) {
            return new ClusterPeer.Nodes(random.nextInt(3) == 0 ? LabelSelector.ALL : selector());
        }
        List<String> cidrs = new ArrayList<>();
        int n = 1 + random.nextInt(2);
        for (int i = 0; i < n; i++) {
            String c = NETWORKS[random.nextInt(NETWORKS.length)];
            if (!cidrs.contains(c)) {
                cidrs.add(c);
            }
        }
        return new ClusterPeer.Networks(cidrs);
    }

    /** Named ports with any peer kind: the CRD refuses them next to networks and nodes, the compiler must still agree. */
    private ClusterPort clusterPort() {
        Protocol p = protocol();
        return switch (random.nextInt(4)) {
            case 0 -> ClusterPort.port(p, PORTS[random.nextInt(PORTS.length)]);
            case 1 -> ClusterPort.range(p, 80, 81 + random.nextInt(500));
            default -> ClusterPort.named(PORT_NAMES[random.nextInt(PORT_NAMES.length)]);
        };
    }

    private List<PolicyRule> rules() {
        int n = random.nextInt(3);
        List<PolicyRule> rules = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Peer> peers = new ArrayList<>();
            int np = random.nextInt(3);
            for (int j = 0; j < np; j++) {
                peers.add(peer());
            }
            List<PolicyPort> ports = new ArrayList<>();
            int pp = random.nextInt(3);
            for (int j = 0; j < pp; j++) {
                ports.add(port());
            }
            rules.add(new PolicyRule(peers, ports));
        }
        return rules;
    }

    private Peer peer() {
        return switch (random.nextInt(5)) {
            case 0 -> Peer.pods(selector());
            case 1 -> Peer.namespaces(random.nextBoolean() ? LabelSelector.ALL : selector());
            case 2 -> Peer.podsInNamespaces(selector(), selector());
            case 3 -> random.nextBoolean() ? Peer.ipBlock("10.0.0.0/16", "10.0.0.0/30")
                    : Peer.ipBlock("10.1.0.0/24", "10.1.0.4/32", "10.1.0.128/25");
            default -> random.nextBoolean() ? new Peer(null, null, new IpBlock("192.168.0.0/24", List.of("192.168.0.10/32")))
                    : new Peer(null, null, new IpBlock(random.nextBoolean() ? "fd00:10::/32" : "0.0.0.0/0", List.of("169.254.0.0/16")));
        };
    }

    private PolicyPort port() {
        Protocol p = protocol();
        return switch (random.nextInt(4)) {
            case 0 -> PolicyPort.of(p, PORTS[random.nextInt(PORTS.length)]);
            case 1 -> PolicyPort.range(p, 80, 81 + random.nextInt(500));
            case 2 -> PolicyPort.named(p, PORT_NAMES[random.nextInt(PORT_NAMES.length)]);
            default -> PolicyPort.allOf(p);
        };
    }

    Protocol protocol() {
        int r = random.nextInt(6);
        return r < 3 ? Protocol.TCP : r < 5 ? Protocol.UDP : Protocol.SCTP;
    }

    LabelSelector selector() {
        if (random.nextInt(3) == 0) {
            String key = KEYS[random.nextInt(KEYS.length)];
            LabelSelector.Operator op = LabelSelector.Operator.values()[random.nextInt(4)];
            List<String> values = op == LabelSelector.Operator.IN || op == LabelSelector.Operator.NOT_IN
                    ? List.of(VALUES[random.nextInt(VALUES.length)], VALUES[random.nextInt(VALUES.length)]) : List.of();
            return new LabelSelector(Map.of(), List.of(new LabelSelector.Requirement(key, op, values)));
        }
        return LabelSelector.of(labels(1));
    }

    Map<String, String> labels(int max) {
        Map<String, String> labels = new HashMap<>();
        int n = 1 + random.nextInt(max);
        for (int i = 0; i < n; i++) {
            labels.put(KEYS[random.nextInt(KEYS.length)], VALUES[random.nextInt(VALUES.length)]);
        }
        return labels;
    }
}
