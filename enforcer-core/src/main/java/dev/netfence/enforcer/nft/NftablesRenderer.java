package dev.netfence.enforcer.nft;

import dev.netfence.policy.compile.AddressSet;
import dev.netfence.policy.compile.CompiledRule;
import dev.netfence.policy.compile.ContentHash;
import dev.netfence.policy.compile.DestinationPort;
import dev.netfence.policy.compile.LocalPod;
import dev.netfence.policy.compile.NodeRuleSet;
import dev.netfence.policy.compile.PolicyRules;
import dev.netfence.policy.compile.PortRange;
import dev.netfence.policy.compile.ResolvedRuleSet;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders a node's compiled rule set into the table {@code inet netfence} (pure, no I/O).
 *
 * <p>Layout, and why:
 * <ul>
 *   <li>Two base chains on the forward hook, {@code egress} (priority filter) then {@code ingress}
 *       (filter + 1). Pods are routed, so every pod packet crosses the node's forward path. An
 *       {@code accept} ends only its own base chain, so a flow between two pods of the node is
 *       checked for the source's egress and then for the destination's ingress, as NetworkPolicy
 *       requires both.</li>
 *   <li>Each starts with {@code ct state established,related accept} (replies and follow-up
 *       packets are not judged again) and {@code ct state invalid drop}, then accepts traffic to/from
 *       the node's own addresses (always allowed for its pods), then looks the pod address up in a
 *       verdict map ({@code egress_v4: saddr}, {@code ingress_v4: daddr}, and v6). An address not in
 *       the map is a pod that is not isolated (or not a pod): the base chain's policy accepts it.</li>
 *   <li>The map jumps to a profile chain shared by every pod with the same list of policies; it jumps
 *       to one chain per policy direction and ends with a counted drop. A policy chain holds one rule
 *       per (rule, peer set, family, port form), each with a counter and a comment naming the
 *       policy and the rule's field path, and accepts on match.</li>
 *   <li>Peers are named interval sets ({@code as_<hash>_v4/_v6}, shared by every rule that uses the
 *       same AddressSet); numeric ports a named {@code inet_proto . inet_service} interval set;
 *       named ports a set of (destination address . protocol . port).</li>
 * </ul>
 * Per packet: a hash lookup in the map, then only the rules of the policies selecting that pod, so
 * the cost does not grow with the number of policies or pods on the node.
 */
public final class NftablesRenderer {

    private NftablesRenderer() {
    }

    /** The nftables name (without the {@code _v4}/{@code _v6} suffix) of an AddressSet's sets. */
    public static String setNameOf(String addressSetName) {
        return "as_" + addressSetName.substring(addressSetName.indexOf('-') + 1);
    }

    public static RenderedTable render(ResolvedRuleSet resolved) {
        return new Build(resolved).table();
    }

    private static final class Build {
        private final NodeRuleSet rs;
        private final Map<String, AddressSet> addressSets = new HashMap<>();
        private final Map<String, PolicyRules> policies = new LinkedHashMap<>();
        private final Map<String, NftSet> sets = new TreeMap<>();
        private final List<NftChain> policyChains = new ArrayList<>();
        private final Map<String, NftChain> profileChains = new TreeMap<>();

        Build(ResolvedRuleSet resolved) {
            this.rs = resolved.ruleSet();
            resolved.addressSets().forEach(a -> addressSets.put(a.name(), a));
            rs.policies().forEach(p -> policies.put(p.id(), p));
        }

        RenderedTable table() {
            List<String> nodeV4 = new ArrayList<>();
            List<String> nodeV6 = new ArrayList<>();
            rs.nodeAddresses().forEach(a -> (IpAddress.parse(a).v6() ? nodeV6 : nodeV4).add(a));
            addSet(new NftSet("node_v4", "ipv4_addr", false, nodeV4));
            addSet(new NftSet("node_v6", "ipv6_addr", false, nodeV6));
            for (PolicyRules p : rs.policies()) {
                policyChains.add(policyChain(p));
            }
            Map<Direction, List<String>> v4 = new HashMap<>();
            Map<Direction, List<String>> v6 = new HashMap<>();
            for (Direction d : Direction.values()) {
                v4.put(d, new ArrayList<>());
                v6.put(d, new ArrayList<>());
            }
            for (LocalPod pod : rs.pods()) {
                for (Direction d : Direction.values()) {
                    List<String> ids = d == Direction.INGRESS ? pod.ingressPolicies() : pod.egressPolicies();
                    if (ids.isEmpty()) {
                        continue;
                    }
                    String chain = profileChain(d, ids);
                    for (String ip : pod.ips()) {
                        (IpAddress.parse(ip).v6() ? v6 : v4).get(d).add(ip + " : jump " + chain);
                    }
                }
            }
            for (Direction d : Direction.values()) {
                addSet(new NftSet(d.field() + "_v4", "ipv4_addr : verdict", false, v4.get(d)));
                addSet(new NftSet(d.field() + "_v6", "ipv6_addr : verdict", false, v6.get(d)));
            }
            List<NftChain> chains = new ArrayList<>();
            chains.add(baseChain(Direction.EGRESS));
            chains.add(baseChain(Direction.INGRESS));
            chains.addAll(profileChains.values());
            chains.addAll(policyChains);
            return new RenderedTable(List.copyOf(sets.values()), chains);
        }

        private NftChain baseChain(Direction d) {
            boolean egress = d == Direction.EGRESS;
            String pod = egress ? "saddr" : "daddr";
            String peer = egress ? "daddr" : "saddr";
            return new NftChain(d.field(),
                    "type filter hook forward priority " + (egress ? "filter" : "filter + 1") + "; policy accept;",
                    "NetworkPolicy " + d.field() + " of the local pods of node " + rs.node(),
                    List.of("ct state established,related accept",
                            "ct state invalid drop",
                            "ip " + peer + " @node_v4 accept",
                            "ip6 " + peer + " @node_v6 accept",
                            "ip " + pod + " vmap @" + d.field() + "_v4",
                            "ip6 " + pod + " vmap @" + d.field() + "_v6"));
        }

        /** The chain shared by every pod isolated by exactly these policies in this direction. */
        private String profileChain(Direction d, List<String> ids) {
            String name = (d == Direction.INGRESS ? "in_" : "out_") + ContentHash.of(String.join("\n", ids));
            profileChains.computeIfAbsent(name, n -> {
                List<String> rules = new ArrayList<>();
                List<String> names = new ArrayList<>();
                for (String id : ids) {
                    rules.add("jump " + policyChainName(id));
                    PolicyRules p = policies.get(id);
                    names.add(p.namespace() + "/" + p.name());
                }
                // the policies named here isolate the pod (often by allowing something): nothing they allow matched
                rules.add("counter drop comment " + RenderedTable.quote(d.field() + " isolated by " + String.join(",", names)));
                return new NftChain(n, null, d.apiName() + " isolated by " + String.join(", ", ids), rules);
            });
            return name;
        }

        private static String policyChainName(String id) {
            return "pol_" + ContentHash.of(id);
        }

        private NftChain policyChain(PolicyRules p) {
            List<String> rules = new ArrayList<>();
            boolean ingress = p.direction() == Direction.INGRESS;
            for (CompiledRule r : p.rules()) {
                String comment = RenderedTable.quote(p.kind() + " " + p.namespace() + "/" + p.name() + " " + r.fieldPath());
                List<Match> peers = new ArrayList<>();
                if (r.allPeers()) {
                    peers.add(new Match(null, null));
                } else {
                    for (String as : r.peers()) {
                        String base = setNameOf(as);
                        addAddressSet(base, as);
                        peers.add(new Match(Boolean.FALSE, "ip " + (ingress ? "saddr" : "daddr") + " @" + base + "_v4"));
                        peers.add(new Match(Boolean.TRUE, "ip6 " + (ingress ? "saddr" : "daddr") + " @" + base + "_v6"));
                    }
                }
                List<Match> ports = new ArrayList<>();
                if (r.allPorts()) {
                    ports.add(new Match(null, null));
                } else {
                    if (!r.ports().isEmpty()) {
                        String name = "ps_" + ContentHash.of(r.ports().toString());
                        addSet(new NftSet(name, "inet_proto . inet_service", true, r.ports().stream().map(Build::portElement).toList()));
                        ports.add(new Match(null, "meta l4proto . th dport @" + name));
                    }
                    if (!r.namedPorts().isEmpty()) {
                        String name = "np_" + ContentHash.of(p.id() + " " + r.fieldPath());
                        List<String> v4 = new ArrayList<>();
                        List<String> v6 = new ArrayList<>();
                        for (DestinationPort dp : r.namedPorts()) {
                            (IpAddress.parse(dp.address()).v6() ? v6 : v4).add(dp.address() + " . "
                                    + dp.protocol().name().toLowerCase(Locale.ROOT) + " . " + dp.port());
                        }
                        addSet(new NftSet(name + "_v4", "ipv4_addr . inet_proto . inet_service", false, v4));
                        addSet(new NftSet(name + "_v6", "ipv6_addr . inet_proto . inet_service", false, v6));
                        ports.add(new Match(Boolean.FALSE, "ip daddr . meta l4proto . th dport @" + name + "_v4"));
                        ports.add(new Match(Boolean.TRUE, "ip6 daddr . meta l4proto . th dport @" + name + "_v6"));
                    }
                }
                for (Match peer : peers) {
                    for (Match port : ports) {
                        if (peer.v6() != null && port.v6() != null && !peer.v6().equals(port.v6())) {
                            continue;
                        }
                        StringBuilder rule = new StringBuilder();
                        if (peer.text() != null) {
                            rule.append(peer.text()).append(' ');
                        }
                        if (port.text() != null) {
                            rule.append(port.text()).append(' ');
                        }
                        rules.add(rule.append("counter accept comment ").append(comment).toString());
                    }
                }
            }
            return new NftChain(policyChainName(p.id()), null, p.id(), rules);
        }

        /** One match of a rule; {@code v6} null when it applies to both families. */
        private record Match(Boolean v6, String text) {
        }

        private static String portElement(PortRange r) {
            String proto = r.protocol().name().toLowerCase(Locale.ROOT);
            return proto + " . " + (r.first() == r.last() ? String.valueOf(r.first()) : r.first() + "-" + r.last());
        }

        private void addAddressSet(String base, String name) {
            if (sets.containsKey(base + "_v4")) {
                return;
            }
            AddressSet as = addressSets.get(name);
            if (as == null) {
                throw new IllegalArgumentException("NodeRuleSet " + rs.node() + " refers to AddressSet " + name
                        + " which was not provided: publish the AddressSet or recompile the rule set");
            }
            List<String> v4 = new ArrayList<>();
            List<String> v6 = new ArrayList<>();
            for (String e : as.entries()) {
                (e.indexOf(':') >= 0 ? v6 : v4).add(e);
            }
            addSet(new NftSet(base + "_v4", "ipv4_addr", true, v4));
            addSet(new NftSet(base + "_v6", "ipv6_addr", true, v6));
        }

        private void addSet(NftSet s) {
            sets.putIfAbsent(s.name(), s);
        }
    }
}
