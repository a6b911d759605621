package dev.netfence.images;

import dev.netfence.lab.Lab;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The install bundle as `kubectl apply -k src/main/kubernetes` applies it: rendered with kubectl's kustomize. */
record InstallBundle(List<HasMetadata> objects) {
    static final Path DIRECTORY = BuiltImages.ROOT.resolve("src/main/kubernetes");

    static Optional<String> unavailableReason() {
        return Lab.findExecutable("kubectl").isPresent() ? Optional.empty()
                : Optional.of("kubectl is not installed (it renders the install bundle with kustomize; .ci/run installs kubernetes-client)");
    }

    static InstallBundle render() {
        String yaml = Command.run(List.of(Lab.findExecutable("kubectl").orElseThrow().toString(), "kustomize",
                DIRECTORY.toString()), Duration.ofMinutes(1));
        List<HasMetadata> objects = Serialization.unmarshal(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
        if (objects.size() == 1 && objects.get(0) instanceof KubernetesList list) {
            objects = list.getItems();
        }
        return new InstallBundle(objects);
    }

    <T extends HasMetadata> T object(Class<T> kind, String name) {
        return objects.stream().filter(kind::isInstance).map(kind::cast).filter(o -> o.getMetadata().getName().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("the install bundle has no " + kind.getSimpleName() + " " + name));
    }

    /** The pod template of the Deployment or DaemonSet {@code name}. */
    PodTemplateSpec podTemplate(String name) {
        for (HasMetadata o : objects) {
            if (o.getMetadata().getName().equals(name)) {
                if (o instanceof Deployment d) {
                    return d.getSpec().getTemplate();
                }
                if (o instanceof DaemonSet ds) {
                    return ds.getSpec().getTemplate();
                }
            }
        }
        throw new AssertionError("the install bundle has no Deployment or DaemonSet " + name);
    }

    ConfigMap configMap(String name) {
        return object(ConfigMap.class, name);
    }
}
