package dev.netfence.webhook.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.crud.CrudDispatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's indexed mock API server answers exactly as fabric8's own CRUD dispatcher: the
 * same script of creates (and a conflicting one), gets by name (and a missing one), edits, lists
 * by namespace and label, a watch, a delete, against both; what the client sees must be equal.
 */
class IndexedCrudDispatcherIT {

    @Test
    void answersAsTheStockDispatcherDoes() {
        List<String> stock = script(KubernetesCrudDispatcher::new);
        List<String> indexed = script(IndexedCrudDispatcher::new);
        assertThat(indexed).isEqualTo(stock);
        assertThat(indexed).contains("conflict 409", "missing 404", "edited r2 rv changed", "watch MODIFIED web-1 r3",
                "after delete 404");
    }

    private static Pod pod(String ns, String name, String app) {
        return AdmissionLoadBenchmark.pod(ns, name, "10.1.0." + (name.hashCode() & 0x7f), Map.of("app", app));
    }

    private static List<String> script(Supplier<? extends CrudDispatcher> dispatcher) {
        KubernetesMockServer api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                dispatcher.get(), false);
        api.init();
        List<String> seen = new ArrayList<>();
        try (NamespacedKubernetesClient client = api.createClient()) {
            for (String ns : List.of("a", "b")) {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
            }
            client.resource(pod("a", "web-1", "web")).create();
            client.resource(pod("a", "web-2", "web")).create();
            client.resource(pod("a", "db-1", "db")).create();
            client.resource(pod("b", "web-1", "web")).create();   // the same name in another namespace
            try {
                client.resource(pod("a", "web-1", "web")).create();
                seen.add("conflict none");
            } catch (KubernetesClientException e) {
                seen.add("conflict " + e.getCode());
            }
            Pod got = client.pods().inNamespace("a").withName("web-1").get();
            seen.add("get " + got.getMetadata().getNamespace() + "/" + got.getMetadata().getName() + " "
                    + got.getMetadata().getLabels());
            seen.add("missing " + (client.pods().inNamespace("a").withName("nope").get() == null ? 404 : 200));

            String rv = got.getMetadata().getResourceVersion();
            Pod edited = client.pods().inNamespace("a").withName("web-1")
                    .edit(p -> new PodBuilder(p).editMetadata().addToLabels("rev", "r2").endMetadata().build());
            seen.add("edited " + edited.getMetadata().getLabels().get("rev") + " rv "
                    + (rv.equals(edited.getMetadata().getResourceVersion()) ? "unchanged" : "changed"));
            seen.add("b/web-1 untouched " + client.pods().inNamespace("b").withName("web-1").get().getMetadata().getLabels());

            seen.add("list a " + names(client.pods().inNamespace("a").list().getItems()));
            seen.add("list app=web everywhere " + names(client.pods().inAnyNamespace().withLabel("app", "web").list().getItems()));

            List<String> events = Collections.synchronizedList(new ArrayList<>());
            try (Watch w = client.pods().inNamespace("a").watch(new Watcher<>() {
                @Override
                public void eventReceived(Action action, Pod p) {
                    events.add(action + " " + p.getMetadata().getName() + " " + p.getMetadata().getLabels().get("rev"));
                }

                @Override
                public void onClose(WatcherException cause) {
                }
            })) {
                client.pods().inNamespace("a").withName("web-1")
                        .edit(p -> new PodBuilder(p).editMetadata().addToLabels("rev", "r3").endMetadata().build());
                await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("MODIFIED web-1 r3"));
                seen.add("watch MODIFIED web-1 r3");
            }

            client.pods().inNamespace("a").withName("web-2").delete();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> client.pods().inNamespace("a").withName("web-2").get() == null);
            seen.add("after delete " + (client.pods().inNamespace("a").withName("web-2").get() == null ? 404 : 200));
            seen.add("list a after delete " + names(client.pods().inNamespace("a").list().getItems()));
            client.resource(pod("a", "web-2", "web")).create();   // created again under the same name
            seen.add("recreated " + client.pods().inNamespace("a").withName("web-2").get().getMetadata().getName());
        } finally {
            api.destroy();
        }
        return seen;
    }

    private static List<String> names(List<Pod> pods) {
        return pods.stream().map(p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName()).sorted().toList();
    }
}
