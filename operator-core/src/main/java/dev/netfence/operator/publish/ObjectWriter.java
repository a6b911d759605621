package dev.netfence.operator.publish;

import dev.netfence.crds.AddressSet;
import dev.netfence.crds.NodeRuleSet;

/**
 * Where the publisher's writes go: the API server, or a counting writer in benchmarks. A write of an
 * existing object replaces its spec (the status belongs to the enforcer). Failures throw; the
 * worker retries the whole sync with backoff.
 */
public interface ObjectWriter {
    void write(NodeRuleSet ruleSet);

    void write(AddressSet part);

    void deleteNodeRuleSet(String name);

    void deleteAddressSet(String name);
}
