package dev.netfence.policy.analysis;

import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.eval.Verdict;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.Pod;
import java.util.List;

/**
 * Pods that lose a critical flow to one destination: {@code sources} (pods with the same namespace
 * and labels, judged as one), the {@code ports} they lose, the side that now refuses ({@code
 * EGRESS}: the sources' egress, {@code INGRESS}: the destination's ingress), and the verdicts
 * before and after the change (for the first lost port) that explain why.
 */
public record FlowLoss(CriticalFlow flow, List<Pod> sources, Endpoint destination, List<CriticalPort> ports,
                       Direction side, Verdict before, Verdict after) {
    public FlowLoss {
        sources = List.copyOf(sources);
        ports = List.copyOf(ports);
    }

    public Severity severity() {
        return ports.stream().anyMatch(p -> p.severityWhenCut() == Severity.ERROR) ? Severity.ERROR : Severity.WARNING;
    }
}
