package dev.netfence.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.netfence.lab.Lab;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The README's overlay that points the install bundle at another registry and tag (what
 * `kustomize edit set image` writes, as `images:` entries naming the bundle's image references):
 * rendered with kubectl's kustomize, every container refers to the new names, none to ghcr.io.
 */
class RetaggedBundleTest {
    @Test
    void anOverlayRetagsEveryImageOfTheBundle() throws Exception {
        assumeTrue(InstallBundle.unavailableReason().isEmpty(), () -> "skipped: " + InstallBundle.unavailableReason().orElse(""));
        // kustomize takes bases by relative path only: the overlay lives in this module's target/
        Path overlay = Files.createDirectories(Path.of("target", "retagged-overlay").toAbsolutePath());
        StringBuilder k = new StringBuilder("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- "
                + overlay.relativize(InstallBundle.DIRECTORY) + "\nimages:\n");
        for (String app : List.of("operator", "enforcer", "webhook")) {
            k.append("- name: ghcr.io/netfence/netfence-").append(app).append('\n')
                    .append("  newName: registry.example.com/platform/netfence-").append(app).append('\n')
                    .append("  newTag: 1.2.3-rc1\n");
        }
        Files.writeString(overlay.resolve("kustomization.yaml"), k.toString());
        String yaml = Command.run(List.of(Lab.findExecutable("kubectl").orElseThrow().toString(), "kustomize", overlay.toString()),
                Duration.ofMinutes(1));
        List<HasMetadata> objects = Serialization.unmarshal(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
        if (objects.size() == 1 && objects.get(0) instanceof KubernetesList list) {
            objects = list.getItems();
        }
        TreeSet<String> images = new TreeSet<>();
        for (HasMetadata o : objects) {
            if (o instanceof Deployment d) {
                d.getSpec().getTemplate().getSpec().getContainers().forEach(c -> images.add(c.getImage()));
            } else if (o instanceof DaemonSet ds) {
                ds.getSpec().getTemplate().getSpec().getContainers().forEach(c -> images.add(c.getImage()));
            }
        }
        assertThat(images).containsExactly("registry.example.com/platform/netfence-enforcer:1.2.3-rc1",
                "registry.example.com/platform/netfence-operator:1.2.3-rc1",
                "registry.example.com/platform/netfence-webhook:1.2.3-rc1");
    }
}
