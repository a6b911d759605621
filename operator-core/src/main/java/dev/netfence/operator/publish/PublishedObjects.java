package dev.netfence.operator.publish;

import dev.netfence.crds.AddressSetSpec;
import java.util.Collection;

/** What is published now (from the operator's own informers): compared with the compiled output, it tells what to write. */
public interface PublishedObjects {

    /**
     * The content hash of the NodeRuleSet with this name as it is stored, computed from its content
     * (never taken from its own {@code spec.contentHash}, which anyone who edits the object can leave
     * unchanged); null when there is none, or when its {@code spec.contentHash} does not match its
     * content (so it is rewritten either way).
     */
    String nodeRuleSetHash(String name);

    Collection<String> nodeRuleSetNames();

    /** The spec of the AddressSet object (part) with this name, or null. */
    AddressSetSpec addressSetPart(String name);

    Collection<String> addressSetNames();
}
