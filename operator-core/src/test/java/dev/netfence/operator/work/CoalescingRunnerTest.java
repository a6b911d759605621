package dev.netfence.operator.work;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CoalescingRunnerTest {
    private static final Duration BOUND = Duration.ofSeconds(10);

    @Test
    void anInactiveRunnerRunsNothingAndAnActivatedOneRunsOnce() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        try (CoalescingRunner r = new CoalescingRunner("test-inactive", p -> runs.incrementAndGet() > 0, Duration.ofMillis(50),
                Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ofMinutes(5))) {
            for (int i = 0; i < 1000; i++) {
                r.request();
            }
            await().during(Duration.ofMillis(300)).atMost(BOUND).until(() -> runs.get() == 0);
            assertThat(runs).hasValue(0);
            assertThat(r.thread()).as("no thread was even started").isNull();
            r.activate();
            await().atMost(BOUND).until(() -> runs.get() == 1);
            await().during(Duration.ofMillis(300)).atMost(BOUND).until(() -> runs.get() == 1);
            assertThat(runs).as("the requests made while inactive are one run").hasValue(1);
            r.deactivate();
            r.request();
            await().during(Duration.ofMillis(300)).atMost(BOUND).until(() -> runs.get() == 1);
            assertThat(runs).hasValue(1);
        }
    }

    @Test
    void aBurstOfRequestsWithinTheMinimumIntervalIsOneRun() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        try (CoalescingRunner r = new CoalescingRunner("test-burst", p -> runs.incrementAndGet() > 0, Duration.ofMillis(500),
                Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ofMinutes(5))) {
            r.activate();
            await().atMost(BOUND).until(() -> runs.get() == 1);
            for (int i = 0; i < 200; i++) {
                r.request();
            }
            await().atMost(BOUND).until(() -> runs.get() == 2);
            await().during(Duration.ofSeconds(1)).atMost(BOUND).until(() -> runs.get() == 2);
            assertThat(runs).hasValue(2);
        }
    }

    @Test
    void aFailedRunIsRetriedWithBackoffAndThePeriodicPassComesWithoutRequests() {
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger periodic = new AtomicInteger();
        try (CoalescingRunner r = new CoalescingRunner("test-retry", p -> {
            if (p) {
                periodic.incrementAndGet();
            }
            if (calls.incrementAndGet() <= 3) {
                throw new IllegalStateException("API server unreachable");
            }
            return true;
        }, Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofMillis(700))) {
            r.activate();
            // >= 4: a periodic pass (every 700 ms here) may already have run when a stalled poll looks
            await().atMost(BOUND).until(() -> calls.get() >= 4);
            assertThat(r.failures()).isEqualTo(3);
            assertThat(r.lastFailed()).isFalse();
            await().atMost(BOUND).until(() -> periodic.get() >= 1);
        }
    }

    @Test
    void aTaskThatIsNotReadyIsRunAgain() {
        AtomicInteger calls = new AtomicInteger();
        try (CoalescingRunner r = new CoalescingRunner("test-again", p -> calls.incrementAndGet() >= 3, Duration.ofMillis(20),
                Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ofMinutes(5))) {
            r.activate();
            await().atMost(BOUND).until(() -> calls.get() == 3);
            assertThat(r.failures()).isZero();
        }
    }
}
