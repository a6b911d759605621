package dev.netfence.enforcer.revoke;

import dev.netfence.enforcer.datapath.Datapath;
import dev.netfence.enforcer.nft.Conntrack;
import dev.netfence.policy.compile.ResolvedRuleSet;
import dev.netfence.policy.model.Direction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deletes the conntrack entries of the connections a new rule set denies, after it is in the kernel
 * (before, the next packet would meet the old rules as a new flow and be let through again): for
 * each {@link RevocationTarget} one dump filtered in the kernel by its address (egress: connections
 * it opened; ingress: connections it answers), each entry judged by {@link RevocationVerdicts}, the
 * denied ones deleted by id. Entries the new rules still allow are not touched.
 */
public final class ConnectionRevoker {
    private final Datapath datapath;

    /** What one revocation did. */
    public record Result(int targets, int checked, int denied, int deleted, Duration took, List<String> examples) {
        public static final Result NONE = new Result(0, 0, 0, 0, Duration.ZERO, List.of());
    }

    public ConnectionRevoker(Datapath datapath) {
        this.datapath = datapath;
    }

    public Result revoke(List<RevocationTarget> targets, ResolvedRuleSet rules) {
        if (targets.isEmpty()) {
            return Result.NONE;
        }
        long start = System.nanoTime();
        RevocationVerdicts verdicts = new RevocationVerdicts(rules);
        Map<Long, Conntrack.Entry> denied = new LinkedHashMap<>();
        int checked = 0;
        for (RevocationTarget t : targets) {
            Conntrack.Side side = t.direction() == Direction.EGRESS ? Conntrack.Side.INITIATOR : Conntrack.Side.RESPONDER;
            for (Conntrack.Entry e : datapath.connections(t.address(), side)) {
                checked++;
                if (verdicts.denied(e)) {
                    denied.putIfAbsent(e.id(), e);
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
