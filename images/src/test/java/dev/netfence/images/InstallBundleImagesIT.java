package dev.netfence.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The rendered install bundle (`kubectl kustomize src/main/kubernetes`) refers to what the built
 * images have: each container's image is in the local store under exactly that name; the image's
 * user fits the security context (numeric and not 0 where runAsNonRoot, 0 for the enforcer whose
 * only capability is NET_ADMIN); every container port and every probe's port is a port the image
 * exposes; the entrypoint is the fast jar's; the OCI labels carry the version, the commit and the
 * source; the application sits in three layers on its base (libraries, Netfence modules, application).
 * The running tests (EnforcerImageIT, OperatorImageIT, WebhookImageIT) show the probes' paths answer.
 */
class InstallBundleImagesIT {
    static final List<String> WORKLOADS = List.of("netfence-operator", "netfence-enforcer", "netfence-webhook");

    @Test
    void theBundleRefersToImagesUsersPortsAndProbesTheBuiltImagesHave() throws Exception {
        assumeTrue(Podman.unavailableReason().isEmpty(), () -> "skipped: " + Podman.unavailableReason().orElse(""));
        assumeTrue(InstallBundle.unavailableReason().isEmpty(), () -> "skipped: " + InstallBundle.unavailableReason().orElse(""));
        BuiltImages.ensure();
        InstallBundle bundle = InstallBundle.render();
        // the project's version, as images/build reads it: the root pom's own <version>
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^  <version>(.*)</version>")
                .matcher(java.nio.file.Files.readString(BuiltImages.ROOT.resolve("pom.xml")));
        assertThat(m.find()).isTrue();
        String version = m.group(1);
        String revision = Command.run(List.of("git", "-C", BuiltImages.ROOT.toString(), "rev-parse", "HEAD"),
                java.time.Duration.ofSeconds(10)).strip();
        List<String> checked = new ArrayList<>();
        for (String workload : WORKLOADS) {
            PodSpec pod = bundle.podTemplate(workload).getSpec();
            for (Container c : pod.getContainers()) {
                BundleContainer container = new BundleContainer(bundle, workload, c.getName());
                String ref = c.getImage();
                assertThat(ref).as(workload).isEqualTo("ghcr.io/netfence/" + workload + ":" + version.replace("-SNAPSHOT", ""));
                assertThat(Podman.imageExists(ref)).as("image %s of %s is in the local store (images/build)", ref, workload).isTrue();
                JsonNode image = Podman.inspect(ref);
                JsonNode config = image.get("Config");

                String user = BundleContainer.user(image);
                assertThat(user).as(ref + " user").matches("[0-9]+:[0-9]+");
                boolean nonRoot = Boolean.TRUE.equals(pod.getSecurityContext().getRunAsNonRoot());
                List<String> added = c.getSecurityContext().getCapabilities().getAdd();
                if (workload.equals("netfence-enforcer")) {
                    assertThat(user).as(ref + ": root, so that NET_ADMIN from the runtime is effective").isEqualTo("0:0");
                    assertThat(added).containsExactly("NET_ADMIN");
                    assertThat(nonRoot).isFalse();
                } else {
                    assertThat(nonRoot).as(workload + " runAsNonRoot").isTrue();
                    assertThat(user).as(ref + ": a non-root uid").isNotEqualTo("0:0").startsWith("10001:");
                    assertThat(added).isEmpty();
                }
                assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
                assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
                assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
                assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");

                Set<String> exposed = new TreeSet<>();
                config.get("ExposedPorts").fieldNames().forEachRemaining(exposed::add);
                for (ContainerPort p : c.getPorts()) {
                    assertThat(exposed).as(ref + " exposes container port " + p.getName())
                            .contains(p.getContainerPort() + "/" + (p.getProtocol() == null ? "TCP" : p.getProtocol()).toLowerCase());
                }
                for (HTTPGetAction probe : List.of(container.readiness(), container.liveness())) {
                    assertThat(exposed).as(ref + " exposes the probe port").contains(container.port(probe.getPort()) + "/tcp");
                    assertThat(probe.getPath()).isIn("/q/health/ready", "/q/health/live");
                }

                List<String> entrypoint = new ArrayList<>();
                config.get("Entrypoint").forEach(e -> entrypoint.add(e.asText()));
                assertThat(entrypoint).isEqualTo(List.of("java", "-jar", "/deployments/quarkus-run.jar"));
                assertThat(c.getCommand()).isNullOrEmpty();

                Map<String, String> labels = new java.util.TreeMap<>();
                config.get("Labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
                assertThat(labels).containsEntry("org.opencontainers.image.version", version)
                        .containsEntry("org.opencontainers.image.revision", revision)
                        .containsEntry("org.opencontainers.image.title", workload)
                        .containsKey("org.opencontainers.image.source");

                List<String> history = new ArrayList<>();
                image.get("History").forEach(h -> history.add(h.path("created_by").asText()));
                assertThat(history.subList(history.size() - 3, history.size())).containsExactly(
                        "third-party libraries (lib/ of the fast jar)", "Netfence modules (lib/main/dev.netfence.*)",
                        "the application (quarkus-run.jar, app/, quarkus/)");
                checked.add(ref);
            }
        }
        assertThat(checked).hasSize(3);
    }
}
