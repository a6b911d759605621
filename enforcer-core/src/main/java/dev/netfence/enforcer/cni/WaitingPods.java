package dev.netfence.enforcer.cni;

import dev.netfence.enforcer.loop.NewPodSettings;
import dev.netfence.policy.compile.LocalPod;
import dev.netfence.policy.compile.NodeRuleSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which announced pods the NodeRuleSet in force does not know yet (pure). An address is known
 * when the rule set names a pod with it, and the same pod as the announcement when the runtime
 * named the pod: an address handed again to a new pod while the rule set still names the old one
 * is not known (the new pod must not get the old one's rules). Pods of exempt namespaces are never
 * waiting.
 *
 * @param pods      the waiting announcements
 * @param addresses their addresses that are not known, for {@code waiting_v4}/{@code waiting_v6}
 * @param allowed   the addresses of the pod CIDRs that are let through: those of the rule set's pods and
 *                  of announced pods of exempt namespaces (only filled when pod CIDRs are configured)
 */
public record WaitingPods(List<PodAnnouncement> pods, List<String> addresses, List<String> allowed) {
    public static final WaitingPods NONE = new WaitingPods(List.of(), List.of(), List.of());

    public static WaitingPods of(NodeRuleSet ruleSet, Collection<PodAnnouncement> announced, NewPodSettings settings) {
        if (!settings.failClosed() || (announced.isEmpty() && settings.podCidrs().isEmpty())) {
            return NONE;
        }
        Map<String, String> podByIp = new HashMap<>();
        if (ruleSet != null) {
            for (LocalPod p : ruleSet.pods()) {
                p.ips().forEach(ip -> podByIp.put(ip, p.key()));
            }
        }
        List<PodAnnouncement> pods = new ArrayList<>();
        TreeSet<String> addresses = new TreeSet<>();
        TreeSet<String> allowed = new TreeSet<>();
        if (!settings.podCidrs().isEmpty()) {
            allowed.addAll(podByIp.keySet());
        }
        for (PodAnnouncement a : announced) {
            if (settings.exempt(a.namespace())) {
                if (!settings.podCidrs().isEmpty()) {
                    allowed.addAll(a.ips());
                }
                continue;
            }
            boolean waiting = false;
            for (String ip : a.ips()) {
                String owner = podByIp.get(ip);
                if (owner == null || (a.podKey() != null && !owner.equals(a.podKey()))) {
                    addresses.add(ip);
                    allowed.remove(ip);
                    waiting = true;
                }
            }
            if (waiting) {
                pods.add(a);
            }
        }
        return new WaitingPods(List.copyOf(pods), List.copyOf(addresses), List.copyOf(allowed));
    }
}
