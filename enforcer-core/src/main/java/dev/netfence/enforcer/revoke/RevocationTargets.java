package dev.netfence.enforcer.revoke;

import dev.netfence.policy.compile.AddressSet;
import dev.netfence.policy.compile.LocalPod;
import dev.netfence.policy.compile.PolicyRules;
import dev.netfence.policy.compile.ResolvedRuleSet;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which local pods may have lost an allow between two rule sets (pure): the compiled diff, read per
 * pod address and direction. Policies only add allows (NetworkPolicy: "policies are additive"), so a
 * pod isolated in a direction allows less only when
 * <ul>
 *   <li>it was not isolated before, or was not named (a new or re-used address), or had another pod's name;</li>
 *   <li>a policy that isolated it no longer does;</li>
 *   <li>a policy that still isolates it has other rules (peers, ports, named ports);</li>
 *   <li>an address set one of its policies refers to lost an entry; or</li>
 *   <li>the node lost one of its addresses (traffic with the node is always allowed).</li>
 * </ul>
 * A pod that only gained allows, or is not isolated, is no target. A target is a candidate only: the
 * revoker deletes exactly the entries of its connections that the new rules deny. With no previous
 * rule set (the enforcer's first apply, also after a restart, when it cannot know what the kernel
 * held before) every isolated pod is a target, once. ClusterNetworkPolicies break "additive" (Deny rules, tier
 * order): a pod direction that any of them selects, before or now, is a target on any change to its lists, its
 * policies or their address sets ({@link #tierChange}).
 */
public final class RevocationTargets {
    private RevocationTargets() {
    }

    public static List<RevocationTarget> between(ResolvedRuleSet before, ResolvedRuleSet after) {
        Map<String, LocalPod> beforeByIp = new HashMap<>();
        Map<String, PolicyRules> beforePolicies = new HashMap<>();
        Map<String, Set<String>> beforeSets = new HashMap<>();
        Map<String, Set<String>> afterSets = new HashMap<>();
        boolean nodeLostAddress = false;
        if (before != null) {
            before.ruleSet().pods().forEach(p -> p.ips().forEach(ip -> beforeByIp.put(ip, p)));
            before.ruleSet().policies().forEach(p -> beforePolicies.put(p.id(), p));
            before.addressSets().forEach(s -> beforeSets.put(s.name(), Set.copyOf(s.entries())));
            nodeLostAddress = !Set.copyOf(after.ruleSet().nodeAddresses()).containsAll(before.ruleSet().nodeAddresses());
        }
        for (AddressSet s : after.addressSets()) {
            afterSets.put(s.name(), Set.copyOf(s.entries()));
        }
        Map<String, PolicyRules> afterPolicies = new HashMap<>();
        after.ruleSet().policies().forEach(p -> afterPolicies.put(p.id(), p));
        Set<String> lostSets = new HashSet<>();
        Set<String> changedSets = new HashSet<>();
        beforeSets.forEach((name, entries) -> {
            Set<String> now = afterSets.getOrDefault(name, Set.of());
            if (!now.containsAll(entries)) {
                lostSets.add(name);
            }
            if (!now.equals(entries)) {
                changedSets.add(name);
            }
        });
        afterSets.keySet().stream().filter(n -> !beforeSets.containsKey(n)).forEach(changedSets::add);
        List<RevocationTarget> out = new ArrayList<>();
        for (LocalPod pod : after.ruleSet().pods()) {
            for (Direction d : Direction.values()) {
                List<String> now = policies(pod, d);
                if (now.isEmpty() && pod.clusterPolicies(d).isEmpty()) {
                    continue; // no tier has a rule for it: everything is allowed
                }
                for (String ip : pod.ips()) {
                    LocalPod was = beforeByIp.get(ip);
                    boolean lost = before == null || nodeLostAddress || was == null || !was.key().equals(pod.key())
                            || (tiered(was, pod, d) ? tierChange(was, pod, d, beforePolicies, afterPolicies, changedSets)
                            : lostAllow(policies(was, d), now, beforePolicies, afterPolicies, lostSets));
                    if (lost) {
                        out.add(new RevocationTarget(IpAddress.parse(ip), d, pod.key()));
                    }
                }
            }
        }
        return out;
    }

    private static boolean lostAllow(List<String> was, List<String> now, Map<String, PolicyRules> beforePolicies,
                                     Map<String, PolicyRules> afterPolicies, Set<String> lostSets) {
        if (was.isEmpty() || !now.containsAll(was)) {
            return true;
        }
        for (String id : was) {
            PolicyRules old = beforePolicies.get(id);
            if (!Objects.equals(old, afterPolicies.get(id))) {
                return true;
            }
            if (old != null && old.rules().stream().anyMatch(r -> r.peers().stream().anyMatch(lostSets::contains))) {
                return true;
            }
        }
        return false;
    }

    /** ClusterNetworkPolicies selected the pod before or now: their Deny rules and tier order make "additive" untrue. */
    private static boolean tiered(LocalPod was, LocalPod now, Direction d) {
        return !was.clusterPolicies(d).isEmpty() || !now.clusterPolicies(d).isEmpty();
    }

    /**
     * With tiers a change can deny in more ways than with NetworkPolicies alone (an Admin Deny added, a Deny's peer
     * set gaining an address, an Admin Accept or Pass removed, a NetworkPolicy removed so that Baseline decides), so
     * any change to what decides the pod's direction makes it a candidate: either list, any listed policy, any
     * address set those policies refer to.
     */
    private static boolean tierChange(LocalPod was, LocalPod now, Direction d, Map<String, PolicyRules> beforePolicies,
                                      Map<String, PolicyRules> afterPolicies, Set<String> changedSets) {
        if (!was.clusterPolicies(d).equals(now.clusterPolicies(d)) || !policies(was, d).equals(policies(now, d))) {
            return true;
        }
        List<String> ids = new ArrayList<>(now.clusterPolicies(d));
        ids.addAll(policies(now, d));
        for (String id : ids) {
            PolicyRules old = beforePolicies.get(id);
            if (!Objects.equals(old, afterPolicies.get(id))) {
                return true;
            }
            if (old != null && old.rules().stream().anyMatch(r -> r.peers().stream().anyMatch(changedSets::contains))) {
                return true;
            }
        }
        return false;
    }

    private static List<String> policies(LocalPod pod, Direction d) {
        return d == Direction.INGRESS ? pod.ingressPolicies() : pod.egressPolicies();
    }
}
