package dev.netfence.enforcer.kube;

import dev.netfence.crds.AddressSet;
import dev.netfence.crds.NodeRuleSet;
import dev.netfence.crds.ruleset.AddressSetParts;
import dev.netfence.crds.ruleset.InvalidRuleSetException;
import dev.netfence.crds.ruleset.NodeRuleSetConverter;
import dev.netfence.enforcer.source.RuleSetSource;
import dev.netfence.enforcer.source.RuleSetSourceException;
import dev.netfence.policy.compile.ResolvedRuleSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's rule set from the API server: an informer on this node's NodeRuleSet (by name) and one
 * on the AddressSets, assembled into a {@link ResolvedRuleSet} when the loop asks. Nothing published
 * for the node means "leave the node as it is"; a referenced AddressSet that is missing or only
 * partly written is an error the loop retries (the operator writes address sets before the rule
 * sets that refer to them, so this only lasts while an informer catches up).
 *
 * <p>Every enforcer watches all AddressSets: simple and one watch per node; at the scale limits that
 * is a few tens of MB per node. Watching only the referenced sets (by label) is the next step if
 * that matters.
 */
public final class KubernetesRuleSetSource implements RuleSetSource {

    private final String node;
    private final SharedIndexInformer<NodeRuleSet> ruleSet;
    private final SharedIndexInformer<AddressSet> addressSets;
    /** The NodeRuleSet content hash of each rule set handed out, by the resolved rule set's hash. */
    private final Map<String, String> ruleSetHashes = new ConcurrentHashMap<>();
    private String cacheKey;
    private Optional<ResolvedRuleSet> cached = Optional.empty();

    public KubernetesRuleSetSource(KubernetesClient client, String node) {
        this.node = node;
        this.ruleSet = client.resources(NodeRuleSet.class).withName(node).inform();
        this.addressSets = client.resources(AddressSet.class).inform();
    }

    @Override
    public synchronized Optional<ResolvedRuleSet> current() {
        if (!ruleSet.hasSynced() || !addressSets.hasSynced()) {
            throw new RuleSetSourceException("waiting for the NodeRuleSet and AddressSet informers to sync");
        }
        NodeRuleSet resource = ruleSet.getStore().getByKey(node);
        if (resource == null) {
            cacheKey = null;
            cached = Optional.empty();
            return cached;
        }
        List<String> setNames = resource.getSpec() == null || resource.getSpec().addressSets == null ? List.of()
                : resource.getSpec().addressSets;
        StringBuilder key = new StringBuilder(resource.getMetadata().getResourceVersion());
        List<List<AddressSet>> parts = new ArrayList<>();
        for (String name : setNames) {
            List<AddressSet> p = parts(name);
            p.forEach(a -> key.append(',').append(a.getMetadata().getResourceVersion()));
            parts.add(p);
        }
        if (key.toString().equals(cacheKey)) {
            return cached;
        }
        try {
            var model = NodeRuleSetConverter.toModel(resource);
            List<dev.netfence.policy.compile.AddressSet> sets = new ArrayList<>();
            for (int i = 0; i < setNames.size(); i++) {
                sets.add(AddressSetParts.join(setNames.get(i), parts.get(i)));
            }
            ResolvedRuleSet resolved = new ResolvedRuleSet(model, sets);
            ruleSetHashes.put(resolved.contentHash(), resource.getSpec().contentHash);
            cacheKey = key.toString();
            cached = Optional.of(resolved);
            return cached;
        } catch (InvalidRuleSetException e) {
            throw new RuleSetSourceException(e.getMessage());
        }
    }

    private List<AddressSet> parts(String set) {
        AddressSet first = addressSets.getStore().getByKey(set);
        if (first == null || first.getSpec() == null || first.getSpec().parts == null) {
            throw new RuleSetSourceException("NodeRuleSet " + node + ": field spec.addressSets names AddressSet " + set
                    + ", which does not exist (yet): the operator writes it before the rule set; retrying");
        }
        List<AddressSet> out = new ArrayList<>(List.of(first));
        for (int i = 1; i < first.getSpec().parts; i++) {
            AddressSet part = addressSets.getStore().getByKey(AddressSetParts.partName(set, i));
            if (part == null) {
                throw new RuleSetSourceException("AddressSet " + set + ": part " + i + " of " + first.getSpec().parts
                        + " (" + AddressSetParts.partName(set, i) + ") does not exist (yet); retrying");
            }
            out.add(part);
        }
        return out;
    }

    /** The NodeRuleSet {@code spec.contentHash} of the rule set with this resolved hash (as handed out), or null. */
    public String ruleSetHash(String resolvedHash) {
        return resolvedHash == null ? null : ruleSetHashes.get(resolvedHash);
    }

    /** This node's NodeRuleSet as the informer has it, or null. */
    public NodeRuleSet published() {
        return ruleSet.getStore().getByKey(node);
    }

    public void close() {
        ruleSet.stop();
        addressSets.stop();
    }

    @Override
    public String describe() {
        return "NodeRuleSet " + node + " and its AddressSets (netfence.dev/v1alpha1)";
    }
}
