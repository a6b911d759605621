package dev.netfence.cli.demo;

import dev.netfence.cli.UserInputException;
import dev.netfence.crds.manifest.ManifestLoader;
import dev.netfence.crds.manifest.ManifestObject;
import dev.netfence.crds.manifest.Manifests;
import dev.netfence.policy.analysis.PolicyObject;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.NetworkPolicy;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The demo's manifests, one group of files per step, told apart by the first digit of the file name
 * (so {@code kubectl apply -f} on the directory applies them in the same order):
 * {@code 0*} the cluster (namespaces, nodes, pods), {@code 1*} the DefaultDenies, {@code 2*} the
 * policies that open the shop, {@code 3*} the change the webhook refuses.
 */
record DemoManifests(Path directory, Manifests cluster, Manifests defaultDenies, Manifests policies, Manifests refused) {

    static DemoManifests load(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new UserInputException("no demo manifests at " + directory + ": run from the repository root, "
                    + "or point --manifests at the demo/ directory of a Netfence checkout");
        }
        return new DemoManifests(directory, group(directory, '0'), group(directory, '1'), group(directory, '2'),
                group(directory, '3'));
    }

    private static Manifests group(Path directory, char step) {
        List<Path> files;
        try (Stream<Path> list = Files.list(directory)) {
            files = list.filter(p -> {
                String name = p.getFileName().toString();
                return name.charAt(0) == step && (name.endsWith(".yaml") || name.endsWith(".yml"));
            }).sorted().toList();
        } catch (IOException e) {
            throw new UserInputException("cannot list " + directory + ": " + e.getMessage());
        }
        if (files.isEmpty()) {
            throw new UserInputException(directory + ": no " + step + "*.yaml file; the demo needs 0* (cluster), "
                    + "1* (DefaultDenies), 2* (policies) and 3* (the refused change)");
        }
        return ManifestLoader.load(files);
    }

    /** Step 1: the cluster without any policy. */
    ClusterSnapshot bare() {
        return cluster.snapshot();
    }

    /** Step 2: the cluster with the DefaultDenies. */
    ClusterSnapshot denied() {
        return with(bare(), defaultDenies);
    }

    /** Step 3: the DefaultDenies and the policies that open the shop. */
    ClusterSnapshot opened() {
        return with(denied(), policies);
    }

    static ClusterSnapshot with(ClusterSnapshot base, Manifests added) {
        ClusterSnapshot.Builder b = base.toBuilder();
        for (PolicyObject o : policyObjects(added)) {
            o.addTo(b);
        }
        return b.build();
    }

    /** The NetworkPolicies and DefaultDenies of a group, in file order. */
    static List<PolicyObject> policyObjects(Manifests manifests) {
        List<PolicyObject> out = new ArrayList<>();
        for (ManifestObject o : manifests.objects()) {
            if (o.model() instanceof NetworkPolicy np) {
                out.add(PolicyObject.of(np));
            } else if (o.model() instanceof DefaultDeny dd) {
                Map<String, String> annotations = o.resource().getMetadata().getAnnotations();
                out.add(PolicyObject.of(dd, annotations));
            }
        }
        return out;
    }

    /** The objects of a group as a user applies them, in file order. */
    static List<HasMetadata> resources(Manifests m) {
        return m.objects().stream().map(ManifestObject::resource).toList();
    }

    List<Path> files(Manifests m) {
        return m.objects().stream().map(ManifestObject::file).distinct().toList();
    }
}
