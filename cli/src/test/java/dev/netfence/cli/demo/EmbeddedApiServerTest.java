package dev.netfence.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.crds.DefaultDeny;
import dev.netfence.crds.manifest.ManifestObject;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The demo's API server stores the demo's objects as a real one would, custom resources included. */
class EmbeddedApiServerTest {

    @Test
    void storesTheDemoObjectsWithTheirStatusAndServesTheCustomResources() {
        DemoManifests demo = DemoManifests.load(Path.of("../demo"));
        try (EmbeddedApiServer api = EmbeddedApiServer.start(Path.of("../crds"))) {
            assertThat(api.url()).startsWith("http://localhost:");
            for (var group : java.util.List.of(demo.cluster(), demo.defaultDenies())) {
                group.objects().stream().map(ManifestObject::resource).forEach(api::apply);
            }

            Pod db = api.client().pods().inNamespace("shop-data").withName("db").get();
            assertThat(db.getStatus().getPodIP()).isEqualTo("10.244.2.30");
            assertThat(db.getSpec().getNodeName()).isEqualTo("node-2");
            assertThat(api.client().nodes().list().getItems()).hasSize(2);
            assertThat(api.client().resources(DefaultDeny.class).inAnyNamespace().list().getItems())
                    .extracting(d -> d.getMetadata().getNamespace()).containsExactlyInAnyOrder("shop", "shop-data");

            // applying again replaces, as kubectl apply would
            demo.refused().objects().stream().map(ManifestObject::resource).forEach(api::apply);
            assertThat(api.client().resources(DefaultDeny.class).inNamespace("shop").withName("default-deny").get()
                    .getSpec().allowDNS).isFalse();
        }
    }
}
