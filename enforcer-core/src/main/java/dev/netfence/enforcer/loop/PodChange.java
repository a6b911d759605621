package dev.netfence.enforcer.loop;

import dev.netfence.policy.compile.LocalPod;
import dev.netfence.policy.compile.NodeRuleSet;
import dev.netfence.policy.compile.ResolvedRuleSet;
import java.util.List;

/**
 * How a newly delivered rule set differs from the previous one when only local pods changed (pure): the
 * pods before {@code prefix} and the last {@code suffix} pods are the same in both, the pods in between
 * ({@code oldMiddle}, {@code newMiddle}) are what left, came or changed. Node name, node addresses,
 * policies, the AddressSet names and the AddressSets themselves must be equal.
 *
 * <p>Why: a NodeRuleSet lists every local pod, so a pod joining arrives as a whole new document; the
 * loop then validates and applies only the changed pods ({@code RuleSetValidator.withPods},
 * {@code PodElements}) instead of the whole rule set. Items are compared by reference first (one pointer
 * comparison each when the source hands out the unchanged parts again) and by value otherwise (a source
 * that converts the whole document anew, as the Kubernetes source does, pays an equals per item).
 */
record PodChange(int prefix, int suffix, List<LocalPod> oldMiddle, List<LocalPod> newMiddle) {

    /** The change from {@code before} to {@code after}, or null when more than pods changed or more than {@code limit} pods did. */
    static PodChange between(ResolvedRuleSet before, ResolvedRuleSet after, int limit) {
        NodeRuleSet a = before.ruleSet();
        NodeRuleSet b = after.ruleSet();
        if (!a.node().equals(b.node()) || !same(a.nodeAddresses(), b.nodeAddresses()) || !same(a.policies(), b.policies())
                || !same(a.addressSets(), b.addressSets()) || !same(before.addressSets(), after.addressSets())) {
            return null;
        }
        List<LocalPod> x = a.pods();
        List<LocalPod> y = b.pods();
        int prefix = 0;
        int max = Math.min(x.size(), y.size());
        while (prefix < max && equal(x.get(prefix), y.get(prefix))) {
            prefix++;
        }
        int suffix = 0;
        while (suffix < max - prefix && equal(x.get(x.size() - 1 - suffix), y.get(y.size() - 1 - suffix))) {
            suffix++;
        }
        List<LocalPod> oldMiddle = x.subList(prefix, x.size() - suffix);
        List<LocalPod> newMiddle = y.subList(prefix, y.size() - suffix);
        if (oldMiddle.size() > limit || newMiddle.size() > limit) {
            return null;
        }
        return new PodChange(prefix, suffix, oldMiddle, newMiddle);
    }

    private static boolean equal(Object p, Object q) {
        return p == q || p.equals(q);
    }

    private static boolean same(List<?> p, List<?> q) {
        if (p == q) {
            return true;
        }
        if (p.size() != q.size()) {
            return false;
        }
        for (int i = 0; i < p.size(); i++) {
            if (!equal(p.get(i), q.get(i))) {
                return false;
            }
        }
        return true;
    }
}
