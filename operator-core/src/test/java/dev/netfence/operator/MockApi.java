package dev.netfence.operator;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * fabric8's mock API server in CRUD mode on loopback, with Netfence's CRDs, that records every
 * write it receives (method and path: the request log the tests count) and can answer chosen writes
 * with an error, as an API server does when an admission webhook with {@code failurePolicy: Fail}
 * is unreachable.
 */
final class MockApi implements AutoCloseable {

    /** One write the server received. */
    record Write(String method, String path) {
        boolean isLease() {
            return path.contains("/leases");
        }
    }

    private final List<Write> writes = new CopyOnWriteArrayList<>();
    private volatile Predicate<RecordedRequest> refuse = r -> false;
    private final KubernetesMockServer server;
    private final KubernetesClient client;

    MockApi() {
        KubernetesCrudDispatcher dispatcher = new KubernetesCrudDispatcher(List.of()) {
            @Override
            public MockResponse handleCreate(RecordedRequest request) {
                return record(request, () -> super.handleCreate(request));
            }

            @Override
            public MockResponse handleUpdate(RecordedRequest request) {
                return record(request, () -> super.handleUpdate(request));
            }

            @Override
            public MockResponse handlePatch(RecordedRequest request) {
                return record(request, () -> super.handlePatch(request));
            }

            @Override
            public MockResponse handleDelete(String path) {
                writes.add(new Write("DELETE", path));
                return super.handleDelete(path);
            }
        };
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
        installCrds();
    }

    private MockResponse record(RecordedRequest request, java.util.function.Supplier<MockResponse> handle) {
        writes.add(new Write(request.getMethod(), request.getPath()));
        if (refuse.test(request)) {
            return new MockResponse().setResponseCode(500).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                    + "\"message\":\"Internal error occurred: failed calling webhook \\\"policies.netfence.dev\\\": connection refused\","
                    + "\"reason\":\"InternalError\",\"code\":500}");
        }
        return handle.get();
    }

    private void installCrds() {
        for (String f : List.of("noderulesets.netfence.dev-v1.yml", "addresssets.netfence.dev-v1.yml",
                "defaultdenies.netfence.dev-v1.yml")) {
            try (InputStream in = Files.newInputStream(Path.of("..", "crds", f))) {
                client.resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class)).create();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    KubernetesClient client() {
        return client;
    }

    /** Writes received so far, Lease renewals (leader election) included. */
    List<Write> writes() {
        return List.copyOf(writes);
    }

    /** Answer the writes matching {@code which} with 500, as the API server does when a failing webhook must be called. */
    void refuse(Predicate<RecordedRequest> which) {
        refuse = which;
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
