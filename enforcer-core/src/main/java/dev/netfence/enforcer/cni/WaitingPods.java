package dev.netfence.enforcer.cni;

import dev.netfence.enforcer.loop.NewPodSettings;
import dev.netfence.policy.compile.NodeRuleSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Which announced pods the NodeRuleSet in force does not know yet (pure). An address is known
 * when the rule set names a pod with it, and the same pod as the announcement when the runtime
 * named the pod: an address handed again to a new pod while the rule set still names the old one
 * is not known (the new pod must not get the old one's rules). Pods of exempt namespaces are never
 * waiting.
 *
 * @param pods      the waiting announcements
 * @param addresses their addresses that are not known, for {@code waiting_v4}/{@code waiting_v6} (sorted)
 * @param exempt    the addresses of announced pods of exempt namespaces, let through the pod CIDRs' drop unless
 *                  waiting (only filled when pod CIDRs are configured; the known sets are {@link KnownAddresses#sets})
 */
public record WaitingPods(List<PodAnnouncement> pods, List<String> addresses, List<String> exempt) {
    public static final WaitingPods NONE = new WaitingPods(List.of(), List.of(), List.of());

    /** The waiting pods of {@code ruleSet} (null: none applied), indexing its pods afresh. */
    public static WaitingPods of(NodeRuleSet ruleSet, Collection<PodAnnouncement> announced, NewPodSettings settings) {
        return of(KnownAddresses.of(ruleSet), announced, settings);
    }

    /** The same with the index the loop keeps across pod changes (one lookup per announced address, no walk of the pods). */
    public static WaitingPods of(KnownAddresses known, Collection<PodAnnouncement> announced, NewPodSettings settings) {
        if (!settings.failClosed() || announced.isEmpty()) {
            return NONE;
        }
        boolean cidrs = !settings.podCidrs().isEmpty();
        List<PodAnnouncement> pods = new ArrayList<>();
        TreeSet<String> addresses = new TreeSet<>();
        TreeSet<String> exempt = new TreeSet<>();
        for (PodAnnouncement a : announced) {
            if (settings.exempt(a.namespace())) {
                if (cidrs) {
                    exempt.addAll(a.ips());
                }
                continue;
            }
            boolean waiting = false;
            for (String ip : a.ips()) {
                String owner = known.owner(ip);
                if (owner == null || (a.podKey() != null && !owner.equals(a.podKey()))) {
                    addresses.add(ip);
                    waiting = true;
                }
            }
            if (waiting) {
                pods.add(a);
            }
        }
        return new WaitingPods(List.copyOf(pods), List.copyOf(addresses), List.copyOf(exempt));
    }

    /**
     * The elements of the known sets for this rule set and these waiting pods computed afresh (sorted): the rule
     * set's pods' and the exempt pods' addresses, less the waiting ones.
     */
    public static List<String> known(NodeRuleSet ruleSet, WaitingPods waiting) {
        KnownAddresses.Sets s = KnownAddresses.of(ruleSet).sets(waiting);
        List<String> all = new ArrayList<>(s.v4());
        all.addAll(s.v6());
        return all;
    }
}
