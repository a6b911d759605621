package dev.netfence.policy.testing;

import dev.netfence.policy.model.ContainerPort;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.IpBlock;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.PolicyPort;
import dev.netfence.policy.model.PolicyRule;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Tiny builders with "tweaks", in the style of kube-network-policies' {@code makePod} /
 * {@code makeNetworkPolicyCustom(..., tweaks)}: a default object, then small functions that each
 * change one thing. A test reads as the YAML it stands for.
 */
public final class Fixtures {

    private Fixtures() {
    }

    public interface PodTweak extends UnaryOperator<Pod> {
    }

    public interface PolicyTweak extends UnaryOperator<NetworkPolicy> {
    }

    public interface RuleTweak extends UnaryOperator<PolicyRule> {
    }

    public interface DefaultDenyTweak extends UnaryOperator<DefaultDeny> {
    }

    // ---------------------------------------------------------------- labels and selectors

    /** {@code labels("app=web", "tier=front")}. */
    public static Map<String, String> labels(String... keyEqualsValue) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String kv : keyEqualsValue) {
            int eq = kv.indexOf('=');
            out.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return out;
    }

    /** A selector with only {@code matchLabels}; no arguments is the empty selector {@code {}}. */
    public static LabelSelector matchLabels(String... keyEqualsValue) {
        return LabelSelector.of(labels(keyEqualsValue));
    }

    /** A selector with {@code matchExpressions} (and optional matchLabels via {@link #selector}). */
    public static LabelSelector matchExpressions(LabelSelector.Requirement... requirements) {
        return new LabelSelector(Map.of(), List.of(requirements));
    }

    public static LabelSelector selector(Map<String, String> matchLabels, LabelSelector.Requirement... requirements) {
        return new LabelSelector(matchLabels, List.of(requirements));
    }

    public static LabelSelector.Requirement in(String key, String... values) {
        return new LabelSelector.Requirement(key, LabelSelector.Operator.IN, List.of(values));
    }

    public static LabelSelector.Requirement notIn(String key, String... values) {
        return new LabelSelector.Requirement(key, LabelSelector.Operator.NOT_IN, List.of(values));
    }

    public static LabelSelector.Requirement exists(String key) {
        return new LabelSelector.Requirement(key, LabelSelector.Operator.EXISTS, List.of());
    }

    public static LabelSelector.Requirement doesNotExist(String key) {
        return new LabelSelector.Requirement(key, LabelSelector.Operator.DOES_NOT_EXIST, List.of());
    }

    // ---------------------------------------------------------------- namespaces and pods

    public static Namespace namespace(String name, String... keyEqualsValue) {
        return new Namespace(name, labels(keyEqualsValue));
    }

    public static IpAddress ip(String text) {
        return IpAddress.parse(text);
    }

    /** A pod with no labels, IPs, node or ports until tweaked. */
    public static Pod pod(String namespace, String name, PodTweak... tweaks) {
        Pod p = new Pod(namespace, name, Map.of(), List.of(), null, false, List.of());
        for (PodTweak t : tweaks) {
            p = t.apply(p);
        }
        return p;
    }

    public static PodTweak podLabels(String... keyEqualsValue) {
        return p -> p.withLabels(labels(keyEqualsValue));
    }

    public static PodTweak podIps(String... ips) {
        return p -> new Pod(p.namespace(), p.name(), p.labels(), Arrays.stream(ips).map(IpAddress::parse).toList(),
                p.nodeName(), p.hostNetwork(), p.ports());
    }

    public static PodTweak onNode(String nodeName) {
        return p -> new Pod(p.namespace(), p.name(), p.labels(), p.ips(), nodeName, p.hostNetwork(), p.ports());
    }

    public static PodTweak hostNetwork() {
        return p -> new Pod(p.namespace(), p.name(), p.labels(), p.ips(), p.nodeName(), true, p.ports());
    }

    public static PodTweak containerPort(String name, int port, Protocol protocol) {
        return p -> {
            List<ContainerPort> ports = new ArrayList<>(p.ports());
            ports.add(new ContainerPort(name, port, protocol));
            return new Pod(p.namespace(), p.name(), p.labels(), p.ips(), p.nodeName(), p.hostNetwork(), ports);
        };
    }

    // ---------------------------------------------------------------- NetworkPolicy

    /**
     * A policy selecting every pod of its namespace ({@code podSelector: {}}), with {@code
     * policyTypes}, {@code ingress} and {@code egress} absent until tweaked: as written, that is
     * an ingress deny-all.
     */
    public static NetworkPolicy policy(String namespace, String name, PolicyTweak... tweaks) {
        NetworkPolicy np = new NetworkPolicy(namespace, name, LabelSelector.ALL, null, null, null, null);
        for (PolicyTweak t : tweaks) {
            np = t.apply(np);
        }
        return np;
    }

    public static PolicyTweak podSelector(LabelSelector selector) {
        return np -> new NetworkPolicy(np.namespace(), np.name(), selector, np.policyTypes(), np.ingress(), np.egress(),
                np.annotations());
    }

    /** {@code policyTypes: [...]}; no arguments is {@code policyTypes: []}. */
    public static PolicyTweak policyTypes(String... types) {
        return np -> new NetworkPolicy(np.namespace(), np.name(), np.podSelector(), List.of(types), np.ingress(),
                np.egress(), np.annotations());
    }

    /** {@code ingress: [rules]}; no arguments is {@code ingress: []}. */
    public static PolicyTweak ingress(PolicyRule... rules) {
        return np -> new NetworkPolicy(np.namespace(), np.name(), np.podSelector(), np.policyTypes(), List.of(rules),
                np.egress(), np.annotations());
    }

    /** {@code egress: [rules]}; no arguments is {@code egress: []}. */
    public static PolicyTweak egress(PolicyRule... rules) {
        return np -> new NetworkPolicy(np.namespace(), np.name(), np.podSelector(), np.policyTypes(), np.ingress(),
                List.of(rules), np.annotations());
    }

    /** A rule with {@code from}/{@code to} and {@code ports} absent until tweaked: it allows everything. */
    public static PolicyRule rule(RuleTweak... tweaks) {
        PolicyRule r = PolicyRule.ALLOW_ALL;
        for (RuleTweak t : tweaks) {
            r = t.apply(r);
        }
        return r;
    }

    /** {@code from:} (ingress) or {@code to:} (egress); no arguments is {@code from: []}, meaning all peers. */
    public static RuleTweak peers(Peer... peers) {
        return r -> new PolicyRule(List.of(peers), r.ports());
    }

    public static RuleTweak ports(PolicyPort... ports) {
        return r -> new PolicyRule(r.peers(), List.of(ports));
    }

    public static Peer podPeer(LabelSelector podSelector) {
        return Peer.pods(podSelector);
    }

    public static Peer namespacePeer(LabelSelector namespaceSelector) {
        return Peer.namespaces(namespaceSelector);
    }

    public static Peer podInNamespacePeer(LabelSelector podSelector, LabelSelector namespaceSelector) {
        return Peer.podsInNamespaces(podSelector, namespaceSelector);
    }

    public static Peer ipBlockPeer(String cidr, String... except) {
        return new Peer(null, null, new IpBlock(cidr, List.of(except)));
    }

    /** {@code port: N} with {@code protocol} absent (the API default, TCP). */
    public static PolicyPort port(int number) {
        return new PolicyPort(null, number, null, null);
    }

    public static PolicyPort port(Protocol protocol, int number) {
        return PolicyPort.of(protocol, number);
    }

    public static PolicyPort namedPort(Protocol protocol, String name) {
        return PolicyPort.named(protocol, name);
    }

    /** A named port with {@code protocol} absent (TCP). */
    public static PolicyPort namedPort(String name) {
        return new PolicyPort(null, null, name, null);
    }

    public static PolicyPort portRange(Protocol protocol, int port, int endPort) {
        return PolicyPort.range(protocol, port, endPort);
    }

    /** {@code protocol: P} with {@code port} absent: every port of the protocol. */
    public static PolicyPort allPorts(Protocol protocol) {
        return PolicyPort.allOf(protocol);
    }

    // ---------------------------------------------------------------- DefaultDeny

    /** A DefaultDeny with the CRD's defaults: both directions, allowDNS, no same-namespace, no exemption. */
    public static DefaultDeny defaultDeny(String namespace, DefaultDenyTweak... tweaks) {
        DefaultDeny dd = DefaultDeny.of(namespace);
        for (DefaultDenyTweak t : tweaks) {
            dd = t.apply(dd);
        }
        return dd;
    }

    public static DefaultDenyTweak directions(Direction first, Direction... rest) {
        return dd -> new DefaultDeny(dd.namespace(), dd.name(), EnumSet.of(first, rest), dd.allowDNS(),
                dd.allowSameNamespace(), dd.exemptPodSelector());
    }

    public static DefaultDenyTweak allowDns(boolean allow) {
        return dd -> new DefaultDeny(dd.namespace(), dd.name(), dd.policyTypes(), allow, dd.allowSameNamespace(),
                dd.exemptPodSelector());
    }

    public static DefaultDenyTweak allowSameNamespace(boolean allow) {
        return dd -> new DefaultDeny(dd.namespace(), dd.name(), dd.policyTypes(), dd.allowDNS(), allow,
                dd.exemptPodSelector());
    }

    public static DefaultDenyTweak exempt(LabelSelector selector) {
        return dd -> new DefaultDeny(dd.namespace(), dd.name(), dd.policyTypes(), dd.allowDNS(), dd.allowSameNamespace(),
                selector);
    }
}
