package dev.netfence.images;

import dev.netfence.crds.manifest.ManifestLoader;
import dev.netfence.crds.manifest.ManifestObject;
import dev.netfence.crds.manifest.Manifests;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

/**
 * The API side of the image tests: fabric8's mock API server (CRUD mode, HTTPS on the machine's
 * loopback) with Netfence's CRDs and the demo's shop cluster, and the service account directory a
 * pod gets (token, namespace, the API server's CA certificate) so the applications configure their
 * Kubernetes client in-cluster, exactly as in a pod.
 */
final class MockCluster {
    static final Path DEMO = BuiltImages.ROOT.resolve("demo");
    /**
     * KUBERNETES_SERVICE_HOST of the containers: the mock server's self-signed certificate names only
     * CN=localhost (no subject alternative names), so the client must call it by that name; the
     * container's /etc/hosts (podman's) resolves it to 127.0.0.1, where the test's forward listens.
     */
    static final String API_HOST = "localhost";

    private MockCluster() {
    }

    static void installCrds(KubernetesClient client) throws IOException {
        try (Stream<Path> files = Files.list(BuiltImages.ROOT.resolve("crds"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith("-v1.yml")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(f)) {
                    client.resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class)).create();
                }
            }
        }
    }

    /** The demo's cluster (files 0*), DefaultDenies (1*) and policies (2*): the shop with its policies applied. */
    static Manifests demo() throws IOException {
        try (Stream<Path> files = Files.list(DEMO)) {
            return ManifestLoader.load(files.filter(p -> p.getFileName().toString().matches("[012].*\\.yaml")).sorted().toList());
        }
    }

    /** Creates the demo's objects in the mock API server, as `kubectl apply -f demo/` would. */
    static void createDemo(KubernetesClient client, Manifests demo) {
        for (ManifestObject o : demo.objects()) {
            client.resource(o.resource()).create();
        }
    }

    /** What the kubelet mounts at /var/run/secrets/kubernetes.io/serviceaccount, readable by any user (mode 0644). */
    static Path serviceAccount(Path dir, KubernetesMockServer server, String namespace) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("token"), "image-test-token");
        Files.writeString(dir.resolve("namespace"), namespace);
        Files.copy(Path.of(server.getSelfSignedCertificate().certificatePath()), dir.resolve("ca.crt"));
        for (String f : List.of("token", "namespace", "ca.crt")) {
            Files.setPosixFilePermissions(dir.resolve(f), PosixFilePermissions.fromString("rw-r--r--"));
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }
}
