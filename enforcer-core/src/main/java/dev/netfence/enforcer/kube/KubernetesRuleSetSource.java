package dev.netfence.enforcer.kube;

import dev.netfence.crds.AddressSet;
import dev.netfence.crds.NodeRuleSet;
import dev.netfence.crds.ruleset.AddressSetParts;
import dev.netfence.crds.ruleset.InvalidRuleSetException;
import dev.netfence.crds.ruleset.NodeRuleSetConverter;
import dev.netfence.enforcer.source.RuleSetNotReadyException;
import dev.netfence.enforcer.source.RuleSetSource;
import dev.netfence.enforcer.source.RuleSetSourceException;
import dev.netfence.policy.compile.ResolvedRuleSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The node's rule set from the API server: an informer on this node's NodeRuleSet (by name, a
 * {@code metadata.name} field selector) and one per AddressSet it names (label selector
 * {@code netfence.dev/address-set=<name>}, which every part of a set carries), so a node never lists
 * or watches the sets of other nodes. Informers are added and stopped as {@code spec.addressSets}
 * changes (only when policies change: sets are named after the peer's definition, not its members).
 * One set-based selector ({@code in (...)}) would be one watch instead of one per set; it is not used
 * because fabric8's mock API server, which the tests run against, does not evaluate set-based
 * selectors, and a node names tens of sets, not thousands.
 *
 * <p>Every informer event only calls the listener (the loop coalesces and does the work on its own
 * thread). Nothing published for the node means "leave the node as it is". A referenced AddressSet
 * that is missing or only partly written is {@link RuleSetNotReadyException}, a wait: the operator
 * writes address sets before the rule sets that refer to them, so this lasts only until the
 * informer delivers them, and their arrival is an event.
 */
public final class KubernetesRuleSetSource implements RuleSetSource {

    private final KubernetesClient client;
    private final String node;
    private final SharedIndexInformer<NodeRuleSet> ruleSet;
    private volatile Runnable listener = () -> { };
    private final Map<String, SharedIndexInformer<AddressSet>> addressSets = new HashMap<>();
    private String cacheKey;
    private Optional<ResolvedRuleSet> cached = Optional.empty();

    public KubernetesRuleSetSource(KubernetesClient client, String node) {
        this.client = client;
        this.node = node;
        this.ruleSet = client.resources(NodeRuleSet.class).withName(node).inform(new Notify<>());
    }

    @Override
    public boolean onChange(Runnable listener) {
        this.listener = listener;
        return true;
    }

    @Override
    public synchronized Optional<ResolvedRuleSet> current() {
        if (!ruleSet.hasSynced()) {
            throw new RuleSetNotReadyException("waiting for the NodeRuleSet informer to list NodeRuleSet " + node);
        }
        NodeRuleSet resource = ruleSet.getStore().getByKey(node);
        if (resource == null) {
            cacheKey = null;
            cached = Optional.empty();
            return cached;
        }
        List<String> setNames = resource.getSpec() == null || resource.getSpec().addressSets == null ? List.of()
                : resource.getSpec().addressSets;
        watch(new TreeSet<>(setNames));
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
            cacheKey = key.toString();
            cached = Optional.of(resolved);
            return cached;
        } catch (InvalidRuleSetException | IllegalArgumentException e) {
            throw new RuleSetSourceException(e.getMessage());
        }
    }

    /**
     * Watches exactly {@code names}: informers for new names, stopped for names no longer listed. New
     * informers start without blocking (all lists run at once, not one after the other); until one has
     * listed its set is a wait, and the end of its list is an event.
     */
    private void watch(Set<String> names) {
        for (String name : names) {
            if (!addressSets.containsKey(name)) {
                SharedIndexInformer<AddressSet> informer = client.resources(AddressSet.class)
                        .withLabel(AddressSet.SET_LABEL, name).runnableInformer(0);
                informer.addEventHandler(new Notify<>());
                addressSets.put(name, informer);
                informer.start().whenComplete((ok, error) -> listener.run());
            }
        }
        addressSets.keySet().removeIf(name -> {
            if (names.contains(name)) {
                return false;
            }
            addressSets.get(name).stop();
            return true;
        });
    }

    private List<AddressSet> parts(String set) {
        SharedIndexInformer<AddressSet> informer = addressSets.get(set);
        if (!informer.hasSynced()) {
            throw new RuleSetNotReadyException("waiting for the informer of AddressSet " + set + " to list it");
        }
        AddressSet first = informer.getStore().getByKey(set);
        if (first == null || first.getSpec() == null || first.getSpec().parts == null) {
            throw new RuleSetNotReadyException("NodeRuleSet " + node + " names AddressSet " + set
                    + ", which is not written yet (the operator writes it before the rule set)");
        }
        List<AddressSet> out = new ArrayList<>(List.of(first));
        for (int i = 1; i < first.getSpec().parts; i++) {
            AddressSet part = informer.getStore().getByKey(AddressSetParts.partName(set, i));
            if (part == null) {
                throw new RuleSetNotReadyException("AddressSet " + set + ": part " + i + " of " + first.getSpec().parts
                        + " (" + AddressSetParts.partName(set, i) + ") is not written yet");
            }
            out.add(part);
        }
        return out;
    }

    /** This node's NodeRuleSet as the informer has it, or null. */
    public NodeRuleSet published() {
        return ruleSet.getStore().getByKey(node);
    }

    /** The AddressSet names the informer is restricted to (for tests). */
    public synchronized Set<String> watchedAddressSets() {
        return Set.copyOf(addressSets.keySet());
    }

    @Override
    public synchronized void close() {
        ruleSet.stop();
        addressSets.values().forEach(SharedIndexInformer::stop);
        addressSets.clear();
    }

    @Override
    public String describe() {
        return "NodeRuleSet " + node + " and the AddressSets it names (netfence.dev/v1alpha1)";
    }

    /** Informer events only wake the loop. */
    private final class Notify<T> implements ResourceEventHandler<T> {
        @Override
        public void onAdd(T obj) {
            listener.run();
        }

        @Override
        public void onUpdate(T oldObj, T newObj) {
            listener.run();
        }

        @Override
        public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            listener.run();
        }
    }
}
