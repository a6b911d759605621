package dev.netfence.policy.model;

import java.util.EnumSet;
import java.util.Set;

/**
 * Netfence's {@code DefaultDeny} (netfence.dev/v1alpha1): isolates every pod of its namespace in
 * {@code policyTypes} (default both), except pods matching {@code exemptPodSelector} (null: none).
 * It acts like one more policy in the union: its carve-outs allow egress to the cluster DNS pods and
 * NodeLocal IPs on the DNS ports ({@code allowDNS}, default true) and traffic between pods of the
 * same namespace in the isolated directions ({@code allowSameNamespace}, default false).
 * {@code enforcement} {@link Enforcement#AUDIT}: it isolates and denies nothing, its would-be
 * denials are reported ({@link Enforcement}).
 */
public record DefaultDeny(String namespace, String name, Set<Direction> policyTypes, boolean allowDNS,
                          boolean allowSameNamespace, LabelSelector exemptPodSelector, Enforcement enforcement) {
    public DefaultDeny {
        policyTypes = policyTypes == null || policyTypes.isEmpty()
                ? EnumSet.allOf(Direction.class) : Set.copyOf(policyTypes);
        enforcement = enforcement == null ? Enforcement.ENFORCE : enforcement;
    }

    /** An enforcing DefaultDeny ({@code spec.enforcement} absent). */
    public DefaultDeny(String namespace, String name, Set<Direction> policyTypes, boolean allowDNS,
                       boolean allowSameNamespace, LabelSelector exemptPodSelector) {
        this(namespace, name, policyTypes, allowDNS, allowSameNamespace, exemptPodSelector, Enforcement.ENFORCE);
    }

    /** {@code spec.enforcement: Audit}: see {@link Enforcement}. */
    public boolean audited() {
        return enforcement == Enforcement.AUDIT;
    }

    /** This DefaultDeny in another mode. */
    public DefaultDeny withEnforcement(Enforcement e) {
        return new DefaultDeny(namespace, name, policyTypes, allowDNS, allowSameNamespace, exemptPodSelector, e);
    }

    public static DefaultDeny of(String namespace) {
        return new DefaultDeny(namespace, "default-deny", null, true, false, null);
    }

    public ObjectRef ref() {
        return ObjectRef.defaultDeny(namespace, name);
    }
}
