package dev.netfence.policy.validate;

import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.IpBlock;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.ObjectRef;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.PolicyPort;
import dev.netfence.policy.model.PolicyRule;
import dev.netfence.policy.net.Cidr;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks objects the way the API server's validation does ({@code ValidateNetworkPolicy} in
 * kubernetes/pkg/apis/networking/validation), so that the CLI and the webhook reject what a real
 * cluster would reject, with the same field paths.
 */
public final class PolicyValidator {

    private static final Pattern LABEL_NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern SVC_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");

    private PolicyValidator() {
    }

    public static List<ValidationError> validate(NetworkPolicy np) {
        List<ValidationError> errors = new ArrayList<>();
        ObjectRef ref = np.ref();
        selector(ref, "spec.podSelector", np.podSelector(), errors);
        if (np.policyTypes() != null) {
            if (np.policyTypes().size() > 2) {
                errors.add(new ValidationError(ref, "spec.policyTypes", "may not have more than 2 entries (Ingress, Egress)"));
            }
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < np.policyTypes().size(); i++) {
                String t = np.policyTypes().get(i);
                if (!"Ingress".equals(t) && !"Egress".equals(t)) {
                    errors.add(new ValidationError(ref, "spec.policyTypes[" + i + "]",
                            "unsupported value \"" + t + "\": supported values are \"Ingress\" and \"Egress\""));
                } else if (!seen.add(t)) {
                    errors.add(new ValidationError(ref, "spec.policyTypes[" + i + "]", "duplicate value \"" + t + "\""));
                }
            }
        }
        rules(ref, "spec.ingress", "from", np.ingress(), errors);
        rules(ref, "spec.egress", "to", np.egress(), errors);
        String mode = np.annotations().get(dev.netfence.policy.model.Enforcement.ANNOTATION);
        if (dev.netfence.policy.model.Enforcement.ofAnnotation(mode).isEmpty()) {
            errors.add(new ValidationError(ref, "metadata.annotations[" + dev.netfence.policy.model.Enforcement.ANNOTATION + "]",
                    "unsupported value \"" + mode + "\": write \"audit\" (log what the policy would deny, deny nothing)"
                            + " or \"enforce\" (the default)"));
        }
        return errors;
    }

    public static List<ValidationError> validate(DefaultDeny dd) {
        List<ValidationError> errors = new ArrayList<>();
        if (dd.exemptPodSelector() != null) {
            selector(dd.ref(), "spec.exemptPodSelector", dd.exemptPodSelector(), errors);
        }
        return errors;
    }

    private static void rules(ObjectRef ref, String base, String peersField, List<PolicyRule> rules, List<ValidationError> errors) {
        if (rules == null) {
            return;
        }
        for (int r = 0; r < rules.size(); r++) {
            PolicyRule rule = rules.get(r);
            String rp = base + "[" + r + "]";
            for (int i = 0; i < rule.ports().size(); i++) {
                port(ref, rp + ".ports[" + i + "]", rule.ports().get(i), errors);
            }
            for (int i = 0; i < rule.peers().size(); i++) {
                peer(ref, rp + "." + peersField + "[" + i + "]", rule.peers().get(i), errors);
            }
        }
    }

    private static void port(ObjectRef ref, String path, PolicyPort p, List<ValidationError> errors) {
        String proto = p.protocol();
        if (proto != null && !proto.equals("TCP") && !proto.equals("UDP") && !proto.equals("SCTP")) {
            errors.add(new ValidationError(ref, path + ".protocol",
                    "unsupported value \"" + proto + "\": supported values are \"TCP\", \"UDP\" and \"SCTP\""));
        }
        if (p.name() != null) {
            if (!isServiceName(p.name())) {
                errors.add(new ValidationError(ref, path + ".port", "invalid port name \"" + p.name()
                        + "\": a port name is at most 15 lowercase letters, digits and '-', contains a letter and "
                        + "does not start, end or repeat '-'"));
            }
            if (p.endPort() != null) {
                errors.add(new ValidationError(ref, path + ".endPort",
                        "may not be set when port is a name (\"" + p.name() + "\"): use a numeric port with endPort"));
            }
            return;
        }
        if (p.number() != null && (p.number() < 1 || p.number() > 65535)) {
            errors.add(new ValidationError(ref, path + ".port", "must be between 1 and 65535, inclusive (got " + p.number() + ")"));
        }
        if (p.endPort() != null) {
            if (p.number() == null) {
                errors.add(new ValidationError(ref, path + ".endPort", "may not be set when port is not set"));
            } else if (p.endPort() < p.number()) {
                errors.add(new ValidationError(ref, path + ".endPort",
                        "must be greater than or equal to port (" + p.number() + "), got " + p.endPort()));
            } else if (p.endPort() > 65535) {
                errors.add(new ValidationError(ref, path + ".endPort", "must be between 1 and 65535, inclusive (got " + p.endPort() + ")"));
            }
        }
    }

    static boolean isServiceName(String name) {
        return name.length() <= 15 && SVC_NAME.matcher(name).matches() && !name.contains("--")
                && name.chars().anyMatch(Character::isLetter);
    }

    private static void peer(ObjectRef ref, String path, Peer p, List<ValidationError> errors) {
        int kinds = (p.podSelector() != null || p.namespaceSelector() != null ? 1 : 0) + (p.ipBlock() != null ? 1 : 0);
        if (kinds == 0) {
            errors.add(new ValidationError(ref, path, "must specify a peer: set podSelector, namespaceSelector or ipBlock "
                    + "(an empty entry {} is not \"everyone\"; to allow all peers, omit the whole from/to list)"));
            return;
        }
        if (kinds > 1) {
            errors.add(new ValidationError(ref, path, "may not specify more than 1 peer type: ipBlock cannot be combined "
                    + "with podSelector or namespaceSelector; split it into two peers"));
        }
        if (p.podSelector() != null) {
            selector(ref, path + ".podSelector", p.podSelector(), errors);
        }
        if (p.namespaceSelector() != null) {
            selector(ref, path + ".namespaceSelector", p.namespaceSelector(), errors);
        }
        if (p.ipBlock() != null) {
            ipBlock(ref, path + ".ipBlock", p.ipBlock(), errors);
        }
    }

    private static void ipBlock(ObjectRef ref, String path, IpBlock b, List<ValidationError> errors) {
        if (b.cidr() == null || b.cidr().isEmpty()) {
            errors.add(new ValidationError(ref, path + ".cidr", "required: an IPv4 or IPv6 network such as 10.0.0.0/16"));
            return;
        }
        Cidr cidr;
        try {
            cidr = Cidr.parse(b.cidr());
        } catch (IllegalArgumentException e) {
            errors.add(new ValidationError(ref, path + ".cidr", e.getMessage()));
            return;
        }
        for (int i = 0; i < b.except().size(); i++) {
            String ep = path + ".except[" + i + "]";
            try {
                Cidr ex = Cidr.parse(b.except().get(i));
                if (ex.v6() != cidr.v6() || !cidr.contains(ex) || ex.prefix() == cidr.prefix()) {
                    errors.add(new ValidationError(ref, ep, "must be a strict subset of `cidr` (" + cidr + "), got " + b.except().get(i)));
                }
            } catch (IllegalArgumentException e) {
                errors.add(new ValidationError(ref, ep, e.getMessage()));
            }
        }
    }

    /** Label selector validation ({@code ValidateLabelSelector}). */
    public static void selector(ObjectRef ref, String path, LabelSelector s, List<ValidationError> errors) {
        s.matchLabels().forEach((k, v) -> {
            if (!isLabelKey(k)) {
                errors.add(new ValidationError(ref, path + ".matchLabels", "invalid label key \"" + k + "\""));
            }
            if (!isLabelValue(v)) {
                errors.add(new ValidationError(ref, path + ".matchLabels[" + k + "]", invalidLabelValue(v)));
            }
        });
        for (int i = 0; i < s.matchExpressions().size(); i++) {
            LabelSelector.Requirement r = s.matchExpressions().get(i);
            String rp = path + ".matchExpressions[" + i + "]";
            if (r.key() == null || !isLabelKey(r.key())) {
                errors.add(new ValidationError(ref, rp + ".key", "invalid label key \"" + r.key() + "\""));
            }
            LabelSelector.Operator op = r.op();
            if (op == null) {
                errors.add(new ValidationError(ref, rp + ".operator", "unsupported value \"" + r.operator()
                        + "\": supported values are \"In\", \"NotIn\", \"Exists\" and \"DoesNotExist\""));
                continue;
            }
            boolean needsValues = op == LabelSelector.Operator.IN || op == LabelSelector.Operator.NOT_IN;
            if (needsValues && r.values().isEmpty()) {
                errors.add(new ValidationError(ref, rp + ".values", "must be specified when `operator` is '" + r.operator() + "'"));
            }
            if (!needsValues && !r.values().isEmpty()) {
                errors.add(new ValidationError(ref, rp + ".values", "may not be specified when `operator` is '" + r.operator() + "'"));
            }
            // ValidateLabelSelectorRequirement checks each value like a label value (on create).
            for (int v = 0; needsValues && v < r.values().size(); v++) {
                if (!isLabelValue(r.values().get(v))) {
                    errors.add(new ValidationError(ref, rp + ".values[" + v + "]", invalidLabelValue(r.values().get(v))));
                }
            }
        }
    }

    static boolean isLabelValue(String v) {
        return v != null && (v.isEmpty() || (v.length() <= 63 && LABEL_NAME.matcher(v).matches()));
    }

    private static String invalidLabelValue(String v) {
        return "invalid label value \"" + v
                + "\": at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
    }

    static boolean isLabelKey(String key) {
        if (key.isEmpty()) {
            return false;
        }
        int slash = key.indexOf('/');
        String name = slash >= 0 ? key.substring(slash + 1) : key;
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            if (prefix.isEmpty() || prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
                return false;
            }
        }
        return !name.isEmpty() && name.length() <= 63 && LABEL_NAME.matcher(name).matches();
    }
}
