package dev.netfence.enforcer.cni;

import dev.netfence.policy.compile.LocalPod;
import dev.netfence.policy.compile.NodeRuleSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The addresses of a NodeRuleSet's pods, kept across pod changes (worker thread only, not thread-safe): which pod
 * owns an address (for {@link WaitingPods}) and the elements of the fail-closed rule's {@code known_v4/_v6} sets
 * (the pods' addresses and announced exempt pods', less those waiting).
 *
 * <p>Why: with pod CIDRs configured, mapping every pod by address and sorting every address into the known sets
 * on each apply was most of a pod change's cost at 10,000 pods (14-21 ms). The pod path
 * ({@link #withPods}) changes the index by the changed pods and {@link #sets} edits the previous element lists by
 * the addresses that may have changed (the changed pods', and those waiting or exempt now or before); the result
 * has exactly the elements a fresh index gives (in another order), which {@code KnownAddressesTest} checks.
 */
public final class KnownAddresses {
    private NodeRuleSet ruleSet;
    /** Address → key of the last pod of the list that has it; null until first needed. */
    private Map<String, String> owner;
    /** Addresses more than one pod of the list has: who owns them depends on the list's order, so changes rebuild. */
    private Set<String> shared;
    /** The last {@link #sets} result, its elements as a set, and what it was computed from besides the index. */
    private Sets last;
    private Set<String> members;
    private Set<String> lastWaiting;
    private Set<String> lastExempt;
    /** Addresses whose ownership changed since {@code last}. */
    private final Set<String> dirty = new LinkedHashSet<>();

    /** The known sets' elements, per family, in the order to hand to the kernel (sorted when computed afresh). */
    public record Sets(List<String> v4, List<String> v6) {
    }

    private KnownAddresses(NodeRuleSet ruleSet) {
        this.ruleSet = ruleSet;
    }

    /** An index of {@code ruleSet}'s pods (null: none), built on first use. */
    public static KnownAddresses of(NodeRuleSet ruleSet) {
        return new KnownAddresses(ruleSet);
    }

    /** The rule set this index describes. */
    public NodeRuleSet ruleSet() {
        return ruleSet;
    }

    /** The key of the pod that owns {@code ip} (the last in the list with it), null when no pod has it. */
    String owner(String ip) {
        return index().get(ip);
    }

    private Map<String, String> index() {
        if (owner == null) {
            owner = new HashMap<>();
            shared = new HashSet<>();
            if (ruleSet != null) {
                for (LocalPod p : ruleSet.pods()) {
                    for (String ip : p.ips()) {
                        if (owner.put(ip, p.key()) != null) {
                            shared.add(ip);
                        }
                    }
                }
            }
            last = null; // every address may have changed: the next sets are computed afresh
        }
        return owner;
    }

    /**
     * Now describes {@code after}, which differs from the rule set described only by the pods {@code removed} (in it)
     * and {@code added} (in {@code after}). An address more than one pod has before or after is rebuilt from
     * {@code after}'s whole list (rare: which pod owns it depends on the list's order).
     */
    public void withPods(NodeRuleSet after, List<LocalPod> removed, List<LocalPod> added) {
        ruleSet = after;
        if (owner == null) {
            return; // built from the rule set on first use
        }
        for (LocalPod p : removed) {
            for (String ip : p.ips()) {
                if (shared.contains(ip) || owner.remove(ip) == null) {
                    rebuild();
                    return;
                }
                dirty.add(ip);
            }
        }
        for (LocalPod p : added) {
            for (String ip : p.ips()) {
                if (owner.putIfAbsent(ip, p.key()) != null) {
                    rebuild();
                    return;
                }
                dirty.add(ip);
            }
        }
    }

    private void rebuild() {
        owner = null;
        shared = null;
        dirty.clear();
        index();
    }

    /**
     * The elements of {@code known_v4/_v6} with {@code waiting} in force: every address of the rule set's pods and of
     * {@code waiting.exempt()}, except {@code waiting.addresses()} (a waiting address is never known: fail closed).
     * Unchanged lists are the same instances as the previous call's.
     */
    public Sets sets(WaitingPods waiting) {
        Map<String, String> index = index();
        Set<String> waitingNow = new HashSet<>(waiting.addresses());
        Set<String> exemptNow = new HashSet<>(waiting.exempt());
        if (last == null) {
            TreeSet<String> v4 = new TreeSet<>();
            TreeSet<String> v6 = new TreeSet<>();
            members = new HashSet<>();
            for (Set<String> from : List.of(index.keySet(), exemptNow)) {
                for (String ip : from) {
                    if (!waitingNow.contains(ip) && members.add(ip)) {
                        (v6(ip) ? v6 : v4).add(ip);
                    }
                }
            }
            last = new Sets(List.copyOf(v4), List.copyOf(v6));
        } else {
            Set<String> candidates = new LinkedHashSet<>(dirty);
            candidates.addAll(lastWaiting);
            candidates.addAll(lastExempt);
            candidates.addAll(waiting.addresses());
            candidates.addAll(waiting.exempt());
            Set<String> gone = new HashSet<>();
            List<String> addedV4 = new ArrayList<>();
            List<String> addedV6 = new ArrayList<>();
            boolean goneV4 = false;
            boolean goneV6 = false;
            for (String ip : candidates) {
                boolean now = (index.containsKey(ip) || exemptNow.contains(ip)) && !waitingNow.contains(ip);
                boolean was = members.contains(ip);
                if (now && !was) {
                    members.add(ip);
                    (v6(ip) ? addedV6 : addedV4).add(ip);
                } else if (!now && was) {
                    members.remove(ip);
                    gone.add(ip);
                    goneV4 |= !v6(ip);
                    goneV6 |= v6(ip);
                }
            }
            last = new Sets(edit(last.v4(), goneV4 ? gone : Set.of(), addedV4),
                    edit(last.v6(), goneV6 ? gone : Set.of(), addedV6));
        }
        dirty.clear();
        lastWaiting = waitingNow;
        lastExempt = exemptNow;
        return last;
    }

    /** Drops the kept known sets (the pod CIDRs are off): nothing accumulates, the next {@link #sets} starts afresh. */
    public void noSets() {
        last = null;
        members = null;
        dirty.clear();
    }

    private static List<String> edit(List<String> elements, Set<String> gone, List<String> added) {
        if (gone.isEmpty() && added.isEmpty()) {
            return elements;
        }
        List<String> out = new ArrayList<>(elements.size() + added.size());
        for (String e : elements) {
            if (gone.isEmpty() || !gone.contains(e)) {
                out.add(e);
            }
        }
        out.addAll(added);
        return List.copyOf(out);
    }

    private static boolean v6(String ip) {
        return ip.indexOf(':') >= 0;
    }
}
