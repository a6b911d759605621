package dev.netfence.policy.model;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@code networking.k8s.io/v1} NetworkPolicy. {@code policyTypes} is as written (null when
 * absent); {@code ingress}/{@code egress} null means the field was absent and an empty list means
 * {@code []}. Both deny everything in a direction the policy isolates.
 */
public record NetworkPolicy(String namespace, String name, LabelSelector podSelector,
                            List<String> policyTypes, List<PolicyRule> ingress, List<PolicyRule> egress,
                            Map<String, String> annotations) {
    public NetworkPolicy {
        podSelector = podSelector == null ? LabelSelector.ALL : podSelector;
        policyTypes = policyTypes == null ? null : List.copyOf(policyTypes);
        ingress = ingress == null ? null : List.copyOf(ingress);
        egress = egress == null ? null : List.copyOf(egress);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    public ObjectRef ref() {
        return ObjectRef.networkPolicy(namespace, name);
    }

    /**
     * The directions this policy isolates. When {@code policyTypes} is absent the API defaults it:
     * Ingress always, plus Egress when the policy has egress rules.
     */
    public Set<Direction> effectiveTypes() {
        EnumSet<Direction> types = EnumSet.noneOf(Direction.class);
        if (policyTypes == null || policyTypes.isEmpty()) {
            types.add(Direction.INGRESS);
            if (egress != null && !egress.isEmpty()) {
                types.add(Direction.EGRESS);
            }
            return types;
        }
        for (String t : policyTypes) {
            types.add(Direction.parse(t));
        }
        return types;
    }

    /**
     * Whether the policy enforces or is audited ({@link Enforcement#ANNOTATION}); an unknown value
     * enforces (the validator refuses it with the field named, so it never reaches a cluster's rules).
     */
    public Enforcement enforcement() {
        return Enforcement.ofAnnotation(annotations.get(Enforcement.ANNOTATION)).orElse(Enforcement.ENFORCE);
    }

    public boolean audited() {
        return enforcement() == Enforcement.AUDIT;
    }

    /** The rules of a direction; empty when absent. */
    public List<PolicyRule> rules(Direction direction) {
        List<PolicyRule> r = direction == Direction.INGRESS ? ingress : egress;
        return r == null ? List.of() : r;
    }
}
