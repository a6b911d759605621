package dev.netfence.cluster;

import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CRDs generated from crds/' classes for the mock API server. Only tests use them: the
 * ClusterNetworkPolicy CRD users install is upstream's (kubernetes-sigs/network-policy-api).
 */
final class TestCrds {

    private TestCrds() {
    }

    static CustomResourceDefinition generate(Class<? extends HasMetadata> type, String crdName) {
        try {
            Path dir = Files.createTempDirectory("nf-crds-");
            new CRDGenerator().customResourceClasses(type).forCRDVersions("v1").inOutputDir(dir.toFile()).generate();
            Path file = dir.resolve(crdName + "-v1.yml");
            try (InputStream in = Files.newInputStream(file)) {
                return Serialization.unmarshal(in, CustomResourceDefinition.class);
            } finally {
                try (var files = Files.list(dir)) {
                    files.forEach(f -> f.toFile().delete());
                }
                Files.delete(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
