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
import dev.netfence.policy.model.Tier;
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
 *       packets are not judged again) and (egress only: every forwarded packet crosses it first) {@code ct
 *       state invalid drop}, then accepts traffic to/from
 *       the node's own addresses (always allowed for its pods), then goes by family to a pod chain,
 *       {@code <dir>_pod_v4} or {@code _v6} (so an IPv4 packet evaluates no IPv6 rule), which accepts at once a
 *       pod nothing isolates in that direction (its address not in the pod map) and otherwise finds the pod's
 *       profile: the chain shared by every pod with the same lists of policies in that direction
 *       (ClusterNetworkPolicy directions, in evaluation order, and NetworkPolicy-tier policies).</li>
 *   <li>Pod → profile is data, not a jump: a map {@code <dir>_pods_v4/_v6} gives the profile's id
 *       (1, 2, ... by profile name), written into the packet mark, and the verdict map
 *       {@code <dir>_profiles} (id → {@code jump <profile>}) selects the profile; the rule that looks the id up
 *       clears the mark in the same step (the id is loaded first). A pod joining, leaving or moving between
 *       existing profiles changes map and set elements only, with no {@code jump} element: the
 *       kernel re-validates a table's whole chain graph whenever a jump element is added, which made
 *       that cost grow with the table. The verdict map changes only when the set of profiles does
 *       (and then chains change too: a full replacement). An address not in the map is a pod that is
 *       not isolated (or not a pod): the base chain's policy accepts it.</li>
 *   <li>Marks: this path runs only for packets whose mark is 0 and leaves it 0 on every path that
 *       lets the packet continue (drops need no mark), so no bit of anyone's mark (kube-proxy's
 *       0x4000 masquerade and 0x8000 drop bits, Calico's 0xffff0000, Cilium's, the AWS VPC CNI's
 *       0x80) is read or changed, and no other hook ever sees the value we use. A packet that
 *       arrives already marked goes to {@code <dir>_marked}, which finds the profile without touching
 *       the mark: one rule per profile and family that looks (address . the profile's id) up in one set
 *       per direction and family, {@code <dir>_pod_ids_v4/_v6} ({@code ip daddr . 0x00000002
 *       @ingress_pod_ids_v4 jump in_...}), so no set per profile (they were two thirds of the table's
 *       sets, and a full load's kernel cost is quadratic in the number of named sets). nft 1.0.6 cannot
 *       parse a constant in a concatenation (the kernel takes it;
 *       {@link NetlinkRuleEncoder} writes it), so such a table is loaded over netlink only
 *       ({@link RenderedTable#netlinkOnly}).</li>
 *   <li>A profile chain first jumps to its Admin tier chain {@code adm_<hash>} when ClusterNetworkPolicies
 *       of the Admin tier select the pod. Then, when enforcing NetworkPolicies isolate the pod, it jumps
 *       to one chain per policy direction (or holds that chain's rules itself when it is the only profile
 *       using the policy: fewer chains, which every commit walks) and ends with a counted drop; otherwise it jumps to its
 *       Baseline tier chain {@code base_<hash>} (and, with audited policies, to their chains and a
 *       counted would-deny accept, the Baseline chain being the {@code _audit} variant whose Accept
 *       returns). Falling off the end returns to the base chain, whose policy accepts. A policy chain
 *       holds one rule per (rule, peer set, family, port form), each with a counter and a comment
 *       naming the policy and the rule's field path, and accepts on match.</li>
 *   <li>A tier chain (one per distinct ordered list of the tier's policy ids on the node) holds the
 *       rules of those policies inlined in evaluation order (priority, then name; rules as written),
 *       in the same form as a policy chain's, ending in the rule's action: Accept {@code accept}, Deny
 *       {@code drop}, Pass {@code return} (the rest of the tier is skipped, the next tier decides).
 *       The comment names tier, policy, field path, rule name and action.</li>
 *   <li>Peers are named sets ({@code as_<hash>_v4/_v6}, shared by every rule that uses the
 *       same AddressSet; interval sets only where the entries hold a network or range); numeric ports a named {@code inet_proto . inet_service} interval set;
 *       named ports a set of (destination address . protocol . port).</li>
 * </ul>
 * Per new packet (unmarked), in each direction's pod chain: one lookup for a pod nothing isolates there, three for an
 * isolated one (that test, the pod map, the verdict map), then only the rules of the policies (of every tier) selecting that pod,
 * so the cost does not grow with the number of policies or pods on the node; a packet that arrived
 * marked pays one set lookup per profile before its own instead.
 */
public final class NftablesRenderer {

    private NftablesRenderer() {
    }

    /** The nftables name (without the {@code _v4}/{@code _v6} suffix) of an AddressSet's sets. */
    public static String setNameOf(String addressSetName) {
        return "as_" + addressSetName.substring(addressSetName.indexOf('-') + 1);
    }

    /**
     * The profile chain of the pods with exactly these ClusterNetworkPolicy ids ({@link LocalPod#clusterPolicies})
     * and NetworkPolicy-tier ids in this direction (for {@link FlowLogRules}).
     */
    static String profileChain(Direction d, List<String> cluster, List<String> ids) {
        return Build.profileChainName(d, cluster, ids);
    }

    /**
     * The comment (quoted) of the nft rules of one compiled rule, which the rule counters sum by: a NetworkPolicy
     * tier rule {@code NetworkPolicy shop/web spec.ingress[0]}; a ClusterNetworkPolicy rule names the tier, the
     * policy, the field path, the rule's name when it has one, and the action:
     * {@code Admin ClusterNetworkPolicy guard spec.egress[0] (no-metadata) Deny}.
     */
    static String ruleComment(PolicyRules p, CompiledRule r) {
        if (!p.clusterTier()) {
            return RenderedTable.quote(p.kind() + " " + p.namespace() + "/" + p.name() + " " + r.fieldPath());
        }
        return RenderedTable.quote(p.tier().apiName() + " " + p.kind() + " " + p.name() + " " + ruleText(r));
    }

    /** {@code spec.egress[0] (no-metadata) Deny}: a ClusterNetworkPolicy rule as flow records and comments name it. */
    static String ruleText(CompiledRule r) {
        return r.fieldPath() + (r.name().isEmpty() ? "" : " (" + r.name() + ")") + " " + r.action().apiName();
    }

    /** Whether a chain of the rendered table is a tier chain ({@code adm_}/{@code base_}, for {@link FlowLogRules}). */
    static boolean isTierChain(String chain) {
        return chain.startsWith("adm_") || chain.startsWith("base_");
    }

    /** The chain of one compiled policy direction (for {@link FlowLogRules}). */
    static String policyChain(String id) {
        return Build.policyChainName(id);
    }

    /**
     * The profile chain a pod is looked up into in this direction, or null when nothing isolates it there
     * (the one definition the renderer and {@link PodElements} share).
     */
    static String podProfile(Direction d, LocalPod pod) {
        return Build.looksUp(pod, d) ? Build.profileChainName(d, pod.clusterPolicies(d), pod.policies(d)) : null;
    }

    /**
     * Whether an AddressSet's entries of one family need an interval set: only networks and ranges
     * ({@code 10.0.0.0/24}, {@code 10.0.0.0-10.0.0.4}) do. A set of single addresses (what a pod or namespace
     * selector's peer holds: pod addresses, never merged) is a plain hash set: the kernel inserts its elements
     * into a hash table instead of an rbtree whose every insert walks its neighbours for overlaps, one kernel
     * element per address instead of an interval's two, and a packet's lookup is a hash probe instead of a tree
     * walk. Measured on the 10,000-pod benchmark table (1,000 AddressSets of 100 pod addresses): a full load
     * took 0.86 of the interval sets' time. A set whose entries gain a network (or lose the last one) changes its
     * declaration, which the applier treats as a change of the table's shape: a full replacement, one
     * transaction, as for any other declaration change. Selector peers never hold a range and ipBlock peers
     * always do (an ipBlock of one address aside), so a set's kind does not flap with its members.
     */
    static boolean intervalsNeeded(List<String> entries) {
        for (String e : entries) {
            if (e.indexOf('/') >= 0 || e.indexOf('-') >= 0) {
                return true;
            }
        }
        return false;
    }

    /** The chain of a direction and family that looks its pods up, {@code egress_pod_v4} ({@link FailClosedRules}). */
    static String podChainName(Direction d, boolean v6) {
        return d.field() + "_pod" + (v6 ? "_v6" : "_v4");
    }

    /** The pod map of a direction and family: pod address → profile id. */
    static String podMap(Direction d, boolean v6) {
        return d.field() + "_pods" + (v6 ? "_v6" : "_v4");
    }

    /**
     * The set of a direction and family holding (pod address . profile id), for packets that arrive marked: a
     * plain set, not a map, because the kernel checks every element of a map each time a rule binds a lookup to
     * it (4,000 marked-path rules over a 10,000-element map were ~1 s of a full load's kernel time).
     */
    static String podIds(Direction d, boolean v6) {
        return d.field() + "_pod_ids" + (v6 ? "_v6" : "_v4");
    }

    /** The verdict map of a direction: profile id → jump to the profile chain. */
    static String profileMap(Direction d) {
        return d.field() + "_profiles";
    }

    /** Whether the policy chains carry IPv6 rules for this rule set (see {@code Build.needsV6}). */
    static boolean needsV6(NodeRuleSet rs) {
        return Build.needsV6(rs);
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
        private final Map<String, NftChain> tierChains = new TreeMap<>();
        /** Whether any local pod has an IPv6 address: see {@link #needsV6}. */
        private final boolean v6;

        Build(ResolvedRuleSet resolved) {
            this.rs = resolved.ruleSet();
            resolved.addressSets().forEach(a -> addressSets.put(a.name(), a));
            rs.policies().forEach(p -> policies.put(p.id(), p));
            this.v6 = needsV6(rs);
        }

        /**
         * Whether the profile and policy chains need their IPv6 rules and sets. A packet reaches a profile
         * chain only through the lookup of its own pod address in the pod maps (or pod sets) of its own family,
         * so with no local pod holding an IPv6 address no IPv6 packet is ever judged by a policy rule: the
         * {@code ip6} rules and the {@code _v6} peer and named-port sets they look up would be dead weight, and
         * every named set costs the kernel a walk of the table's set list per reference at load time (1,000
         * empty {@code as_*_v6} sets and 10,000 rules in the 10,000-pod benchmark table). Decided per node rule
         * set rather than per set, so an AddressSet gaining or losing its last member never changes the
         * table's shape (which would turn an element delta into a full replacement); only the node's first
         * IPv6 pod does. The base chains keep their IPv6 rules and the (then empty) {@code _v6} maps, so that
         * the fail-closed and node rules stay what they are.
         */
        static boolean needsV6(NodeRuleSet rs) {
            for (LocalPod p : rs.pods()) {
                for (String ip : p.ips()) {
                    if (ip.indexOf(':') >= 0) {
                        return true;
                    }
                }
            }
            return false;
        }

        RenderedTable table() {
            List<String> nodeV4 = new ArrayList<>();
            List<String> nodeV6 = new ArrayList<>();
            rs.nodeAddresses().forEach(a -> (IpAddress.parse(a).v6() ? nodeV6 : nodeV4).add(a));
            addSet(new NftSet("node_v4", "ipv4_addr", false, nodeV4));
            addSet(new NftSet("node_v6", "ipv6_addr", false, nodeV6));
            for (PolicyRules p : rs.policies()) {
                if (!p.clusterTier()) {
                    // a ClusterNetworkPolicy's rules are inlined in the tier chains that list it
                    policyChains.add(policyChain(p));
                }
            }
            // first every profile (its id is its position among the direction's sorted profile names, so
            // ids change only when the set of profiles does, which changes chains anyway), then the pods
            Map<Direction, TreeMap<String, LocalPod>> profiles = new HashMap<>();
            for (Direction d : Direction.values()) {
                profiles.put(d, new TreeMap<>());
            }
            for (LocalPod pod : rs.pods()) {
                for (Direction d : Direction.values()) {
                    if (looksUp(pod, d)) {
                        profiles.get(d).putIfAbsent(profileChain(d, pod.clusterPolicies(d), pod.policies(d)), pod);
                    }
                }
            }
            List<NftChain> chains = new ArrayList<>();
            chains.add(baseChain(Direction.EGRESS));
            chains.add(baseChain(Direction.INGRESS));
            // right after the base chains: FailClosedRules edits them too, and finds them there at once
            for (Direction d : Direction.values()) {
                chains.add(podChain(d, false));
                chains.add(podChain(d, true));
            }
            for (Direction d : Direction.values()) {
                chains.addAll(podLookup(d, profiles.get(d)));
            }
            List<NftChain> policies = inlineSingleUse();
            chains.addAll(profileChains.values());
            chains.addAll(tierChains.values());
            chains.addAll(policies);
            return new RenderedTable(inLookupOrder(sets.values(), chains), chains);
        }

        /**
         * The policy chain of a policy that exactly one profile chain jumps to is written into that profile chain in
         * place of the jump (its rules only accept, so where they stand decides nothing else), and the chain goes;
         * replaces {@link #profileChains}' entries and returns the policy chains that stay (jumped to from several
         * profiles, or from none). Why: every nf_tables commit, a pod change's element batch too, walks every chain
         * of the namespace's tables (step 2 of {@code nf_tables_commit}, through memory a change finds cold), so the
         * kernel's part of a pod change grew with the number of chains: a 10,000-pod table with a policy per profile
         * had 6,004 chains, 2,000 of them policy chains jumped to once (see enforcer/README.md, *Pod changes in the
         * loop*). A packet also takes one jump less. Decided by the set of profiles alone, which a pod change never
         * alters (a change that would goes the full way), so the pod path's tables stay what a render makes.
         */
        private List<NftChain> inlineSingleUse() {
            Map<String, Integer> jumps = new HashMap<>();
            for (NftChain c : profileChains.values()) {
                for (String rule : c.rules()) {
                    if (rule.startsWith("jump pol_")) {
                        jumps.merge(rule.substring("jump ".length()), 1, Integer::sum);
                    }
                }
            }
            Map<String, NftChain> inlined = new HashMap<>();
            List<NftChain> kept = new ArrayList<>();
            for (NftChain c : policyChains) {
                if (jumps.getOrDefault(c.name(), 0) == 1) {
                    inlined.put(c.name(), c);
                } else {
                    kept.add(c);
                }
            }
            if (inlined.isEmpty()) {
                return kept;
            }
            for (Map.Entry<String, NftChain> e : profileChains.entrySet()) {
                NftChain c = e.getValue();
                List<String> rules = null;
                for (int i = 0; i < c.rules().size(); i++) {
                    String rule = c.rules().get(i);
                    NftChain policy = rule.startsWith("jump pol_") ? inlined.get(rule.substring("jump ".length())) : null;
                    if (policy != null && rules == null) {
                        rules = new ArrayList<>(c.rules().subList(0, i));
                    }
                    if (rules != null) {
                        if (policy != null) {
                            rules.addAll(policy.rules());
                        } else {
                            rules.add(rule);
                        }
                    }
                }
                if (rules != null) {
                    e.setValue(new NftChain(c.name(), c.hook(), c.comment(), rules));
                }
            }
            return kept;
        }

        /**
         * The sets ordered by how many rules look them up (most first), then by name. The kernel finds
         * the set of each lookup in a rule by walking the table's set list in creation order (nf_tables
         * keeps sets in a plain list), so a full load costs the sum over rules of the position of their
         * sets: with a 10,000-pod table, name order cost ~5 s of kernel time against ~2.5 s in this order.
         *
         * <p>Except the sets a pod change edits (the pod maps and the marked path's pod sets), which come first:
         * each element message of a pod change names its set, and the kernel finds it by the same walk
         * ({@code nf_tables_delsetelem}, {@code nft_set_lookup_global}). Behind the ~1,000 address sets of a
         * 10,000-pod table (each looked up by a few rules), the pod maps cost every pod change that walk through
         * memory the change finds cold: ~0.17 ms of a join's batch (see enforcer/README.md, *Pod changes in the
         * loop*). First, they cost a full load a few list steps per lookup.
         */
        private static List<NftSet> inLookupOrder(java.util.Collection<NftSet> sets, List<NftChain> chains) {
            Map<String, Integer> lookups = new HashMap<>();
            for (NftChain c : chains) {
                for (String rule : c.rules()) {
                    for (int at = rule.indexOf('@'); at >= 0; at = rule.indexOf('@', at + 1)) {
                        int end = at + 1;
                        while (end < rule.length() && (Character.isLetterOrDigit(rule.charAt(end)) || rule.charAt(end) == '_')) {
                            end++;
                        }
                        lookups.merge(rule.substring(at + 1, end), 1, Integer::sum);
                    }
                }
            }
            List<NftSet> ordered = new ArrayList<>(sets);
            ordered.sort(java.util.Comparator.comparingInt((NftSet set) -> podPath(set.name()) ? 0 : 1)
                    .thenComparingInt((NftSet set) -> -lookups.getOrDefault(set.name(), 0))
                    .thenComparing(NftSet::name));
            return ordered;
        }

        /** Whether a pod change edits this set: a pod map or a marked-path pod set of either direction. */
        private static boolean podPath(String set) {
            for (Direction d : Direction.values()) {
                for (boolean v6 : new boolean[]{false, true}) {
                    if (set.equals(podMap(d, v6)) || set.equals(podIds(d, v6))) {
                        return true;
                    }
                }
            }
            return false;
        }

        /**
         * The pod lookup of one direction: pod address → profile id (data maps {@code <dir>_pods_v4/_v6}),
         * profile id → the profile's chain (verdict map {@code <dir>_profiles}, through a chain that first
         * clears the mark again), and the path for packets that arrive already marked (address . profile id
         * looked up once per profile in {@code <dir>_pod_ids_v4/_v6}). Returns the chains it adds
         * ({@code <dir>_marked} and one {@code fin_}/{@code fout_} per profile).
         */
        private List<NftChain> podLookup(Direction d, TreeMap<String, LocalPod> profiles) {
            boolean ingress = d == Direction.INGRESS;
            String pod = ingress ? "daddr" : "saddr";
            Map<String, Integer> ids = new HashMap<>();
            List<String> verdicts = new ArrayList<>();
            List<NftChain> added = new ArrayList<>();
            List<String> marked = new ArrayList<>();
            for (String profile : profiles.keySet()) {
                int id = ids.size() + 1;
                ids.put(profile, id);
                // straight to the profile chain: the pod chain's dispatch rule clears the mark as it looks the id up
                verdicts.add(mark(id) + " : jump " + profile);
            }
            List<String> v4 = new ArrayList<>();
            List<String> v6 = new ArrayList<>();
            List<String> idsV4 = new ArrayList<>();
            List<String> idsV6 = new ArrayList<>();
            for (LocalPod p : rs.pods()) {
                if (!looksUp(p, d)) {
                    continue;
                }
                String profile = profileChainName(d, p.clusterPolicies(d), p.policies(d));
                String id = mark(ids.get(profile));
                for (String ip : p.ips()) {
                    boolean isV6 = IpAddress.parse(ip).v6();
                    (isV6 ? v6 : v4).add(ip + " : " + id);
                    (isV6 ? idsV6 : idsV4).add(ip + " . " + id);
                }
            }
            addSet(new NftSet(podMap(d, false), "ipv4_addr : mark", false, v4));
            addSet(new NftSet(podMap(d, true), "ipv6_addr : mark", false, v6));
            addSet(new NftSet(podIds(d, false), "ipv4_addr . mark", false, idsV4));
            addSet(new NftSet(podIds(d, true), "ipv6_addr . mark", false, idsV6));
            addSet(new NftSet(profileMap(d), "mark : verdict", false, verdicts));
            for (String profile : profiles.keySet()) {
                marked.add("ip " + pod + " . " + mark(ids.get(profile)) + " @" + podIds(d, false) + " jump " + profile);
                if (this.v6) {
                    marked.add("ip6 " + pod + " . " + mark(ids.get(profile)) + " @" + podIds(d, true) + " jump " + profile);
                }
            }
            added.add(0, new NftChain(d.field() + "_marked", null, "packets someone else marked: judged without"
                    + " touching the mark: address . profile id looked up per profile", marked));
            return added;
        }

        private static String mark(int id) {
            return String.format("0x%08x", id);
        }

        private NftChain baseChain(Direction d) {
            boolean egress = d == Direction.EGRESS;
            String peer = egress ? "daddr" : "saddr";
            List<String> rules = new ArrayList<>(9);
            rules.add("ct state established,related accept");
            if (egress) {
                // only in the first base chain: every forwarded packet crosses egress before ingress (same hook,
                // lower priority), so an invalid one never reaches ingress, and a second test there would cost a
                // rule per new packet for nothing
                rules.add("ct state invalid drop");
            }
            rules.add("ip " + peer + " @node_v4 accept");
            rules.add("ip6 " + peer + " @node_v6 accept");
            // one chain per family from here: an IPv4 packet never evaluates an IPv6 rule (nor the reverse)
            rules.add("meta nfproto ipv4 goto " + podChainName(d, false));
            rules.add("meta nfproto ipv6 goto " + podChainName(d, true));
            return new NftChain(d.field(),
                    "type filter hook forward priority " + (egress ? "filter" : "filter + 1") + "; policy accept;",
                    "NetworkPolicy " + d.field() + " of the local pods of node " + rs.node(), List.copyOf(rules));
        }

        /**
         * The pod lookup of one direction and family, reached by {@code goto} from the base chain (so falling off its
         * end accepts, as the base chain's policy does). First a pod that nothing isolates in this direction (not in
         * the pod map: a non-isolated pod, or no pod) is accepted by one lookup, whatever its mark: before session 8
         * it walked the mark test, both families' map rules, the verdict map and the mark reset to the same accept
         * (a packet that arrived marked found no profile in {@code <dir>_marked} either). The lookup reads the map
         * as a set (its keys; the kernel allows that for a named map) so that a pod joining or leaving stays one map
         * element. Then, for an isolated pod: a packet someone else marked goes to {@code <dir>_marked}; an unmarked
         * one gets its profile id into the mark, and the last rule loads the mark, clears it and looks the loaded id
         * up in the verdict map, which jumps straight to the profile chain ({@link NetlinkRuleEncoder}'s
         * {@code clearedVmap}: no trampoline chain per profile; until session 8 one chain per profile cleared the mark
         * before jumping on, 2,000 of the 10,000-pod table's 4,004 chains, and every nf_tables commit, a pod change's
         * too, walks every chain). nft prints that rule as "set the mark to 0, then the mark's verdict map"; its
         * comment says that the id is read first.
         */
        /** The comment of the dispatch rule (quoted): nft lists its two statements in an order that misleads. */
        static final String DISPATCH_COMMENT = "\"the profile id is read from the mark before the mark is cleared\"";

        private NftChain podChain(Direction d, boolean v6) {
            String pod = (v6 ? "ip6 " : "ip ") + (d == Direction.INGRESS ? "daddr" : "saddr");
            String map = "@" + podMap(d, v6);
            return new NftChain(podChainName(d, v6), null, "the pod lookups of " + d.field() + " for "
                    + (v6 ? "IPv6" : "IPv4"), List.of(
                    pod + " != " + map + " accept",
                    "meta mark != " + mark(0) + " goto " + d.field() + "_marked",
                    "meta mark set " + pod + " map " + map,
                    "meta mark set " + mark(0) + " meta mark vmap @" + profileMap(d) + " comment " + DISPATCH_COMMENT));
        }

        /** A pod is in the lookup of a direction when any tier has a policy for it there. */
        static boolean looksUp(LocalPod pod, Direction d) {
            return !pod.policies(d).isEmpty() || !pod.clusterPolicies(d).isEmpty();
        }

        /**
         * The profile of the pods with exactly these ClusterNetworkPolicy and NetworkPolicy-tier ids in this
         * direction. Without cluster ids the name is what it was before tiers existed (a hash of the policy
         * ids), so a node without ClusterNetworkPolicies renders the same table as before.
         */
        static String profileChainName(Direction d, List<String> cluster, List<String> ids) {
            String key = String.join("\n", ids);
            if (!cluster.isEmpty()) {
                // "\n\n" never occurs in a list of non-empty ids: the two kinds of key cannot collide
                key = String.join("\n", cluster) + "\n\n" + key;
            }
            return (d == Direction.INGRESS ? "in_" : "out_") + ContentHash.of(key);
        }

        /** The chain of one tier's policies, in evaluation order (one per distinct list on the node). */
        static String tierChainName(Tier tier, List<String> ids, boolean audit) {
            String hash = ContentHash.of(String.join("\n", ids));
            return tier == Tier.ADMIN ? "adm_" + hash : "base_" + hash + (audit ? "_audit" : "");
        }

        /**
         * The profile chain: the Admin tier's chain (it accepts, drops, or returns on Pass or no match),
         * then the NetworkPolicy tier when enforcing policies isolate the pod (its jumps accept what they
         * allow, the counted drop ends everything else: "a pod selected by any NetworkPolicy gets the
         * NetworkPolicy tier's final decision"), otherwise the Baseline tier's chain and, with audited
         * policies, the audit check after it. Falling off the end returns to the base chain, whose policy
         * accepts (the default allow).
         */
        private String profileChain(Direction d, List<String> cluster, List<String> ids) {
            String name = profileChainName(d, cluster, ids);
            profileChains.computeIfAbsent(name, n -> {
                List<String> admin = cluster.stream().filter(id -> tierOf(id) == Tier.ADMIN).toList();
                List<String> baseline = cluster.stream().filter(id -> tierOf(id) == Tier.BASELINE).toList();
                List<String> rules = new ArrayList<>();
                List<String> describe = new ArrayList<>();
                if (!admin.isEmpty()) {
                    rules.add("jump " + tierChain(Tier.ADMIN, admin, false));
                    describe.add("Admin " + String.join(", ", admin));
                }
                List<String> names = new ArrayList<>();
                for (String id : ids) {
                    PolicyRules p = policies.get(id);
                    names.add(p.namespace() + "/" + p.name());
                }
                boolean audit = !ids.isEmpty() && ids.stream().allMatch(id -> policies.get(id).audit());
                if (!ids.isEmpty() && !audit) {
                    // the policies named here isolate the pod (often by allowing something): nothing they allow matched
                    ids.forEach(id -> rules.add("jump " + policyChainName(id)));
                    rules.add("counter drop comment " + RenderedTable.quote(d.field() + " isolated by " + String.join(",", names)));
                    describe.add("isolated by " + String.join(", ", ids));
                    return new NftChain(n, null, d.apiName() + " " + String.join(", then ", describe), rules);
                }
                if (!baseline.isEmpty()) {
                    // with an audit check after it, Baseline's Accept returns so that the check still runs
                    rules.add("jump " + tierChain(Tier.BASELINE, baseline, audit));
                    describe.add("Baseline " + String.join(", ", baseline));
                }
                if (audit) {
                    // audited policies only (Enforcement): nothing they allow matched, which is a would-deny, accepted
                    ids.forEach(id -> rules.add("jump " + policyChainName(id)));
                    rules.add("counter accept comment " + RenderedTable.quote(d.field() + " audited by " + String.join(",", names)
                            + ": would-deny"));
                    describe.add("audited by " + String.join(", ", ids));
                }
                return new NftChain(n, null, d.apiName() + " " + String.join(", then ", describe), rules);
            });
            return name;
        }

        private Tier tierOf(String id) {
            PolicyRules p = policies.get(id);
            if (p == null || p.tier() == null) {
                throw new IllegalArgumentException("NodeRuleSet " + rs.node() + " lists " + id + " as a ClusterNetworkPolicy"
                        + " of a pod, but spec.policies has no ClusterNetworkPolicy direction with that id: recompile the rule set");
            }
            return p.tier();
        }

        /**
         * A tier chain: every rule of these policies inlined in evaluation order, each matching rule
         * deciding ({@code accept}, {@code drop}; {@code return} for Pass: "skips all further
         * ClusterNetworkPolicy rules in the current tier"). {@code audit}: Accept returns too (Baseline
         * before an audit check: the enforced verdict is allow, the check decides whether to log it).
         */
        private String tierChain(Tier tier, List<String> ids, boolean audit) {
            String name = tierChainName(tier, ids, audit);
            tierChains.computeIfAbsent(name, n -> {
                List<String> rules = new ArrayList<>();
                for (String id : ids) {
                    PolicyRules p = policies.get(id);
                    for (CompiledRule r : p.rules()) {
                        String verdict = switch (r.action()) {
                            case ACCEPT -> audit ? "return" : "accept";
                            case DENY -> "drop";
                            case PASS -> "return";
                        };
                        rules.addAll(ruleStatements(p, r, verdict, ruleComment(p, r)));
                    }
                }
                return new NftChain(n, null, tier.apiName() + " tier: " + String.join(", ", ids)
                        + (audit ? " (before an audit check)" : ""), rules);
            });
            return name;
        }

        static String policyChainName(String id) {
            return "pol_" + ContentHash.of(id);
        }

        private NftChain policyChain(PolicyRules p) {
            List<String> rules = new ArrayList<>();
            for (CompiledRule r : p.rules()) {
                rules.addAll(ruleStatements(p, r, "accept", ruleComment(p, r)));
            }
            return new NftChain(policyChainName(p.id()), null, p.id(), rules);
        }

        /**
         * The nft rules of one compiled rule: one per (peer set, family, port form), each counted and
         * ending in {@code verdict}. A rule whose peers or ports resolved to nothing has none.
         */
        private List<String> ruleStatements(PolicyRules p, CompiledRule r, String verdict, String comment) {
            List<String> rules = new ArrayList<>();
            boolean ingress = p.direction() == Direction.INGRESS;
            List<Match> peers = new ArrayList<>();
            if (r.allPeers()) {
                peers.add(new Match(null, null));
            } else {
                for (String as : r.peers()) {
                    String base = setNameOf(as);
                    addAddressSet(base, as);
                    peers.add(new Match(Boolean.FALSE, "ip " + (ingress ? "saddr" : "daddr") + " @" + base + "_v4"));
                    if (this.v6) {
                        peers.add(new Match(Boolean.TRUE, "ip6 " + (ingress ? "saddr" : "daddr") + " @" + base + "_v6"));
                    }
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
                    ports.add(new Match(Boolean.FALSE, "ip daddr . meta l4proto . th dport @" + name + "_v4"));
                    if (this.v6) {
                        addSet(new NftSet(name + "_v6", "ipv6_addr . inet_proto . inet_service", false, v6));
                        ports.add(new Match(Boolean.TRUE, "ip6 daddr . meta l4proto . th dport @" + name + "_v6"));
                    }
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
                    rules.add(rule.append("counter ").append(verdict).append(" comment ").append(comment).toString());
                }
            }
            return rules;
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
            addSet(new NftSet(base + "_v4", "ipv4_addr", intervalsNeeded(v4), v4));
            if (this.v6) {
                addSet(new NftSet(base + "_v6", "ipv6_addr", intervalsNeeded(v6), v6));
            }
        }

        private void addSet(NftSet s) {
            sets.putIfAbsent(s.name(), s);
        }
    }
}
