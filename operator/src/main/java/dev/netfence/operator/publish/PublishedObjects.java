package dev.netfence.operator.publish;

import dev.netfence.crds.AddressSetSpec;
import java.util.Collection;

/** What is published now (from the operator's own informers): compared with the compiled output, it tells what to write. */
public interface PublishedObjects {

    /** {@code spec.contentHash} of the NodeRuleSet with this name, or null when there is none. */
    String nodeRuleSetHash(String name);

    Collection<String> nodeRuleSetNames();

    /** The spec of the AddressSet object (part) with this name, or null. */
    AddressSetSpec addressSetPart(String name);

    Collection<String> addressSetNames();
}
