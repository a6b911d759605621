package dev.netfence.enforcer.app;

import dev.netfence.enforcer.loop.EnforcerObserver;
import dev.netfence.enforcer.nft.ApplyResult;
import dev.netfence.enforcer.nft.RuleCounters;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prometheus metrics: apply duration (by kind), rules and set elements in force, failed applies,
 * and packets/bytes per policy rule read from the rules' counters ({@code rule} = the rule's
 * comment, {@code NetworkPolicy shop/web spec.ingress[0]} or {@code deny ingress shop/web}).
 */
@ApplicationScoped
public class EnforcerMetrics implements EnforcerObserver {
    private final MeterRegistry registry;
    private final AtomicLong rules = new AtomicLong();
    private final AtomicLong elements = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong waitingPods = new AtomicLong();
    private final Map<String, RuleCounters.Count> counts = new ConcurrentHashMap<>();

    public EnforcerMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("netfence.rules", rules, AtomicLong::get).description("nftables rules in force").register(registry);
        Gauge.builder("netfence.set.elements", elements, AtomicLong::get).description("set and map elements in force")
                .register(registry);
        FunctionCounter.builder("netfence.apply.failures", failures, AtomicLong::get)
                .description("applies rejected by the kernel or the source").register(registry);
        Gauge.builder("netfence.pods.waiting", waitingPods, AtomicLong::get)
                .description("pods announced by the CNI plugin that the node's NodeRuleSet does not name yet: their"
                        + " traffic is dropped (fail-closed); above zero for long means the operator is behind or down")
                .register(registry);
    }

    @Override
    public void waitingPods(int count) {
        waitingPods.set(count);
    }

    @Override
    public void applied(ApplyResult result) {
        Timer.builder("netfence.apply.duration").tag("kind", result.kind().name().toLowerCase())
                .description("time to bring the kernel table to the rule set").register(registry).record(result.duration());
        rules.set(result.rules());
        elements.set(result.elements());
    }

    @Override
    public void failed() {
        failures.incrementAndGet();
    }

    /** Publishes the latest counter values; a rule seen for the first time gets its meters. */
    @Override
    public void counters(Map<String, RuleCounters.Count> latest) {
        latest.forEach((rule, count) -> {
            if (counts.put(rule, count) == null) {
                FunctionCounter.builder("netfence.rule.packets", counts, m -> m.getOrDefault(rule, ZERO).packets())
                        .tag("rule", rule).description("packets matched by a policy rule").register(registry);
                FunctionCounter.builder("netfence.rule.bytes", counts, m -> m.getOrDefault(rule, ZERO).bytes())
                        .tag("rule", rule).description("bytes matched by a policy rule").register(registry);
            }
        });
    }

    private static final RuleCounters.Count ZERO = new RuleCounters.Count(0, 0);
}
