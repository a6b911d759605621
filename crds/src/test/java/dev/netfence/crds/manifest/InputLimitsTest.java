package dev.netfence.crds.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfence.policy.model.NetworkPolicy;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Input that would take minutes or gigabytes to refuse (the issue: a 20 MB single-document file took
 * 3 min 37 s to fail) is refused at once, naming the limit. The messages are asserted, not the time:
 * speed belongs in benchmarks.
 */
class InputLimitsTest {

    @Test
    void aFileOverTheSizeLimitIsRefusedBeforeItIsRead(@TempDir Path dir) throws IOException {
        Path big = dir.resolve("big.yaml");
        try (BufferedWriter w = Files.newBufferedWriter(big)) {
            w.write("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  blob: \"");
            String chunk = "x".repeat(1024);
            for (int i = 0; i < 20 * 1024; i++) {   // 20 MiB in one scalar of one document
                w.write(chunk);
            }
            w.write("\"\n");
        }
        assertThatThrownBy(() -> ManifestLoader.load(big))
                .isInstanceOfSatisfying(ManifestException.class, e -> assertThat(e.problems()).singleElement()
                        .hasToString(big + ": the file is 20.0 MiB, over the limit of 8.0 MiB for one manifest file "
                                + "(the API server takes at most 3 MiB per object): split it into several files"));
    }

    @Test
    void theSizeLimitIsAnOption(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, policy(0));
        LoadOptions small = new LoadOptions(false, 100, LoadOptions.DEFAULT_MAX_DEPTH);
        assertThatThrownBy(() -> ManifestLoader.load(small, List.of(file)))
                .hasMessageContaining("over the limit of 100 bytes for one manifest file");
    }

    @Test
    void aDocumentNestedTooDeeplyIsRefusedWithTheLimit(@TempDir Path dir) throws IOException {
        Path deep = dir.resolve("deep.yaml");
        StringBuilder y = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n");
        String indent = "  ";
        for (int i = 0; i < 100; i++) {
            y.append(indent).append("k").append(i).append(":\n");
            indent += "  ";
        }
        y.append(indent).append("leaf: 1\n");
        Files.writeString(deep, y);
        assertThatThrownBy(() -> ManifestLoader.load(deep))
                .isInstanceOfSatisfying(ManifestException.class, e -> assertThat(e.problems()).singleElement()
                        .hasToString(deep + ":70: document 1 nests deeper than the limit of 64 levels "
                                + "(Kubernetes objects need about 15)"));
        Path deepJson = dir.resolve("deep.json");
        Files.writeString(deepJson, "[".repeat(2000) + "]".repeat(2000));
        assertThatThrownBy(() -> ManifestLoader.load(deepJson))
                .hasMessageContaining("document 1 nests deeper than the limit of 64 levels");
    }

    @Test
    void aliasesAreRefusedAtTheFirstOne(@TempDir Path dir) throws IOException {
        // "billion laughs": each alias would multiply the document; the first one is refused
        Path bomb = dir.resolve("bomb.yaml");
        StringBuilder y = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n  a: &a [\"lol\"]\n");
        String previous = "a";
        for (int i = 0; i < 9; i++) {
            String name = "b" + i;
            y.append("  ").append(name).append(": &").append(name).append(" [*").append(previous).append(", *")
                    .append(previous).append("]\n");
            previous = name;
        }
        Files.writeString(bomb, y);
        assertThatThrownBy(() -> ManifestLoader.load(bomb))
                .isInstanceOfSatisfying(ManifestException.class, e -> assertThat(e.problems()).singleElement()
                        .hasToString(bomb + ":7: data.b0[0]: YAML aliases (*a) are not supported: write the value out"));
    }

    @Test
    void manyDocumentsUnderTheLimitAreReadOneAtATime(@TempDir Path dir) throws IOException {
        Path many = dir.resolve("many.yaml");
        int n = 5000;
        try (BufferedWriter w = Files.newBufferedWriter(many)) {
            for (int i = 0; i < n; i++) {
                w.write(policy(i));
                w.write("---\n");
            }
        }
        assertThat(Files.size(many)).isLessThan(LoadOptions.DEFAULT_MAX_FILE_BYTES).isGreaterThan(1024 * 1024);
        Manifests m = ManifestLoader.load(many);
        assertThat(m.objectsOf(NetworkPolicy.class)).hasSize(n);
        assertThat(m.objectsOf(NetworkPolicy.class).get(n - 1).line()).isEqualTo(1 + (n - 1) * 19);
    }

    private static String policy(int i) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: p%d
                  namespace: ns%d
                spec:
                  podSelector:
                    matchLabels:
                      app: a%d
                  ingress:
                    - from:
                        - podSelector:
                            matchLabels:
                              app: client
                      ports:
                        - protocol: TCP
                          port: 8080
                  policyTypes: [Ingress]
                """.formatted(i, i % 50, i);
    }
}
