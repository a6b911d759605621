package dev.netfence.webhook;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * The webhook's meters: {@code netfence_webhook_requests_total}, {@code
 * netfence_webhook_decisions_total{decision=allowed|denied|warned|error}} and {@code
 * netfence_webhook_latency_seconds} (a histogram, body received to answer written, queueing for an
 * analysis slot included).
 */
public final class AdmissionMetrics {

    /** What became of a request: admitted without warnings, refused, admitted with warnings, or not judged (bad input, busy, bug). */
    public enum Outcome { ALLOWED, DENIED, WARNED, ERROR }

    private final Counter requests;
    private final Map<Outcome, Counter> decisions = new EnumMap<>(Outcome.class);
    private final Timer latency;

    public AdmissionMetrics(MeterRegistry registry) {
        requests = Counter.builder("netfence.webhook.requests").description("AdmissionReview requests received")
                .register(registry);
        for (Outcome o : Outcome.values()) {
            decisions.put(o, Counter.builder("netfence.webhook.decisions").description("Answers, by decision")
                    .tag("decision", o.name().toLowerCase(java.util.Locale.ROOT)).register(registry));
        }
        latency = Timer.builder("netfence.webhook.latency").description("Time to answer an AdmissionReview")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
    }

    void received() {
        requests.increment();
    }

    void answered(Outcome outcome, long startNanos) {
        decisions.get(outcome).increment();
        latency.record(System.nanoTime() - startNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
}
