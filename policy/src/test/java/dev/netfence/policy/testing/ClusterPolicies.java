package dev.netfence.policy.testing;

import dev.netfence.policy.model.ClusterNetworkPolicy;
import dev.netfence.policy.model.ClusterPeer;
import dev.netfence.policy.model.ClusterPort;
import dev.netfence.policy.model.ClusterRule;
import dev.netfence.policy.model.ClusterSubject;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.model.RuleAction;
import dev.netfence.policy.model.Tier;
import java.util.ArrayList;
import java.util.List;

/**
 * Tiny builders for ClusterNetworkPolicies, read like the YAML: {@code admin("dns", 10,
 * namespacesSubject(matchLabels()), egress(accept("allow-dns", to(pods(...)), udp(53))))}.
 */
public final class ClusterPolicies {

    private ClusterPolicies() {
    }

    public record Rules(List<ClusterRule> ingress, List<ClusterRule> egress) {
    }

    public static ClusterNetworkPolicy admin(String name, int priority, ClusterSubject subject, Rules... rules) {
        return policy(name, Tier.ADMIN, priority, subject, rules);
    }

    public static ClusterNetworkPolicy baseline(String name, int priority, ClusterSubject subject, Rules... rules) {
        return policy(name, Tier.BASELINE, priority, subject, rules);
    }

    private static ClusterNetworkPolicy policy(String name, Tier tier, int priority, ClusterSubject subject, Rules... rules) {
        List<ClusterRule> in = new ArrayList<>();
        List<ClusterRule> out = new ArrayList<>();
        for (Rules r : rules) {
            in.addAll(r.ingress());
            out.addAll(r.egress());
        }
        return new ClusterNetworkPolicy(name, tier, priority, subject, in, out);
    }

    public static Rules ingress(ClusterRule... rules) {
        return new Rules(List.of(rules), List.of());
    }

    public static Rules egress(ClusterRule... rules) {
        return new Rules(List.of(), List.of(rules));
    }

    public static ClusterSubject namespacesSubject(LabelSelector namespaces) {
        return ClusterSubject.namespaces(namespaces);
    }

    public static ClusterSubject podsSubject(LabelSelector namespaces, LabelSelector pods) {
        return ClusterSubject.pods(namespaces, pods);
    }

    public static ClusterRule accept(String name, List<ClusterPeer> peers, ClusterPort... ports) {
        return new ClusterRule(name, RuleAction.ACCEPT, peers, List.of(ports));
    }

    public static ClusterRule deny(String name, List<ClusterPeer> peers, ClusterPort... ports) {
        return new ClusterRule(name, RuleAction.DENY, peers, List.of(ports));
    }

    public static ClusterRule pass(String name, List<ClusterPeer> peers, ClusterPort... ports) {
        return new ClusterRule(name, RuleAction.PASS, peers, List.of(ports));
    }

    public static List<ClusterPeer> peers(ClusterPeer... peers) {
        return List.of(peers);
    }

    public static ClusterPeer namespaces(LabelSelector s) {
        return new ClusterPeer.Namespaces(s);
    }

    public static ClusterPeer pods(LabelSelector namespaces, LabelSelector pods) {
        return new ClusterPeer.Pods(namespaces, pods);
    }

    public static ClusterPeer nodes(LabelSelector s) {
        return new ClusterPeer.Nodes(s);
    }

    public static ClusterPeer networks(String... cidrs) {
        return new ClusterPeer.Networks(List.of(cidrs));
    }

    public static ClusterPeer unknown() {
        return new ClusterPeer.Unknown("a peer with no field set");
    }

    public static ClusterPort tcp(int port) {
        return ClusterPort.port(Protocol.TCP, port);
    }

    public static ClusterPort udp(int port) {
        return ClusterPort.port(Protocol.UDP, port);
    }

    public static ClusterPort tcpRange(int start, int end) {
        return ClusterPort.range(Protocol.TCP, start, end);
    }

    public static ClusterPort named(String name) {
        return ClusterPort.named(name);
    }
}
