package dev.netfence.crds.adapter;

import dev.netfence.crds.clusterpolicy.ClusterNetworkPolicySpec;
import dev.netfence.crds.clusterpolicy.NamespacedPod;
import dev.netfence.crds.clusterpolicy.Rules;
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
 * Translates a {@code ClusterNetworkPolicy} custom resource into the engine's record. Like
 * {@link ModelAdapter} it leaves semantic checks to the validator ({@code ClusterPolicyValidator});
 * it throws {@link InvalidFieldException}, with the field path, for what has no representation in
 * the model: a tier or action that is not one of the API's values, a subject or protocol entry with
 * not exactly one field (the CRD's {@code MinProperties=1, MaxProperties=1}), a port with neither or
 * both of number and range.
 *
 * <p>A peer with no field Netfence knows (a newer CRD's field) or with {@code domainNames} (which
 * Netfence does not resolve) becomes {@link ClusterPeer.Unknown}: the engine fails closed on it as
 * the API says, rather than the object being refused, since the API server accepted it.
 */
public final class ClusterPolicyAdapter {

    private ClusterPolicyAdapter() {
    }

    public static ClusterNetworkPolicy clusterNetworkPolicy(dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy cnp) {
        ClusterNetworkPolicySpec spec = cnp.getSpec() == null ? new ClusterNetworkPolicySpec() : cnp.getSpec();
        Tier tier = Tier.parseOrNull(spec.tier);
        if (tier == null) {
            throw new InvalidFieldException("spec.tier", (spec.tier == null ? "required" : "unsupported value \"" + spec.tier + "\"")
                    + ": supported values are \"Admin\" and \"Baseline\"");
        }
        if (spec.priority == null) {
            throw new InvalidFieldException("spec.priority", "required: a value from 0 to 1000 (lower is evaluated first)");
        }
        List<ClusterRule> ingress = new ArrayList<>();
        if (spec.ingress != null) {
            for (int r = 0; r < spec.ingress.size(); r++) {
                Rules.IngressRule rule = spec.ingress.get(r);
                String path = "spec.ingress[" + r + "]";
                List<ClusterPeer> peers = new ArrayList<>();
                if (rule.from != null) {
                    for (int i = 0; i < rule.from.size(); i++) {
                        peers.add(peer(rule.from.get(i), path + ".from[" + i + "]"));
                    }
                }
                ingress.add(new ClusterRule(rule.name, action(rule.action, path + ".action"), peers,
                        protocols(rule.protocols, path + ".protocols")));
            }
        }
        List<ClusterRule> egress = new ArrayList<>();
        if (spec.egress != null) {
            for (int r = 0; r < spec.egress.size(); r++) {
                Rules.EgressRule rule = spec.egress.get(r);
                String path = "spec.egress[" + r + "]";
                List<ClusterPeer> peers = new ArrayList<>();
                if (rule.to != null) {
                    for (int i = 0; i < rule.to.size(); i++) {
                        peers.add(peer(rule.to.get(i), path + ".to[" + i + "]"));
                    }
                }
                egress.add(new ClusterRule(rule.name, action(rule.action, path + ".action"), peers,
                        protocols(rule.protocols, path + ".protocols")));
            }
        }
        String name = cnp.getMetadata() == null ? null : cnp.getMetadata().getName();
        return new ClusterNetworkPolicy(name, tier, spec.priority, subject(spec), ingress, egress);
    }

    private static ClusterSubject subject(ClusterNetworkPolicySpec spec) {
        if (spec.subject == null) {
            throw new InvalidFieldException("spec.subject", "required: set exactly one of namespaces or pods");
        }
        boolean ns = spec.subject.namespaces != null;
        boolean pods = spec.subject.pods != null;
        if (ns == pods) {
            throw new InvalidFieldException("spec.subject", (ns ? "sets both namespaces and pods" : "sets neither namespaces nor pods")
                    + ": set exactly one (pods takes a namespaceSelector and a podSelector)");
        }
        if (ns) {
            return ClusterSubject.namespaces(ModelAdapter.labelSelector(spec.subject.namespaces));
        }
        return ClusterSubject.pods(selectorOrAll(spec.subject.pods.namespaceSelector), podSelector(spec.subject.pods, "spec.subject.pods"));
    }

    private static RuleAction action(String value, String path) {
        RuleAction a = RuleAction.parseOrNull(value);
        if (a == null) {
            throw new InvalidFieldException(path, (value == null ? "required" : "unsupported value \"" + value + "\"")
                    + ": supported values are \"Accept\", \"Deny\" and \"Pass\"");
        }
        return a;
    }

    private static ClusterPeer peer(Rules.IngressPeer p, String path) {
        List<String> set = new ArrayList<>();
        if (p.namespaces != null) {
            set.add("namespaces");
        }
        if (p.pods != null) {
            set.add("pods");
        }
        Rules.EgressPeer e = p instanceof Rules.EgressPeer ep ? ep : null;
        if (e != null) {
            if (e.nodes != null) {
                set.add("nodes");
            }
            if (e.networks != null) {
                set.add("networks");
            }
            if (e.domainNames != null) {
                set.add("domainNames");
            }
        }
        set.addAll(p.unknownFields.keySet());
        if (set.size() > 1) {
            throw new InvalidFieldException(path, "sets " + String.join(" and ", set)
                    + ": a peer sets exactly one field; split it into one peer per field");
        }
        if (set.isEmpty()) {
            return new ClusterPeer.Unknown("a peer with no field set");
        }
        if (p.namespaces != null) {
            return new ClusterPeer.Namespaces(ModelAdapter.labelSelector(p.namespaces));
        }
        if (p.pods != null) {
            return new ClusterPeer.Pods(selectorOrAll(p.pods.namespaceSelector), podSelector(p.pods, path + ".pods"));
        }
        if (e != null && e.nodes != null) {
            return new ClusterPeer.Nodes(ModelAdapter.labelSelector(e.nodes));
        }
        if (e != null && e.networks != null) {
            return new ClusterPeer.Networks(e.networks);
        }
        return new ClusterPeer.Unknown(set.get(0));
    }

    private static LabelSelector podSelector(NamespacedPod pods, String path) {
        if (pods.podSelector == null) {
            throw new InvalidFieldException(path + ".podSelector", "required: a label selector ({} selects every pod)");
        }
        return ModelAdapter.labelSelector(pods.podSelector);
    }

    private static LabelSelector selectorOrAll(io.fabric8.kubernetes.api.model.LabelSelector s) {
        LabelSelector sel = ModelAdapter.labelSelector(s);
        return sel == null ? LabelSelector.ALL : sel;
    }

    private static List<ClusterPort> protocols(List<Rules.Protocol> protocols, String path) {
        List<ClusterPort> out = new ArrayList<>();
        if (protocols == null) {
            return out;
        }
        for (int i = 0; i < protocols.size(); i++) {
            Rules.Protocol p = protocols.get(i);
            String pp = path + "[" + i + "]";
            int set = (p.tcp != null ? 1 : 0) + (p.udp != null ? 1 : 0) + (p.sctp != null ? 1 : 0)
                    + (p.destinationNamedPort != null ? 1 : 0);
            if (set != 1) {
                throw new InvalidFieldException(pp, "must set exactly one of tcp, udp, sctp or destinationNamedPort (got " + set + ")");
            }
            if (p.destinationNamedPort != null) {
                out.add(ClusterPort.named(p.destinationNamedPort));
            } else if (p.tcp != null) {
                out.add(port(Protocol.TCP, p.tcp, pp + ".tcp"));
            } else if (p.udp != null) {
                out.add(port(Protocol.UDP, p.udp, pp + ".udp"));
            } else {
                out.add(port(Protocol.SCTP, p.sctp, pp + ".sctp"));
            }
        }
        return out;
    }

    private static ClusterPort port(Protocol protocol, Rules.ProtocolPort p, String path) {
        if (p.destinationPort == null) {
            throw new InvalidFieldException(path + ".destinationPort", "required: set number or range");
        }
        Rules.Port port = p.destinationPort;
        if ((port.number == null) == (port.range == null)) {
            throw new InvalidFieldException(path + ".destinationPort", "must set exactly one of number or range");
        }
        if (port.number != null) {
            return ClusterPort.port(protocol, port.number);
        }
        if (port.range.start == null || port.range.end == null) {
            throw new InvalidFieldException(path + ".destinationPort.range", "required: start and end");
        }
        return ClusterPort.range(protocol, port.range.start, port.range.end);
    }
}
