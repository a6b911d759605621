package dev.netfence.crds;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One part of a shared set of peer addresses (cluster-scoped), named as the compiler names the set
 * ({@code as-<hash>}). The operator deletes a set when no NodeRuleSet refers to it any more. A set too
 * large for one object (1 MiB) is split: part 0 is named after the set, part {@code i > 0}
 * {@code <set>-<i>}; every part carries the label {@code netfence.dev/address-set=<set>} and the
 * hash of the whole set's entries, so a reader never mixes parts of two versions of a set.
 */
@Group("netfence.dev")
@Version("v1alpha1")
@ShortNames("nas")
@AdditionalPrinterColumn(name = "Set", jsonPath = ".spec.set", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Part", jsonPath = ".spec.part", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Parts", jsonPath = ".spec.parts", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Entries", jsonPath = ".spec.size", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
// readers find part i of a set by name (AddressSetParts.partName): a part stored under another name is refused
@ValidationRule(value = "!has(self.spec) || self.metadata.name == (self.spec.part == 0 ? self.spec.set : self.spec.set + '-' + string(self.spec.part))",
        message = "metadata.name must be spec.set for part 0 and spec.set-<part> for the other parts")
public class AddressSet extends CustomResource<AddressSetSpec, Void> {

    /** Label on every part: the set the part belongs to. */
    public static final String SET_LABEL = "netfence.dev/address-set";

    @Override
    protected AddressSetSpec initSpec() {
        return new AddressSetSpec();
    }
}
