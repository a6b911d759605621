package dev.netfence.enforcer.app;

import dev.netfence.enforcer.flow.FlowLog;
import dev.netfence.enforcer.loop.EnforcerObserver;
import dev.netfence.enforcer.nft.ApplyResult;
import dev.netfence.enforcer.nft.RuleCounters;
import dev.netfence.enforcer.revoke.ConnectionRevoker;
import io.micrometer.core.instrument.FunctionCounter;
import dev.netfence.enforcer.datapath.BridgeNetfilter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prometheus metrics: apply duration (by kind), rules and set elements in force, failed applies,
 * and packets/bytes per policy rule read from the rules' counters ({@code rule} = the rule's
 * comment, {@code NetworkPolicy shop/web spec.ingress[0]} or {@code ingress isolated by shop/web}).
 *
 * <p>The per-rule counters are one Prometheus collector over the latest values the loop read (on
 * its own schedule, never on the scrape), not one Micrometer meter per rule: with a 10,000-pod table
 * that is 24,000 series, which as meters made a scrape cost ~280 ms (MetricsScrapeBenchmark); the
 * collector writes them in a fraction of that. Rules that left the table leave the output too.
 */
@ApplicationScoped
public class EnforcerMetrics implements EnforcerObserver {
    private final MeterRegistry registry;
    private final AtomicLong rules = new AtomicLong();
    private final AtomicLong elements = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong waitingPods = new AtomicLong();
    private final AtomicLong revoked = new AtomicLong();
    private final AtomicLong bridgedV4 = new AtomicLong(-1);
    private final AtomicLong bridgedV6 = new AtomicLong(-1);
    private final RuleCounterCollector ruleCounters = new RuleCounterCollector();

    public EnforcerMetrics(MeterRegistry registry, PrometheusMeterRegistry prometheus) {
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
        FunctionCounter.builder("netfence.connections.revoked", revoked, AtomicLong::get)
                .description("established connections whose conntrack entries were deleted because a rule set change"
                        + " no longer allows them (netfence.enforcer.connection-revocation=revoke)")
                .register(registry);
        for (var family : java.util.List.of(java.util.Map.entry("ipv4", bridgedV4), java.util.Map.entry("ipv6", bridgedV6))) {
            Gauge.builder("netfence.bridge.netfilter", family.getValue(), AtomicLong::get).tag("family", family.getKey())
                    .description("1: packets between pods on one bridge pass nftables (br_netfilter, bridge-nf-call-"
                            + "iptables/ip6tables=1); 0: they bypass it and are not filtered on the same node (a bridge CNI"
                            + " such as Flannel needs 1; routed CNIs do not); -1: not checked yet")
                    .register(registry);
        }
        prometheus.getPrometheusRegistry().register(ruleCounters);
        prometheus.getPrometheusRegistry().register(flowCounters);
    }

    private final FlowLogCollector flowCounters = new FlowLogCollector();

    /** Publishes the flow log's counters from now on. */
    void flowLog(FlowLog log) {
        flowCounters.log = log;
    }

    /**
     * {@code netfence_flow_records_total{namespace,policy,verdict}} (bounded by {@link FlowLog#MAX_SERIES}:
     * label values come from the node's own rule set) and {@code netfence_flow_lost_total{reason}}, read
     * from the flow log at scrape time (a few hundred values at most).
     */
    static final class FlowLogCollector extends Collector {
        volatile FlowLog log;

        @Override
        public List<MetricFamilySamples> collect() {
            FlowLog now = log;
            if (now == null) {
                return List.of();
            }
            CounterMetricFamily records = new CounterMetricFamily("netfence_flow_records",
                    "flow records, by namespace of the judged pod, deciding policy and verdict", List.of("namespace", "policy", "verdict"));
            now.series().forEach((k, v) -> records.addMetric(List.of(k.namespace(), k.policy(), k.verdict()), v));
            CounterMetricFamily lost = new CounterMetricFamily("netfence_flow_lost",
                    "logged packets that did not become a record a reader saw, by reason", List.of("reason"));
            FlowLog.Lost l = now.lost();
            lost.addMetric(List.of("rate_limit"), l.rateLimited());
            lost.addMetric(List.of("socket_overrun"), l.socketOverruns());
            lost.addMetric(List.of("ring_evicted"), l.ringEvicted());
            lost.addMetric(List.of("malformed"), l.malformed());
            lost.addMetric(List.of("unknown_prefix"), l.unknownPrefix());
            return List.of(records, lost);
        }
    }

    /** What the enforcer found of br_netfilter in its node's namespace. */
    public void bridgeNetfilter(BridgeNetfilter b) {
        bridgedV4.set(b.ipv4() == BridgeNetfilter.Status.ON ? 1 : 0);
        bridgedV6.set(b.ipv6() == BridgeNetfilter.Status.ON ? 1 : 0);
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
    public void revoked(ConnectionRevoker.Result result) {
        revoked.addAndGet(result.deleted());
        if (result.targets() > 0) {
            Timer.builder("netfence.revocation.duration").description("time to find and delete the conntrack entries a"
                    + " change denies, after the change is in the kernel").register(registry).record(result.took());
        }
    }

    @Override
    public void failed() {
        failures.incrementAndGet();
    }

    /** Publishes the latest counter values (the next scrape shows them). */
    @Override
    public void counters(Map<String, RuleCounters.Count> latest) {
        ruleCounters.latest = Map.copyOf(latest);
    }

    /** {@code netfence_rule_packets_total{rule}} and {@code netfence_rule_bytes_total{rule}} from the latest read. */
    static final class RuleCounterCollector extends Collector {
        private static final List<String> LABELS = List.of("rule");
        volatile Map<String, RuleCounters.Count> latest = Map.of();

        @Override
        public List<MetricFamilySamples> collect() {
            Map<String, RuleCounters.Count> now = latest;
            CounterMetricFamily packets = new CounterMetricFamily("netfence_rule_packets", "packets matched by a policy rule",
                    LABELS);
            CounterMetricFamily bytes = new CounterMetricFamily("netfence_rule_bytes", "bytes matched by a policy rule",
                    LABELS);
            now.forEach((rule, count) -> {
                List<String> value = List.of(rule);
                packets.addMetric(value, count.packets());
                bytes.addMetric(value, count.bytes());
            });
            return List.of(packets, bytes);
        }
    }
}
