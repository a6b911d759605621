package dev.netfence.policy.property;

import dev.netfence.policy.model.ClusterDns;
import dev.netfence.policy.model.ClusterNetworkPolicy;
import dev.netfence.policy.model.ClusterPeer;
import dev.netfence.policy.model.ClusterPort;
import dev.netfence.policy.model.ClusterRule;
import dev.netfence.policy.model.ClusterSubject;
import dev.netfence.policy.model.RuleAction;
import dev.netfence.policy.model.Tier;
import dev.netfence.policy.net.Cidr;
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
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A small random cluster for the property test: a few namespaces (one known only through its pods),
 * two nodes, pods with random labels, container ports and dual-stack addresses (some host-network,
 * some without an address yet), random NetworkPolicies (selectors with every operator, every peer
 * kind, ipBlocks with excepts around the pod addresses, numeric/named/range/protocol-only ports,
 * every policyTypes form), random DefaultDenies and random ClusterNetworkPolicies (both tiers, tied
 * priorities, every action and peer kind, unknown peers, numeric, range and named ports). Everything
 * generated is valid.
 */
record RandomCluster(ClusterSnapshot snapshot, List<String> v4Addresses, List<String> v6Addresses) {

    static final List<String> KEYS = List.of("app", "tier", "team");
    static final List<String> VALUES = List.of("a", "b", "c");
    static final List<String> PORT_NAMES = List.of("http", "dns", "metrics");
    static final int[] PORT_NUMBERS = {53, 80, 81, 8080};
    static final List<String> NAMESPACES = List.of("n0", "n1", "n2", "n3");   // n3 has no Namespace object
    static final List<String> EXTERNAL_V4 = List.of("192.0.2.1", "10.0.0.99", "169.254.20.10", "10.1.0.77");
    static final List<String> EXTERNAL_V6 = List.of("2001:db8::1", "fd00::99");

    static RandomCluster generate(Random r) {
        ClusterSnapshot.Builder b = ClusterSnapshot.builder();
        List<Node> nodes = List.of(
                new Node("node-0", List.of(IpAddress.parse("10.1.0.1"), IpAddress.parse("fd01::1")), Map.of("app", "a", "team", "b")),
                new Node("node-1", List.of(IpAddress.parse("10.1.0.2"), IpAddress.parse("fd01::2")), Map.of("app", "b")));
        nodes.forEach(b::node);
        for (int i = 0; i < 3; i++) {
            b.namespace(new Namespace(NAMESPACES.get(i), labels(r, 2)));
        }
        List<String> v4 = new ArrayList<>(EXTERNAL_V4);
        List<String> v6 = new ArrayList<>(EXTERNAL_V6);
        v4.addAll(List.of("10.1.0.1", "10.1.0.2"));
        v6.addAll(List.of("fd01::1", "fd01::2"));
        int pods = 3 + r.nextInt(6);
        for (int i = 0; i < pods; i++) {
            int ns = r.nextInt(NAMESPACES.size());
            Node node = nodes.get(r.nextInt(nodes.size()));
            boolean hostNetwork = r.nextInt(7) == 0;
            List<IpAddress> ips = new ArrayList<>();
            if (hostNetwork) {
                ips.addAll(node.ips());
            } else if (r.nextInt(10) != 0) {
                String a4 = "10.0." + ns + "." + (i + 1);
                String a6 = "fd00::" + ns + ":" + (i + 1);
                ips.add(IpAddress.parse(a4));
                v4.add(a4);
                if (r.nextBoolean()) {
                    ips.add(IpAddress.parse(a6));
                    v6.add(a6);
                }
            }
            List<ContainerPort> ports = new ArrayList<>();
            for (String name : PORT_NAMES) {
                if (r.nextInt(3) == 0) {
                    ports.add(new ContainerPort(name, PORT_NUMBERS[r.nextInt(PORT_NUMBERS.length)], protocol(r)));
                }
            }
            b.pod(new Pod(NAMESPACES.get(ns), "p" + i, labels(r, 3), ips, node.name(), hostNetwork, ports));
        }
        int policies = 1 + r.nextInt(6);
        for (int i = 0; i < policies; i++) {
            b.policy(policy(r, NAMESPACES.get(r.nextInt(3)), "np" + i, v4, v6));
        }
        int denies = r.nextInt(3) == 0 ? 1 + r.nextInt(2) : 0;
        for (int i = 0; i < denies; i++) {
            Set<Direction> dirs = switch (r.nextInt(3)) {
                case 0 -> EnumSet.of(Direction.INGRESS);
                case 1 -> EnumSet.of(Direction.EGRESS);
                default -> EnumSet.allOf(Direction.class);
            };
            b.defaultDeny(new DefaultDeny(NAMESPACES.get(r.nextInt(3)), "dd" + i, dirs, r.nextBoolean(), r.nextBoolean(),
                    r.nextBoolean() ? null : selector(r)));
        }
        b.dns(new ClusterDns(NAMESPACES.get(r.nextInt(3)), r.nextBoolean() ? LabelSelector.ALL : selector(r),
                List.of(new ClusterDns.DnsPort(Protocol.UDP, 53), new ClusterDns.DnsPort(Protocol.TCP, 53)),
                r.nextBoolean() ? List.of(IpAddress.parse("169.254.20.10")) : List.of()));
        // Drawn last, so the NetworkPolicy part of each seed's cluster is what it was before tiers existed.
        int clusterPolicies = r.nextInt(3) == 0 ? 0 : 1 + r.nextInt(4);
        for (int i = 0; i < clusterPolicies; i++) {
            b.clusterPolicy(clusterPolicy(r, "cnp" + i, v4, v6));
        }
        return new RandomCluster(b.build(), v4, v6);
    }

    /** Priorities drawn from few values, so that same-priority ties (ordered by name) are common. */
    static final int[] PRIORITIES = {0, 10, 10, 500};

    static ClusterNetworkPolicy clusterPolicy(Random r, String name, List<String> v4, List<String> v6) {
        Tier tier = r.nextBoolean() ? Tier.ADMIN : Tier.BASELINE;
        ClusterSubject subject = r.nextBoolean() ? ClusterSubject.namespaces(selector(r))
                : ClusterSubject.pods(selector(r), selector(r));
        return new ClusterNetworkPolicy(name, tier, PRIORITIES[r.nextInt(PRIORITIES.length)], subject,
                clusterRules(r, Direction.INGRESS, v4, v6), clusterRules(r, Direction.EGRESS, v4, v6));
    }

    static List<ClusterRule> clusterRules(Random r, Direction d, List<String> v4, List<String> v6) {
        List<ClusterRule> rules = new ArrayList<>();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
            RuleAction action = RuleAction.values()[r.nextInt(3)];
            List<ClusterPeer> peers = new ArrayList<>();
            int p = 1 + r.nextInt(2);
            boolean addressPeer = false;
            for (int j = 0; j < p; j++) {
                ClusterPeer peer = clusterPeer(r, d, v4, v6);
                addressPeer |= peer instanceof ClusterPeer.Networks || peer instanceof ClusterPeer.Nodes;
                peers.add(peer);
            }
            List<ClusterPort> protocols = new ArrayList<>();
            if (r.nextInt(10) >= 4) {
                int k = 1 + r.nextInt(2);
                for (int j = 0; j < k; j++) {
                    protocols.add(clusterPort(r, !addressPeer));
                }
            }
            rules.add(new ClusterRule(r.nextBoolean() ? "rule-" + i : null, action, peers, protocols));
        }
        return rules;
    }

    static ClusterPeer clusterPeer(Random r, Direction d, List<String> v4, List<String> v6) {
        int k = r.nextInt(d == Direction.INGRESS ? 11 : 20);
        if (k < 5) {
            return new ClusterPeer.Namespaces(selector(r));
        }
        if (k < 10) {
            return new ClusterPeer.Pods(selector(r), selector(r));
        }
        if (k == 10) {
            return new ClusterPeer.Unknown("a peer with no field set");
        }
        if (k < 14) {
            return new ClusterPeer.Nodes(selector(r));
        }
        List<String> cidrs = new ArrayList<>();
        int n = 1 + r.nextInt(2);
        for (int i = 0; i < n; i++) {
            String c = ipBlock(r, r.nextInt(3) == 0 ? v6 : v4).cidr();
            String masked = Cidr.parse(c).toString();
            if (!cidrs.contains(masked)) {
                cidrs.add(masked);
            }
        }
        return new ClusterPeer.Networks(cidrs);
    }

    static ClusterPort clusterPort(Random r, boolean namedAllowed) {
        int k = r.nextInt(namedAllowed ? 4 : 3);
        Protocol protocol = protocol(r);
        int from = PORT_NUMBERS[r.nextInt(PORT_NUMBERS.length)];
        return switch (k) {
            case 0, 1 -> ClusterPort.port(protocol, from);
            case 2 -> ClusterPort.range(protocol, from, from + 1 + r.nextInt(40));
            default -> ClusterPort.named(pick(r, PORT_NAMES));
        };
    }

    static Map<String, String> labels(Random r, int max) {
        Map<String, String> l = new HashMap<>();
        int n = r.nextInt(max + 1);
        for (int i = 0; i < n; i++) {
            l.put(pick(r, KEYS), pick(r, VALUES));
        }
        return l;
    }

    static <T> T pick(Random r, List<T> values) {
        return values.get(r.nextInt(values.size()));
    }

    static Protocol protocol(Random r) {
        return Protocol.values()[r.nextInt(3)];
    }

    static LabelSelector selector(Random r) {
        if (r.nextInt(5) == 0) {
            return LabelSelector.ALL;
        }
        Map<String, String> matchLabels = labels(r, 1);
        List<LabelSelector.Requirement> exprs = new ArrayList<>();
        int n = r.nextInt(3);
        for (int i = 0; i < n; i++) {
            LabelSelector.Operator op = LabelSelector.Operator.values()[r.nextInt(4)];
            List<String> values = List.of();
            if (op == LabelSelector.Operator.IN || op == LabelSelector.Operator.NOT_IN) {
                values = List.copyOf(new LinkedHashSet<>(List.of(pick(r, VALUES), pick(r, VALUES))));
            }
            exprs.add(new LabelSelector.Requirement(pick(r, KEYS), op, values));
        }
        return new LabelSelector(matchLabels, exprs);
    }

    static NetworkPolicy policy(Random r, String ns, String name, List<String> v4, List<String> v6) {
        List<String> types = switch (r.nextInt(6)) {
            case 0 -> null;
            case 1 -> List.of();
            case 2 -> List.of("Ingress");
            case 3 -> List.of("Egress");
            case 4 -> List.of("Ingress", "Egress");
            default -> List.of("Egress", "Ingress");
        };
        return new NetworkPolicy(ns, name, selector(r), types, rules(r, v4, v6), rules(r, v4, v6), null);
    }

    /** null (absent), [] or 1-3 rules. */
    static List<PolicyRule> rules(Random r, List<String> v4, List<String> v6) {
        int k = r.nextInt(7);
        if (k < 2) {
            return null;
        }
        if (k == 2) {
            return List.of();
        }
        List<PolicyRule> rules = new ArrayList<>();
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            List<Peer> peers = new ArrayList<>();
            if (r.nextInt(10) >= 3) {
                int p = 1 + r.nextInt(3);
                for (int j = 0; j < p; j++) {
                    peers.add(peer(r, v4, v6));
                }
            }
            List<PolicyPort> ports = new ArrayList<>();
            if (r.nextInt(10) >= 4) {
                int p = 1 + r.nextInt(3);
                for (int j = 0; j < p; j++) {
                    ports.add(port(r));
                }
            }
            rules.add(new PolicyRule(peers, ports));
        }
        return rules;
    }

    static Peer peer(Random r, List<String> v4, List<String> v6) {
        return switch (r.nextInt(4)) {
            case 0 -> Peer.pods(selector(r));
            case 1 -> Peer.namespaces(selector(r));
            case 2 -> Peer.podsInNamespaces(selector(r), selector(r));
            default -> new Peer(null, null, ipBlock(r, r.nextInt(3) == 0 ? v6 : v4));
        };
    }

    /** A CIDR around one of the addresses (host bits kept, as users write them) with 0-2 strictly smaller excepts. */
    static IpBlock ipBlock(Random r, List<String> addresses) {
        String around = pick(r, addresses);
        IpAddress ip = IpAddress.parse(around);
        int bits = ip.bits();
        int[] v4Prefixes = {0, 8, 16, 24, 28, 31, 32};
        int[] v6Prefixes = {0, 16, 64, 112, 120, 127, 128};
        int[] choices = ip.v6() ? v6Prefixes : v4Prefixes;
        int prefix = choices[r.nextInt(choices.length)];
        String cidr = around + "/" + prefix;
        List<String> except = new ArrayList<>();
        int n = prefix == bits ? 0 : r.nextInt(3);
        for (int i = 0; i < n; i++) {
            String inner = pick(r, addresses);
            IpAddress innerIp = IpAddress.parse(inner);
            if (innerIp.v6() != ip.v6() || !innerIp.mask(prefix).equals(ip.mask(prefix))) {
                inner = around;
            }
            int exceptPrefix = prefix + 1 + r.nextInt(bits - prefix);
            except.add(inner + "/" + exceptPrefix);
        }
        return new IpBlock(cidr, except);
    }

    static PolicyPort port(Random r) {
        String protocol = r.nextInt(4) == 0 ? null : protocol(r).name();
        return switch (r.nextInt(5)) {
            case 0, 1 -> new PolicyPort(protocol, PORT_NUMBERS[r.nextInt(PORT_NUMBERS.length)], null, null);
            case 2 -> new PolicyPort(protocol, null, pick(r, PORT_NAMES), null);
            case 3 -> {
                int from = PORT_NUMBERS[r.nextInt(PORT_NUMBERS.length)];
                yield new PolicyPort(protocol, from, null, from + r.nextInt(40));
            }
            default -> new PolicyPort(protocol, null, null, null);
        };
    }
}
