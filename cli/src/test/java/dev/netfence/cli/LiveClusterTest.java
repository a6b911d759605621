package dev.netfence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.cli.Netfence.Result;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.StatusBuilder;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --kubeconfig}/{@code --context}: the commands read the cluster from an API server, here
 * fabric8's mock API server in CRUD mode on loopback holding the objects of {@code samples/} (and
 * Netfence's CRDs, so the DefaultDeny is served), and answer exactly as they do on the files.
 * A kubeconfig is written for it as a user would have one; errors (unknown context, unreachable
 * server, forbidden) are one line without a stack trace.
 */
class LiveClusterTest {

    static KubernetesMockServer server;
    static Path kubeconfig;

    @BeforeAll
    static void startCluster(@TempDir Path dir) throws IOException {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(List.of()),
                false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        try (KubernetesClient client = server.createClient()) {
            // Netfence's CRDs, and the ClusterNetworkPolicy CRD generated from crds/' classes (users install upstream's)
            try (Stream<Path> crds = Stream.concat(Files.list(Path.of("../crds")), Files.list(Path.of("../crds/target/test-crds")))) {
                for (Path f : crds.filter(p -> p.toString().endsWith(".yml")).sorted().toList()) {
                    try (InputStream in = Files.newInputStream(f)) {
                        client.resource(Serialization.unmarshal(in, CustomResourceDefinition.class)).create();
                    }
                }
            }
            try (Stream<Path> samples = Files.list(Path.of("../samples"))) {
                for (Path f : samples.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                    try (InputStream in = Files.newInputStream(f)) {
                        for (HasMetadata o : client.load(in).items()) {
                            client.resource(o).create();
                        }
                    }
                }
            }
        }
        kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, kubeconfig(server.url("/")));
    }

    /** Two contexts: {@code mock} (current) at the server, {@code gone} at a loopback port nothing listens on. */
    static String kubeconfig(String url) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster: {server: "%s"}
                - name: gone
                  cluster: {server: "http://127.0.0.1:9"}
                users:
                - name: dev
                  user: {token: secret-token}
                contexts:
                - name: mock
                  context: {cluster: mock, user: dev}
                - name: gone
                  context: {cluster: gone, user: dev}
                current-context: mock
                """.formatted(url);
    }

    @AfterAll
    static void stop() {
        server.destroy();
    }

    @Test
    void simulateOnTheClusterIsSimulateOnItsManifests() {
        Result live = Netfence.run("simulate", "--kubeconfig", kubeconfig.toString(), "--port", "80,5432");
        Result files = Netfence.run("simulate", "-f", "../samples", "--port", "80,5432");
        assertThat(live.exitCode()).isZero();
        assertThat(live.out()).isEqualTo(files.out()).contains("payments/db");
        assertThat(live.err()).isEmpty();
    }

    @Test
    void explainAndQueryTargetOnTheCluster() {
        String[] flow = {"--from", "shop/api", "--to", "payments/db", "--port", "5432"};
        Result live = Netfence.run(concat(new String[] {"explain", "--kubeconfig", kubeconfig.toString(), "--context", "mock"}, flow));
        Result files = Netfence.run(concat(new String[] {"explain", "-f", "../samples"}, flow));
        assertThat(live.exitCode()).isZero();
        assertThat(live.out()).isEqualTo(files.out()).contains("DefaultDeny payments/lockdown");

        Result query = Netfence.run("query-target", "--kubeconfig", kubeconfig.toString(), "payments/db");
        assertThat(query.out()).isEqualTo(Netfence.run("query-target", "-f", "../samples", "payments/db").out());
    }

    /** Issue 16: the cluster's ClusterNetworkPolicies are read too, so explain names the deciding tier as on the files. */
    @Test
    void clusterNetworkPoliciesOfTheClusterAreRead() throws IOException {
        List<HasMetadata> cnps = new java.util.ArrayList<>();
        try (KubernetesClient client = server.createClient(); Stream<Path> files = Files.list(Path.of("../cluster-policies"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(f)) {
                    for (HasMetadata o : client.load(in).items()) {
                        cnps.add(client.resource(o).create());
                    }
                }
            }
            try {
                String[] flow = {"--from", "monitoring/prometheus", "--to", "shop/web", "--port", "80"};
                Result live = Netfence.run(concat(new String[] {"explain", "--kubeconfig", kubeconfig.toString()}, flow));
                Result fromFiles = Netfence.run(concat(new String[] {"explain", "-f", "../samples", "-f", "../cluster-policies"}, flow));
                assertThat(live.exitCode()).isEqualTo(fromFiles.exitCode());
                assertThat(live.out()).isEqualTo(fromFiles.out()).contains("ClusterNetworkPolicy");
            } finally {
                cnps.forEach(o -> client.resource(o).delete());
            }
        }
    }

    @Test
    void theKubeconfigIsFoundAsFabric8AndKubectlFindIt() {
        // no --kubeconfig: the files of KUBECONFIG, or of the kubeconfig system property fabric8 reads in its place
        String before = System.getProperty("kubeconfig");
        System.setProperty("kubeconfig", kubeconfig.toString());
        try {
            Result r = Netfence.run("simulate", "--context", "mock", "--port", "80");
            assertThat(r.exitCode()).isZero();
            assertThat(r.out()).isEqualTo(Netfence.run("simulate", "-f", "../samples", "--port", "80").out());
        } finally {
            if (before == null) {
                System.clearProperty("kubeconfig");
            } else {
                System.setProperty("kubeconfig", before);
            }
        }
    }

    @Test
    void lintReadsTheClustersPoliciesOrTakesItsPodsForTheFiles() {
        Result own = Netfence.run("lint", "--kubeconfig", kubeconfig.toString());
        Result files = Netfence.run("lint", "-f", "../samples");
        assertThat(own.exitCode()).isEqualTo(files.exitCode());
        // the same findings, located at the cluster instead of a file
        assertThat(own.out().lines().filter(l -> l.contains(" error ") || l.contains(" warning ")).map(l -> l.substring(l.indexOf(' ')))
                .toList()).isEqualTo(files.out().lines().filter(l -> l.contains(" error ") || l.contains(" warning "))
                .map(l -> l.substring(l.indexOf(' '))).toList());

        // a policy-only repository against the cluster's pods: the rules that need pods run
        Result policies = Netfence.run("lint", "-f", "../samples/20-shop-policies.yaml", "--kubeconfig", kubeconfig.toString());
        assertThat(policies.err()).doesNotContain("no pods in the input");
    }

    @Test
    void anUnknownContextNamesTheContextsThereAre() {
        Result r = Netfence.run("simulate", "--kubeconfig", kubeconfig.toString(), "--context", "prod", "--port", "80");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: --context prod: no such context in kubeconfig " + kubeconfig + "; contexts: mock, gone\n");
    }

    @Test
    void anUnreachableServerIsOneLine() {
        Result r = Netfence.run("simulate", "--kubeconfig", kubeconfig.toString(), "--context", "gone", "--port", "80");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: cannot reach the API server of context gone at http://127.0.0.1:9/: ")
                .doesNotContain("Exception").doesNotContain("\tat ").hasLineCount(1);
    }

    @Test
    void aMissingKubeconfigOrBothSourcesAreUserErrors() {
        Result r = Netfence.run("simulate", "--kubeconfig", "no/such/kubeconfig", "--port", "80");
        assertThat(r.err()).isEqualTo("error: --kubeconfig no/such/kubeconfig: no such file\n");
        Result both = Netfence.run("simulate", "-f", "../samples", "--kubeconfig", kubeconfig.toString(), "--port", "80");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).isEqualTo("error: -f and --kubeconfig/--context both given: read the cluster from one of them\n");
    }

    /**
     * RBAC: a user who may not list pods cluster-wide. The CRUD server answers every list, so this one
     * case uses the mock server's expectation mode, answering 403 as the API server does.
     */
    @Test
    void aForbiddenListSaysWhatIsNeeded(@TempDir Path dir) throws IOException {
        KubernetesMockServer forbidding = new KubernetesMockServer(false);
        forbidding.init(InetAddress.getLoopbackAddress(), 0);
        try {
            forbidding.expect().get().withPath("/api/v1/namespaces").andReturn(403, new StatusBuilder().withCode(403)
                    .withReason("Forbidden").withMessage("namespaces is forbidden: User \"dev\" cannot list resource \"namespaces\"")
                    .build()).always();
            Path config = dir.resolve("kubeconfig");
            Files.writeString(config, kubeconfig(forbidding.url("/")));
            Result r = Netfence.run("query-target", "--kubeconfig", config.toString(), "shop/web");
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.err()).isEqualTo("error: cluster mock (" + forbidding.url("/") + "): forbidden to list namespaces in all "
                    + "namespaces: netfence needs get/list on namespaces, pods and networkpolicies cluster-wide (check with: "
                    + "kubectl auth can-i list namespaces --all-namespaces --context mock)\n");
        } finally {
            forbidding.destroy();
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
