package dev.netfence.cli.demo;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.stream.Stream;

/**
 * A Kubernetes API for the demo: fabric8's mock API server in CRUD mode (objects are stored, listed,
 * watched, updated and deleted as a real API server would; no admission, no controllers), listening
 * on loopback only, with Netfence's CRDs installed from {@code crds/*.yml}. There is no
 * kube-apiserver binary on the machines this runs on.
 */
final class EmbeddedApiServer implements AutoCloseable {

    private final KubernetesMockServer server;
    private final KubernetesClient client;

    private EmbeddedApiServer(KubernetesMockServer server, KubernetesClient client) {
        this.server = server;
        this.client = client;
    }

    /** Starts the server on a free loopback port and installs the CRDs found in {@code crdDirectory}. */
    static EmbeddedApiServer start(Path crdDirectory) {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(List.of()), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        KubernetesClient client = server.createClient();
        EmbeddedApiServer api = new EmbeddedApiServer(server, client);
        try {
            api.installCrds(crdDirectory);
            return api;
        } catch (RuntimeException e) {
            api.close();
            throw e;
        }
    }

    private void installCrds(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".yml")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(f)) {
                    client.resource(Serialization.unmarshal(in, CustomResourceDefinition.class)).create();
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the CRDs in " + directory + ": " + e.getMessage(), e);
        }
    }

    /** Creates the object, or replaces it when it exists (what {@code kubectl apply} amounts to here). */
    void apply(HasMetadata object) {
        client.resource(object).createOr(existing -> existing.update());
    }

    KubernetesClient client() {
        return client;
    }

    /** {@code http://localhost:PORT/} (the server listens on loopback only): where a child process would point its client. */
    String url() {
        return client.getConfiguration().getMasterUrl();
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
