package dev.netfence.policy.validate;

import dev.netfence.policy.model.ClusterNetworkPolicy;
import dev.netfence.policy.model.ClusterPeer;
import dev.netfence.policy.model.ClusterPort;
import dev.netfence.policy.model.ClusterRule;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.ObjectRef;
import dev.netfence.policy.net.Cidr;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * Checks a ClusterNetworkPolicy the way its CRD's schema and CEL rules do (upstream
 * {@code policy.networking.k8s.io/v1beta1}), with the same limits and field paths, so the CLI and
 * the webhook refuse what the API server would: priority 0-1000, at most 25 rules per direction,
 * 1-25 peers and protocols per rule, rule names of at most 100 characters, ports 1-65535, ranges
 * with {@code start < end}, networks of 1-25 masked CIDRs ({@code cidr(self) == cidr(self).masked()}),
 * ingress peers only namespaces or pods, and "networks/nodes/domainNames peer cannot be set with
 * namedPorts". Unknown peers are not errors: the API server accepted them, the engine fails closed.
 */
public final class ClusterPolicyValidator {

    static final int MAX_RULES = 25;
    static final int MAX_ITEMS = 25;
    static final int MAX_RULE_NAME = 100;

    private ClusterPolicyValidator() {
    }

    public static List<ValidationError> validate(ClusterNetworkPolicy cnp) {
        List<ValidationError> errors = new ArrayList<>();
        ObjectRef ref = cnp.ref();
        if (cnp.priority() < 0 || cnp.priority() > 1000) {
            errors.add(new ValidationError(ref, "spec.priority", "must be between 0 and 1000, inclusive (got " + cnp.priority() + ")"));
        }
        PolicyValidator.selector(ref, "spec.subject." + (cnp.subject().podSelector() == null ? "namespaces" : "pods.namespaceSelector"),
                cnp.subject().namespaceSelector(), errors);
        if (cnp.subject().podSelector() != null) {
            PolicyValidator.selector(ref, "spec.subject.pods.podSelector", cnp.subject().podSelector(), errors);
        }
        for (Direction d : Direction.values()) {
            List<ClusterRule> rules = cnp.rules(d);
            if (rules.size() > MAX_RULES) {
                errors.add(new ValidationError(ref, "spec." + d.field(), "must have at most " + MAX_RULES + " items (got "
                        + rules.size() + "): merge rules or split the policy"));
            }
            for (int r = 0; r < rules.size(); r++) {
                rule(ref, d, "spec." + d.field() + "[" + r + "]", rules.get(r), errors);
            }
        }
        return errors;
    }

    private static void rule(ObjectRef ref, Direction d, String path, ClusterRule rule, List<ValidationError> errors) {
        String peersField = d == Direction.INGRESS ? "from" : "to";
        if (rule.name().length() > MAX_RULE_NAME) {
            errors.add(new ValidationError(ref, path + ".name", "may not be longer than " + MAX_RULE_NAME + " characters (got "
                    + rule.name().length() + ")"));
        }
        if (rule.peers().isEmpty()) {
            errors.add(new ValidationError(ref, path + "." + peersField, "required: at least one peer (to match every pod, use "
                    + "namespaces: {})"));
        } else if (rule.peers().size() > MAX_ITEMS) {
            errors.add(new ValidationError(ref, path + "." + peersField, "must have at most " + MAX_ITEMS + " items (got "
                    + rule.peers().size() + ")"));
        }
        boolean addressPeer = false;
        for (int i = 0; i < rule.peers().size(); i++) {
            ClusterPeer p = rule.peers().get(i);
            String pp = path + "." + peersField + "[" + i + "]";
            if (p instanceof ClusterPeer.Namespaces n) {
                PolicyValidator.selector(ref, pp + ".namespaces", n.namespaces(), errors);
            } else if (p instanceof ClusterPeer.Pods pods) {
                PolicyValidator.selector(ref, pp + ".pods.namespaceSelector", pods.namespaces(), errors);
                PolicyValidator.selector(ref, pp + ".pods.podSelector", pods.pods(), errors);
            } else if (p instanceof ClusterPeer.Nodes n) {
                addressPeer = true;
                if (d == Direction.INGRESS) {
                    errors.add(new ValidationError(ref, pp + ".nodes", "is only allowed in egress peers (ingress peers are namespaces or pods)"));
                }
                PolicyValidator.selector(ref, pp + ".nodes", n.nodes(), errors);
            } else if (p instanceof ClusterPeer.Networks nets) {
                addressPeer = true;
                if (d == Direction.INGRESS) {
                    errors.add(new ValidationError(ref, pp + ".networks", "is only allowed in egress peers (ingress peers are namespaces or pods)"));
                }
                networks(ref, pp + ".networks", nets.cidrs(), errors);
            } else if (p instanceof ClusterPeer.Unknown u && u.what().equals("domainNames")) {
                addressPeer = true;
            }
        }
        if (rule.protocols().size() > MAX_ITEMS) {
            errors.add(new ValidationError(ref, path + ".protocols", "must have at most " + MAX_ITEMS + " items (got "
                    + rule.protocols().size() + ")"));
        }
        for (int i = 0; i < rule.protocols().size(); i++) {
            ClusterPort port = rule.protocols().get(i);
            String pp = path + ".protocols[" + i + "]";
            if (port.isNamed()) {
                if (port.namedPort().isEmpty()) {
                    errors.add(new ValidationError(ref, pp + ".destinationNamedPort", "may not be empty: name a container port"));
                }
                if (addressPeer) {
                    errors.add(new ValidationError(ref, pp + ".destinationNamedPort", "networks/nodes/domainNames peer cannot be set "
                            + "with namedPorts since there are no namedPorts for networks/nodes/domainNames: use a port number"));
                }
                continue;
            }
            String field = pp + "." + port.protocol().name().toLowerCase() + ".destinationPort";
            if (port.start() == port.end() && (port.start() < 1 || port.start() > 65535)) {
                errors.add(new ValidationError(ref, field + ".number", "must be between 1 and 65535, inclusive (got " + port.start() + ")"));
            } else if (port.start() != port.end()) {
                if (port.start() < 1 || port.start() > 65535 || port.end() < 1 || port.end() > 65535) {
                    errors.add(new ValidationError(ref, field + ".range", "start and end must be between 1 and 65535, inclusive (got "
                            + port.start() + "-" + port.end() + ")"));
                } else if (port.start() >= port.end()) {
                    errors.add(new ValidationError(ref, field + ".range", "Start port must be less than End port (got "
                            + port.start() + "-" + port.end() + "); for one port use number"));
                }
            }
        }
    }

    private static void networks(ObjectRef ref, String path, List<String> cidrs, List<ValidationError> errors) {
        if (cidrs.isEmpty() || cidrs.size() > MAX_ITEMS) {
            errors.add(new ValidationError(ref, path, "must have 1 to " + MAX_ITEMS + " items (got " + cidrs.size() + ")"));
        }
        HashSet<String> seen = new HashSet<>();
        for (int i = 0; i < cidrs.size(); i++) {
            String text = cidrs.get(i);
            String p = path + "[" + i + "]";
            if (!seen.add(text)) {
                errors.add(new ValidationError(ref, p, "duplicate value \"" + text + "\" (networks is a set)"));
                continue;
            }
            Cidr cidr;
            try {
                cidr = Cidr.parse(text);
            } catch (IllegalArgumentException e) {
                errors.add(new ValidationError(ref, p, "Invalid CIDR format provided: " + e.getMessage()));
                continue;
            }
            if (Cidr.hasHostBits(text)) {
                errors.add(new ValidationError(ref, p, "Invalid CIDR format provided: \"" + text
                        + "\" has host bits set; write the network address (" + cidr + ")"));
            }
        }
    }
}
