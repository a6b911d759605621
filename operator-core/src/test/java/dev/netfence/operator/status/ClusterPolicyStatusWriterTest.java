package dev.netfence.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.crds.Condition;
import dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy;
import dev.netfence.crds.clusterpolicy.ClusterNetworkPolicyStatus;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Status writes of ClusterNetworkPolicies against the mock API server (CRUD mode, the CRD generated
 * from crds/' classes, with its status subresource): through {@code /status} only, once per change,
 * not again when nothing changed nor when the informer has not delivered the write yet, and a
 * 409 Conflict is retried from a fresh read that keeps what the other writer wrote.
 */
@EnableKubernetesMockClient(crud = true)
class ClusterPolicyStatusWriterTest {

    KubernetesClient client;
    KubernetesMockServer server;
    ClusterPolicyStatusWriter writer;

    static CustomResourceDefinition crd(KubernetesClient client) throws Exception {
        try (InputStream in = Files.newInputStream(Path.of("..", "crds", "target", "test-crds",
                "clusternetworkpolicies.policy.networking.k8s.io-v1.yml"))) {
            return client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        client.resource(crd(client)).create();
        client.resource(client.getKubernetesSerialization().unmarshal("""
                apiVersion: policy.networking.k8s.io/v1beta1
                kind: ClusterNetworkPolicy
                metadata:
                  name: guard
                spec:
                  tier: Admin
                  priority: 10
                  subject:
                    namespaces: {}
                  egress:
                    - action: Deny
                      to:
                        - networks: ["169.254.169.254/32"]
                """, ClusterNetworkPolicy.class)).create();
        writer = new ClusterPolicyStatusWriter(client);
        drain();
    }

    @AfterEach
    void close() {
        writer.close();
    }

    private ClusterNetworkPolicy read() {
        return client.resources(ClusterNetworkPolicy.class).withName("guard").get();
    }

    /** What the reporter wants: Accepted at the object's generation, Enforced with {@code reason}. */
    private static Function<ClusterNetworkPolicy, ClusterNetworkPolicyStatus> wanting(String enforced) {
        return o -> {
            ClusterNetworkPolicyStatus s = new ClusterNetworkPolicyStatus();
            long g = o.getMetadata().getGeneration();
            s.conditions = List.of(new Condition(ClusterPolicyConditions.ACCEPTED, "True", "Accepted", "valid", "t", g),
                    new Condition(ClusterPolicyConditions.ENFORCED, "False", enforced, enforced, "t", g));
            return s;
        };
    }

    private List<String> writes() throws InterruptedException {
        List<String> out = new ArrayList<>();
        for (RecordedRequest r : drain()) {
            if (!r.getMethod().equals("GET")) {
                out.add(r.getMethod() + " " + r.getPath());
            }
        }
        return out;
    }

    private List<RecordedRequest> drain() throws InterruptedException {
        List<RecordedRequest> out = new ArrayList<>();
        RecordedRequest r;
        while ((r = server.takeRequest(50, TimeUnit.MILLISECONDS)) != null) {
            out.add(r);
        }
        return out;
    }

    @Test
    void writesThroughTheStatusSubresourceOnlyWhenTheContentChanges() throws Exception {
        ClusterNetworkPolicy before = read();
        assertThat(writer.update(List.of(before), wanting("Pending"))).isEqualTo(1);
        assertThat(writes()).containsExactly("PUT /apis/policy.networking.k8s.io/v1beta1/clusternetworkpolicies/guard/status");
        ClusterNetworkPolicy after = read();
        assertThat(after.getStatus().conditions).extracting(c -> c.type + "=" + c.reason)
                .containsExactly("Accepted=Accepted", "netfence.dev/Enforced=Pending");
        assertThat(after.getSpec().priority).isEqualTo(10);
        assertThat(after.getMetadata().getGeneration()).as("a status write is no spec change")
                .isEqualTo(before.getMetadata().getGeneration());

        // the same content again: from the fresh object, and from the stale one a lagging informer still holds
        assertThat(writer.update(List.of(after), wanting("Pending"))).isZero();
        assertThat(writer.update(List.of(before), wanting("Pending"))).isZero();
        assertThat(writes()).isEmpty();

        // new content: one more write
        assertThat(writer.update(List.of(after), wanting("Enforced"))).isEqualTo(1);
        assertThat(writes()).hasSize(1);
        assertThat(read().getStatus().conditions).extracting(c -> c.reason).containsExactly("Accepted", "Enforced");
        assertThat(writer.writes()).isEqualTo(2);
        assertThat(writer.conflicts()).isZero();
    }

    @Test
    void aConflictIsRetriedFromAFreshReadKeepingTheOtherWritersConditions() throws Exception {
        ClusterNetworkPolicy stale = read();
        // another writer (another implementation) sets its own condition after our read
        ClusterNetworkPolicy other = read();
        ClusterNetworkPolicyStatus theirs = new ClusterNetworkPolicyStatus();
        theirs.conditions = List.of(new Condition("example.com/Programmed", "True", "Programmed", "done", "t0", 1L));
        other.setStatus(theirs);
        client.resource(other).updateStatus();
        drain();
        // an API server answers a write carrying an older resourceVersion with 409 Conflict (the mock server in CRUD
        // mode does not compare versions on /status: the answer is set up, once)
        server.expect().put().withPath("/apis/policy.networking.k8s.io/v1beta1/clusternetworkpolicies/guard/status")
                .andReturn(409, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Conflict\","
                        + "\"message\":\"Operation cannot be fulfilled on clusternetworkpolicies.policy.networking.k8s.io "
                        + "\\\"guard\\\": the object has been modified; please apply your changes to the latest version and try again\","
                        + "\"code\":409}").once();

        assertThat(writer.update(List.of(stale), wanting("Pending"))).isEqualTo(1);
        assertThat(writer.conflicts()).isEqualTo(1);
        assertThat(writer.failures()).isZero();
        List<RecordedRequest> requests = drain();
        // each write carries the resourceVersion it was computed from (what makes the API server detect the conflict)
        assertThat(requests.get(0).getBody().readUtf8()).contains("\"resourceVersion\":\"" + stale.getMetadata().getResourceVersion() + "\"");
        assertThat(requests).extracting(r -> r.getMethod() + " " + r.getPath()).containsExactly(
                "PUT /apis/policy.networking.k8s.io/v1beta1/clusternetworkpolicies/guard/status",
                "GET /apis/policy.networking.k8s.io/v1beta1/clusternetworkpolicies/guard",
                "PUT /apis/policy.networking.k8s.io/v1beta1/clusternetworkpolicies/guard/status");
        assertThat(read().getStatus().conditions).extracting(c -> c.type)
                .containsExactly("example.com/Programmed", "Accepted", "netfence.dev/Enforced");
    }

    @Test
    void aDeletedPolicyIsNoFailure() throws Exception {
        ClusterNetworkPolicy gone = read();
        client.resources(ClusterNetworkPolicy.class).withName("guard").delete();
        assertThat(writer.update(List.of(gone), wanting("Pending"))).isZero();
        assertThat(writer.failures()).isZero();
    }
}
