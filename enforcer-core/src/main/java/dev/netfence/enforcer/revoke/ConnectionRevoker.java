package dev.netfence.enforcer.revoke;

import dev.netfence.enforcer.datapath.Datapath;
import dev.netfence.enforcer.nft.Conntrack;
import dev.netfence.policy.compile.ResolvedRuleSet;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.net.IpAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Deletes the conntrack entries of the connections a new rule set denies, after it is in the kernel
 * (before, the next packet would meet the old rules as a new flow and be let through again): for
 * each {@link RevocationTarget} one dump filtered in the kernel by its address (egress: connections
 * it opened; ingress: connections it answers), each entry judged by {@link RevocationVerdicts}, the
 * denied ones deleted by id. Entries the new rules still allow are not touched.
 *
 * <p>The kernel walks its whole table for every filtered dump, so with more than
 * {@value #FILTERED_DUMPS_MAX} targets (an enforcer's first apply on a big node, a change of a policy
 * selecting many pods) one unfiltered dump per family is read instead and matched here: one walk
 * instead of thousands.
 */
public final class ConnectionRevoker {
    static final int FILTERED_DUMPS_MAX = 32;
    private final Datapath datapath;

    /** What one revocation did. */
    public record Result(int targets, int checked, int denied, int deleted, Duration took, List<String> examples) {
        public static final Result NONE = new Result(0, 0, 0, 0, Duration.ZERO, List.of());
    }

    public ConnectionRevoker(Datapath datapath) {
        this.datapath = datapath;
    }

    public Result revoke(List<RevocationTarget> targets, ResolvedRuleSet rules) {
        return targets.isEmpty() ? Result.NONE : revoke(targets, new RevocationVerdicts(rules));
    }

    /** {@link #revoke(List, ResolvedRuleSet)} with the verdicts of the rules already built (the loop keeps them per rule set). */
    public Result revoke(List<RevocationTarget> targets, RevocationVerdicts verdicts) {
        if (targets.isEmpty()) {
            return Result.NONE;
        }
        long start = System.nanoTime();
        Map<Long, Conntrack.Entry> denied = new LinkedHashMap<>();
        int checked = 0;
        if (targets.size() > FILTERED_DUMPS_MAX) {
            Set<IpAddress> egress = new HashSet<>();
            Set<IpAddress> ingress = new HashSet<>();
            targets.forEach(t -> (t.direction() == Direction.EGRESS ? egress : ingress).add(t.address()));
            for (boolean v6 : new boolean[]{false, true}) {
                for (Conntrack.Entry e : datapath.connections(v6)) {
                    if (egress.contains(e.initiator()) || ingress.contains(e.responder())) {
                        checked++;
                        if (verdicts.denied(e)) {
                            denied.putIfAbsent(e.id(), e);
                        }
                    }
                }
            }
        } else {
            for (RevocationTarget t : targets) {
                Conntrack.Side side = t.direction() == Direction.EGRESS ? Conntrack.Side.INITIATOR : Conntrack.Side.RESPONDER;
                for (Conntrack.Entry e : datapath.connections(t.address(), side)) {
                    checked++;
                    if (verdicts.denied(e)) {
                        denied.putIfAbsent(e.id(), e);
                    }
                }
            }
        }
        List<Conntrack.Entry> doomed = new ArrayList<>(denied.values());
        int deleted = doomed.isEmpty() ? 0 : datapath.deleteConnections(doomed);
        List<String> examples = doomed.stream().limit(5).map(Conntrack.Entry::describe).toList();
        return new Result(targets.size(), checked, doomed.size(), deleted, Duration.ofNanos(System.nanoTime() - start),
                examples);
    }
}
