package dev.netfence.crds.manifest;

import dev.netfence.crds.adapter.InvalidFieldException;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.ObjectRef;
import dev.netfence.policy.validate.PolicyValidator;
import dev.netfence.policy.validate.ValidationError;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Objects read from a live cluster's API, as {@link Manifests}, so that every command works the
 * same on files and on a cluster. They go through the same translation as manifest files
 * ({@code ModelAdapter}, the one the informers of {@code cluster/} use, and {@code PolicyValidator});
 * the API server has validated them already (strict fields, types), so an object the engine cannot
 * use is left out with a note, as {@code ClusterModel} keeps refused objects out, instead of failing
 * the command. {@code origin} (e.g. {@code cluster kind-dev}) stands where a file name would.
 */
public final class ApiObjects {

    private ApiObjects() {
    }

    public static Manifests of(String origin, Collection<? extends HasMetadata> resources) {
        Path where = Path.of(origin);
        FieldLines noLines = new FieldLines(Map.of(), "");
        List<ManifestObject> objects = new ArrayList<>();
        List<ManifestNote> notes = new ArrayList<>();
        for (HasMetadata r : resources) {
            Optional<SupportedKind> kind = Arrays.stream(SupportedKind.values()).filter(k -> k.resourceType.isInstance(r)).findFirst();
            if (kind.isEmpty()) {
                continue;
            }
            SupportedKind k = kind.get();
            String ns = k.namespaced ? (r.getMetadata().getNamespace() == null ? "default" : r.getMetadata().getNamespace()) : null;
            ObjectRef ref = new ObjectRef(k.kind, ns, r.getMetadata().getName());
            try {
                Object model = k.toModel.apply(r);
                List<ValidationError> errors = model instanceof NetworkPolicy np ? PolicyValidator.validate(np)
                        : model instanceof DefaultDeny dd ? PolicyValidator.validate(dd)
                        : model instanceof dev.netfence.policy.model.ClusterNetworkPolicy cnp
                                ? dev.netfence.policy.validate.ClusterPolicyValidator.validate(cnp) : List.of();
                if (!errors.isEmpty()) {
                    ValidationError e = errors.get(0);
                    notes.add(new ManifestNote(where, 0, "left out " + ref + ": " + e.fieldPath() + ": " + e.message()));
                    continue;
                }
                objects.add(new ManifestObject(where, 0, ref, r, model, noLines));
            } catch (InvalidFieldException e) {
                notes.add(new ManifestNote(where, 0, "left out " + ref + ": " + e.fieldPath() + ": " + e.getMessage()));
            } catch (IllegalArgumentException e) {
                notes.add(new ManifestNote(where, 0, "left out " + ref + ": " + e.getMessage()));
            }
        }
        return new Manifests(objects, notes);
    }
}
