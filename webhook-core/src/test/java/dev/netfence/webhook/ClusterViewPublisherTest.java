package dev.netfence.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netfence.cluster.ClusterModel;
import dev.netfence.cluster.ClusterSettings;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.net.IpAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * What a request sees while the cluster changes: the latest published view, at once, whatever the
 * model is doing (a request never waits for a snapshot to be applied), and always a whole snapshot:
 * the state of the model between two of its updates, never a part of one, with its indexes agreeing
 * with its entries.
 */
class ClusterViewPublisherTest {

    static final int PODS = 50;

    private static Pod pod(int i, int generation) {
        return new Pod("shop", "web-" + i, Map.of("app", "web", "rev", "r" + generation),
                List.of(IpAddress.parse("10.1.0." + (i + 1))), "n1", false, List.of());
    }

    /** All pods of shop relabelled to {@code generation} in one update of the model (the model's lock held throughout). */
    private static void relabelAll(ClusterModel model, int generation) {
        synchronized (model) {
            for (int i = 0; i < PODS; i++) {
                model.putPod(pod(i, generation));
            }
        }
    }

    private static ClusterModel model() {
        ClusterModel model = new ClusterModel(ClusterSettings.DEFAULTS);
        model.putNamespace(new Namespace("shop", Map.of()));
        relabelAll(model, 0);
        return model;
    }

    @Test
    void aRequestTakesThePublishedViewAtOnceWhileTheModelIsBusy() throws Exception {
        ClusterModel model = model();
        try (ClusterViewPublisher views = new ClusterViewPublisher(model, () -> true, Duration.ofMillis(10))) {
            await().atMost(Duration.ofSeconds(5)).until(views::synced);
            ClusterView before = views.view();

            // another thread holds the model (as a long snapshot apply or a burst of informer events does)
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread busy = new Thread(() -> {
                synchronized (model) {
                    held.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            busy.start();
            assertThat(held.await(5, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Void> change = CompletableFuture.runAsync(() -> relabelAll(model, 1));   // waits for the model

            // meanwhile requests get the previous view without waiting
            ClusterView during = CompletableFuture.supplyAsync(() -> {
                views.synced();
                return views.view();
            }).get(1, TimeUnit.SECONDS);
            assertThat(during).isSameAs(before);

            release.countDown();
            change.get(5, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(5)).until(() -> views.view().version() > before.version()
                    && generations(views.view()).equals(List.of("r1")));
            busy.join();
        }
    }

    @Test
    void everyViewIsTheModelBetweenTwoUpdatesNeverPartOfOne() throws Exception {
        ClusterModel model = model();
        try (ClusterViewPublisher views = new ClusterViewPublisher(model, () -> true, Duration.ofMillis(1))) {
            await().atMost(Duration.ofSeconds(5)).until(views::synced);
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicReference<String> problem = new AtomicReference<>();
            AtomicInteger seen = new AtomicInteger();
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                Thread reader = new Thread(() -> {
                    long lastVersion = -1;
                    while (writing.get() && problem.get() == null) {
                        ClusterView v = views.view();
                        String p = wholeSnapshotProblem(v, lastVersion);
                        if (p != null) {
                            problem.compareAndSet(null, p);
                        }
                        lastVersion = v.version();
                        seen.incrementAndGet();
                    }
                });
                reader.start();
                readers.add(reader);
            }
            int generations = 300;
            for (int g = 1; g <= generations; g++) {
                relabelAll(model, g);
            }
            String last = "r" + generations;
            await().atMost(Duration.ofSeconds(10)).until(() -> generations(views.view()).equals(List.of(last)));
            writing.set(false);
            for (Thread t : readers) {
                t.join();
            }
            assertThat(problem.get()).isNull();
            assertThat(seen.get()).isPositive();
        }
    }

    /** Null when {@code v} holds every pod of shop at one generation, found by its label index too, and is not older than the last one seen. */
    private static String wholeSnapshotProblem(ClusterView v, long lastVersion) {
        if (v.version() < lastVersion) {
            return "view " + v.version() + " published after view " + lastVersion;
        }
        List<String> gens = generations(v);
        if (gens.size() != 1) {
            return "view " + v.version() + " mixes generations " + gens + " of one update";
        }
        List<Pod> inNamespace = v.snapshot().podsInNamespace("shop");
        List<Pod> byLabel = v.snapshot().selectPods("shop", LabelSelector.of("rev", gens.get(0)));
        if (inNamespace.size() != PODS || byLabel.size() != PODS || !byLabel.containsAll(inNamespace)) {
            return "view " + v.version() + ": " + inNamespace.size() + " pods in shop, " + byLabel.size()
                    + " found by their label " + gens.get(0);
        }
        return null;
    }

    private static List<String> generations(ClusterView v) {
        return v.snapshot().podsInNamespace("shop").stream().map(p -> p.labels().get("rev")).distinct().sorted().toList();
    }
}
