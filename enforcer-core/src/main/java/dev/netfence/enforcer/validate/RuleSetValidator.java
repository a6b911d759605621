package dev.netfence.enforcer.validate;

import dev.netfence.crds.ruleset.InvalidRuleSetException;
import dev.netfence.policy.compile.AddressRanges;
import dev.netfence.policy.compile.AddressSet;
import dev.netfence.policy.compile.CompiledRule;
import dev.netfence.policy.compile.DestinationPort;
import dev.netfence.policy.compile.LocalPod;
import dev.netfence.policy.compile.NodeRuleSet;
import dev.netfence.policy.compile.PolicyRules;
import dev.netfence.policy.compile.PortRange;
import dev.netfence.policy.compile.ResolvedRuleSet;
import dev.netfence.policy.model.ClusterNetworkPolicy;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.RuleAction;
import dev.netfence.policy.model.Tier;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The enforcer trusts nothing it reads: every field of a rule set that reaches the nftables script
 * is parsed into a typed value here, and the rule set handed on is rebuilt from those values
 * (addresses in the engine's canonical text, names checked against the Kubernetes patterns), so the
 * renderer only ever writes text made of typed values and safe names. One bad field refuses the
 * whole rule set with the object and field named; the loop then keeps the last good rules.
 *
 * <p>Addresses are parsed with the engine's strict parser ({@code policy/net}: no leading zeros,
 * no zone ids, no embedded spaces) and re-written from the parsed value, so even a spelling the
 * parser tolerates (for example non-ASCII digits) never reaches the kernel as written.
 */
public final class RuleSetValidator {

    /** DNS-1123 subdomain (Kubernetes object and node names). */
    private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
    /** DNS-1123 label (namespaces). */
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    /** AddressSet names: the operator writes {@code as-} and a hash; nftables set names are built from them. */
    private static final Pattern ADDRESS_SET = Pattern.compile("as-[a-z0-9]{1,40}");
    /** The field path of a rule: {@code spec.ingress[0]}, {@code spec.allowDNS}, {@code spec.egress[2].to[1]}. */
    private static final Pattern FIELD_PATH = Pattern.compile("spec(\\.[A-Za-z]{1,32}(\\[[0-9]{1,6}\\])?){1,6}");
    private static final Set<String> KINDS = Set.of("NetworkPolicy", "DefaultDeny", ClusterNetworkPolicy.KIND);
    /**
     * A ClusterNetworkPolicy rule name as it may reach a counter comment and a flow record: the CRD's
     * own rule (upstream allows any text of up to 100 characters; the schema refuses quotes,
     * backslashes and control characters, which could end a quoted nftables comment).
     */
    private static final Pattern RULE_NAME = Pattern.compile(dev.netfence.crds.SchemaRules.RULE_NAME);
    /** Far above what a node holds (the scale target is ~110 pods and a few thousand rules per node). */
    static final int MAX_ITEMS = 1_000_000;

    private final String object;

    private RuleSetValidator(String object) {
        this.object = object;
    }

    /**
     * The rule set rebuilt from validated, typed values.
     *
     * @param object how to name the source in messages ({@code NodeRuleSet n1}, a file path)
     * @throws InvalidRuleSetException naming the object, the field and what is wrong
     */
    public static ResolvedRuleSet validate(String object, ResolvedRuleSet in) {
        return new RuleSetValidator(object).resolved(in);
    }

    /**
     * {@code validated} (a result of {@link #validate}) with its pods from {@code prefix} to {@code size - suffix}
     * replaced by {@code middle}, each of which is validated as {@link #validate} validates a pod; the other pods,
     * the policies and the AddressSets are taken as they are (validated before). What a pod change costs when only
     * pods changed: the changed pods, not the document.
     *
     * @throws InvalidRuleSetException naming the object, the field (with the pod's index in the new document) and what is wrong
     */
    public static ResolvedRuleSet withPods(String object, ResolvedRuleSet validated, int prefix, int suffix,
                                           List<LocalPod> middle) {
        Map<String, PolicyRules> byId = new HashMap<>();
        validated.ruleSet().policies().forEach(p -> byId.putIfAbsent(p.id(), p));
        return withPods(object, validated, byId, prefix, suffix, middle);
    }

    /**
     * {@link #withPods(String, ResolvedRuleSet, int, int, List)} with {@code validated}'s policies by id already at
     * hand ({@code policiesById}, which the caller keeps while the policies stay the same: building it cost more
     * than the rest of a pod change's validation at 10,000 pods).
     */
    public static ResolvedRuleSet withPods(String object, ResolvedRuleSet validated, Map<String, PolicyRules> policiesById,
                                           int prefix, int suffix, List<LocalPod> middle) {
        RuleSetValidator v = new RuleSetValidator(object);
        NodeRuleSet rs = validated.ruleSet();
        // only the policies the changed pods name
        Map<String, PolicyRules> ids = new HashMap<>();
        Set<String> audited = new HashSet<>();
        for (LocalPod p : middle) {
            for (List<String> refs : List.of(p.ingressPolicies(), p.egressPolicies(), p.clusterIngress(), p.clusterEgress())) {
                for (String id : refs) {
                    PolicyRules known = id == null ? null : policiesById.get(id);
                    if (known != null) {
                        ids.put(id, known);
                        if (known.audit()) {
                            audited.add(id);
                        }
                    }
                }
            }
        }
        List<LocalPod> old = rs.pods();
        // the unchanged pods by array copies (an immutable list's toArray is one): copying 10,000 pods through
        // sublists element by element was a visible share of a pod change at 10,000 pods. Into an Object[]: a copy
        // into a LocalPod[] checks every element's class, a cache miss per pod
        Object[] was = old.toArray();
        Object[] out = new Object[prefix + middle.size() + suffix];
        System.arraycopy(was, 0, out, 0, prefix);
        for (int i = 0; i < middle.size(); i++) {
            String path = "spec.pods[" + (prefix + i) + "]";
            LocalPod pod = v.pod(path, middle.get(i), ids);
            v.unmixed(path + ".ingressPolicies", pod.ingressPolicies(), audited);
            v.unmixed(path + ".egressPolicies", pod.egressPolicies(), audited);
            out[prefix + i] = pod;
        }
        System.arraycopy(was, was.length - suffix, out, prefix + middle.size(), suffix);
        @SuppressWarnings("unchecked") // every element is a LocalPod: the old list's and the validated ones
        List<LocalPod> pods = (List<LocalPod>) (List<?>) java.util.Arrays.asList(out);
        v.size("spec.pods", pods);
        return new ResolvedRuleSet(new NodeRuleSet(rs.node(), rs.nodeAddresses(), pods, rs.policies(), rs.addressSets()),
                validated.addressSets());
    }

    private ResolvedRuleSet resolved(ResolvedRuleSet in) {
        NodeRuleSet rs = in.ruleSet();
        String node = name(SUBDOMAIN, "spec.node", rs.node(), "a node name (lowercase letters, digits, '-', '.')");
        List<String> nodeAddresses = new ArrayList<>();
        for (int i = 0; i < size("spec.nodeAddresses", rs.nodeAddresses()); i++) {
            nodeAddresses.add(address("spec.nodeAddresses[" + i + "]", rs.nodeAddresses().get(i)));
        }
        Map<String, AddressSet> provided = new HashMap<>();
        for (AddressSet a : in.addressSets()) {
            provided.put(a.name(), a);
        }
        List<String> setNames = new ArrayList<>();
        List<AddressSet> sets = new ArrayList<>();
        for (int i = 0; i < size("spec.addressSets", rs.addressSets()); i++) {
            String path = "spec.addressSets[" + i + "]";
            String name = name(ADDRESS_SET, path, rs.addressSets().get(i), "an AddressSet name (as- and up to 40 lowercase letters or digits)");
            AddressSet set = provided.get(name);
            if (set == null) {
                throw invalid(path, "names AddressSet " + name + ", which was not provided");
            }
            setNames.add(name);
            sets.add(addressSet(set));
        }
        Set<String> known = new HashSet<>(setNames);
        List<PolicyRules> policies = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < size("spec.policies", rs.policies()); i++) {
            PolicyRules p = policy("spec.policies[" + i + "]", rs.policies().get(i), known);
            if (!ids.add(p.id())) {
                throw invalid("spec.policies[" + i + "].id", "policy " + p.id() + " is listed twice");
            }
            policies.add(p);
        }
        Set<String> audited = new HashSet<>();
        policies.stream().filter(PolicyRules::audit).forEach(p -> audited.add(p.id()));
        Map<String, PolicyRules> byId = new HashMap<>();
        policies.forEach(p -> byId.put(p.id(), p));
        List<LocalPod> pods = new ArrayList<>();
        for (int i = 0; i < size("spec.pods", rs.pods()); i++) {
            LocalPod pod = pod("spec.pods[" + i + "]", rs.pods().get(i), byId);
            unmixed("spec.pods[" + i + "].ingressPolicies", pod.ingressPolicies(), audited);
            unmixed("spec.pods[" + i + "].egressPolicies", pod.egressPolicies(), audited);
            pods.add(pod);
        }
        return new ResolvedRuleSet(new NodeRuleSet(node, nodeAddresses, pods, policies, setNames), sets);
    }

    private AddressSet addressSet(AddressSet set) {
        String obj = "AddressSet " + set.name();
        List<String> entries = new ArrayList<>(set.entries().size());
        for (int i = 0; i < size("spec.entries", set.entries()); i++) {
            String e = set.entries().get(i);
            String path = "spec.entries[" + i + "]";
            if (e == null || e.length() > 100 || !ascii(e)) {
                throw new InvalidRuleSetException(obj, path, "not an address, network or range: " + shown(e));
            }
            AddressRanges.Interval iv;
            try {
                iv = AddressRanges.parse(e);
            } catch (IllegalArgumentException ex) {
                throw new InvalidRuleSetException(obj, path, "not an address, network (a.b.c.d/n) or range (a-b): " + shown(e));
            }
            if (iv.first().v6() != iv.last().v6() || iv.first().compareTo(iv.last()) > 0) {
                throw new InvalidRuleSetException(obj, path, "range " + shown(e) + " must go from a lower to a higher address of one family");
            }
            entries.add(entry(iv));
        }
        return new AddressSet(set.name(), entries);
    }

    private PolicyRules policy(String path, PolicyRules p, Set<String> sets) {
        if (p.kind() == null || !KINDS.contains(p.kind())) {
            throw invalid(path + ".kind", "must be NetworkPolicy, DefaultDeny or ClusterNetworkPolicy, not " + shown(p.kind()));
        }
        boolean cluster = ClusterNetworkPolicy.KIND.equals(p.kind());
        String ns;
        if (cluster) {
            if (!p.namespace().isEmpty()) {
                throw invalid(path + ".namespace", "must be empty for a ClusterNetworkPolicy (cluster-scoped), not "
                        + shown(p.namespace()));
            }
            ns = "";
        } else {
            ns = name(LABEL, path + ".namespace", p.namespace(), "a namespace name");
        }
        String name = name(SUBDOMAIN, path + ".name", p.name(), "an object name");
        if (p.direction() == null) {
            throw invalid(path + ".direction", "required: Ingress or Egress");
        }
        String id = cluster ? PolicyRules.clusterIdOf(name, p.direction()) : PolicyRules.idOf(p.kind(), ns, name, p.direction());
        if (!id.equals(p.id())) {
            throw invalid(path + ".id", "must be " + id + (cluster ? " (kind/name/direction)" : " (kind/namespace/name/direction)")
                    + ", not " + shown(p.id()));
        }
        if (cluster) {
            if (p.tier() == null) {
                throw invalid(path + ".tier", "required for a ClusterNetworkPolicy: Admin or Baseline");
            }
            if (p.priority() < 0 || p.priority() > dev.netfence.crds.SchemaRules.MAX_PRIORITY) {
                throw invalid(path + ".priority", "must be 0-" + dev.netfence.crds.SchemaRules.MAX_PRIORITY + ", not " + p.priority());
            }
            if (p.audit()) {
                throw invalid(path + ".audit", "a ClusterNetworkPolicy is never audited (Enforcement applies to the"
                        + " NetworkPolicy tier only): remove it");
            }
        } else {
            if (p.tier() != null) {
                throw invalid(path + ".tier", "only a ClusterNetworkPolicy has a tier; a " + p.kind()
                        + " is in the NetworkPolicy tier: remove it");
            }
            if (p.priority() != 0) {
                throw invalid(path + ".priority", "only a ClusterNetworkPolicy has a priority: remove it");
            }
        }
        List<CompiledRule> rules = new ArrayList<>();
        for (int j = 0; j < size(path + ".rules", p.rules()); j++) {
            rules.add(rule(path + ".rules[" + j + "]", p.rules().get(j), sets, cluster));
        }
        return new PolicyRules(id, p.kind(), ns, name, p.direction(), rules, p.audit(), p.tier(), cluster ? p.priority() : 0);
    }

    private CompiledRule rule(String path, CompiledRule r, Set<String> sets, boolean cluster) {
        if (r.fieldPath() == null || r.fieldPath().length() > 200 || !FIELD_PATH.matcher(r.fieldPath()).matches()) {
            throw invalid(path + ".fieldPath", "must be a field path such as spec.ingress[0], not " + shown(r.fieldPath()));
        }
        if (!cluster && r.action() != RuleAction.ACCEPT) {
            throw invalid(path + ".action", "a NetworkPolicy-tier rule only allows: " + r.action().apiName()
                    + " is for ClusterNetworkPolicy rules (remove it)");
        }
        if (!cluster && !r.name().isEmpty()) {
            throw invalid(path + ".name", "only a ClusterNetworkPolicy rule has a name: remove it");
        }
        if (r.name().length() > dev.netfence.crds.SchemaRules.RULE_NAME_MAX_LENGTH || !RULE_NAME.matcher(r.name()).matches()) {
            throw invalid(path + ".name", "must be at most " + dev.netfence.crds.SchemaRules.RULE_NAME_MAX_LENGTH
                    + " characters without quotes, backslashes or control characters, not " + shown(r.name()));
        }
        List<String> peers = new ArrayList<>();
        for (int k = 0; k < size(path + ".peers", r.peers()); k++) {
            String peer = name(ADDRESS_SET, path + ".peers[" + k + "]", r.peers().get(k), "an AddressSet name");
            if (!sets.contains(peer)) {
                throw invalid(path + ".peers[" + k + "]", "AddressSet " + peer + " is not listed in spec.addressSets");
            }
            peers.add(peer);
        }
        List<PortRange> ports = new ArrayList<>();
        for (int k = 0; k < size(path + ".ports", r.ports()); k++) {
            PortRange pr = r.ports().get(k);
            if (pr == null || pr.protocol() == null) {
                throw invalid(path + ".ports[" + k + "]", "protocol, first and last are required");
            }
            ports.add(new PortRange(pr.protocol(), pr.first(), pr.last()));
        }
        List<DestinationPort> named = new ArrayList<>();
        for (int k = 0; k < size(path + ".namedPorts", r.namedPorts()); k++) {
            DestinationPort d = r.namedPorts().get(k);
            String at = path + ".namedPorts[" + k + "]";
            if (d == null || d.protocol() == null) {
                throw invalid(at, "address, protocol and port are required");
            }
            if (d.port() < 1 || d.port() > 65535) {
                throw invalid(at + ".port", "must be 1-65535, not " + d.port());
            }
            named.add(new DestinationPort(address(at + ".address", d.address()), d.protocol(), d.port()));
        }
        return new CompiledRule(r.fieldPath(), r.allPeers(), peers, r.allPorts(), ports, named, r.action(), r.name());
    }

    private LocalPod pod(String path, LocalPod p, Map<String, PolicyRules> policies) {
        String ns = name(LABEL, path + ".namespace", p.namespace(), "a namespace name");
        String name = name(SUBDOMAIN, path + ".name", p.name(), "a pod name");
        List<String> ips = new ArrayList<>();
        for (int k = 0; k < size(path + ".ips", p.ips()); k++) {
            ips.add(address(path + ".ips[" + k + "]", p.ips().get(k)));
        }
        return new LocalPod(ns, name, ips, policyRefs(path + ".ingressPolicies", p.ingressPolicies(), policies),
                policyRefs(path + ".egressPolicies", p.egressPolicies(), policies),
                clusterRefs(path + ".clusterIngress", p.clusterIngress(), Direction.INGRESS, policies),
                clusterRefs(path + ".clusterEgress", p.clusterEgress(), Direction.EGRESS, policies));
    }

    /**
     * A pod's tier list: ClusterNetworkPolicy directions of {@code direction} listed in spec.policies,
     * in evaluation order (Admin before Baseline, each by priority then name), as the datapath inlines
     * them in that order: a list out of order would let a lower-precedence rule decide first.
     */
    private List<String> clusterRefs(String path, List<String> refs, Direction direction, Map<String, PolicyRules> policies) {
        PolicyRules previous = null;
        for (int k = 0; k < size(path, refs); k++) {
            String at = path + "[" + k + "]";
            PolicyRules p = policies.get(refs.get(k));
            if (p == null) {
                throw invalid(at, "names policy " + shown(refs.get(k)) + ", which is not in spec.policies");
            }
            if (!p.clusterTier()) {
                throw invalid(at, "names " + p.kind() + " " + shown(p.id()) + ": only ClusterNetworkPolicy directions"
                        + " belong here (NetworkPolicy-tier ones go in ingressPolicies/egressPolicies)");
            }
            if (p.direction() != direction) {
                throw invalid(at, "names " + shown(p.id()) + ", a " + p.direction().apiName() + " direction, in the "
                        + direction.apiName() + " list");
            }
            if (previous != null && !inEvaluationOrder(previous, p)) {
                throw invalid(at, "lists " + shown(p.id()) + " after " + shown(previous.id()) + ": the list must be in"
                        + " evaluation order (Admin before Baseline, then priority, then name; recompile the rule set)");
            }
            previous = p;
        }
        return refs;
    }

    /** Whether {@code a} is evaluated strictly before {@code b}: tier, then priority, then name. */
    private static boolean inEvaluationOrder(PolicyRules a, PolicyRules b) {
        if (a.tier() != b.tier()) {
            return a.tier() == Tier.ADMIN;
        }
        if (a.priority() != b.priority()) {
            return a.priority() < b.priority();
        }
        return a.name().compareTo(b.name()) < 0;
    }

    /**
     * A pod's list is all audited or all enforcing (the compiler never mixes them): a mixed list would
     * make the datapath either drop for an audited policy or accept past an enforcing one.
     */
    private void unmixed(String path, List<String> refs, Set<String> audited) {
        long n = refs.stream().filter(audited::contains).count();
        if (n != 0 && n != refs.size()) {
            throw invalid(path, "mixes audited and enforcing policies: a pod that an enforcing policy isolates lists only"
                    + " the enforcing ones (recompile the rule set)");
        }
    }

    private List<String> policyRefs(String path, List<String> refs, Map<String, PolicyRules> policies) {
        for (int k = 0; k < size(path, refs); k++) {
            PolicyRules p = policies.get(refs.get(k));
            if (p == null) {
                throw invalid(path + "[" + k + "]", "names policy " + shown(refs.get(k)) + ", which is not in spec.policies");
            }
            if (p.clusterTier()) {
                throw invalid(path + "[" + k + "]", "names ClusterNetworkPolicy direction " + shown(p.id())
                        + ": tier policies go in clusterIngress/clusterEgress, not in the NetworkPolicy-tier lists");
            }
        }
        return refs;
    }

    private String address(String path, String text) {
        if (text == null || text.length() > 45 || !ascii(text)) {
            throw invalid(path, "not an IP address: " + shown(text));
        }
        try {
            return IpAddress.parse(text).toString();
        } catch (IllegalArgumentException e) {
            throw invalid(path, "not an IP address: " + shown(text));
        }
    }

    /** The engine's parser accepts any Unicode digit; addresses on the wire are ASCII only. */
    private static boolean ascii(String s) {
        return s.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    private String name(Pattern pattern, String path, String value, String what) {
        if (value == null || value.length() > 253 || !pattern.matcher(value).matches()) {
            throw invalid(path, "must be " + what + ", not " + shown(value));
        }
        return value;
    }

    private int size(String path, List<?> list) {
        if (list.size() > MAX_ITEMS) {
            throw invalid(path, "has " + list.size() + " items, more than the limit of " + MAX_ITEMS);
        }
        return list.size();
    }

    private InvalidRuleSetException invalid(String path, String message) {
        return new InvalidRuleSetException(object, path, message);
    }

    /** The nftables spelling of an interval, from typed values: an address, a network when aligned, else a-b. */
    static String entry(AddressRanges.Interval i) {
        if (i.first().equals(i.last())) {
            return i.first().toString();
        }
        for (int prefix = 0; prefix <= i.first().bits(); prefix++) {
            if (i.first().mask(prefix).equals(i.first()) && i.first().lastInPrefix(prefix).equals(i.last())) {
                return i.first() + "/" + prefix;
            }
        }
        return i.first() + "-" + i.last();
    }

    /** A value quoted for a message: printable ASCII only, at most 60 characters. */
    static String shown(String value) {
        if (value == null) {
            return "nothing";
        }
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < value.length() && sb.length() < 61; i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                sb.append(c);
            } else {
                sb.append(String.format("\\u%04x", (int) c));
            }
        }
        if (value.length() > 60) {
            sb.append("...");
        }
        return sb.append('"').toString();
    }
}
