package dev.netfence.operator.cluster;

import dev.netfence.crds.AddressSet;
import dev.netfence.crds.AddressSetSpec;
import dev.netfence.crds.DefaultDeny;
import dev.netfence.crds.NodeRuleSet;
import dev.netfence.crds.adapter.InvalidFieldException;
import dev.netfence.crds.adapter.ModelAdapter;
import dev.netfence.operator.publish.PublishedObjects;
import dev.netfence.policy.validate.PolicyValidator;
import dev.netfence.policy.validate.ValidationError;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.ReducedStateItemStore;
import io.fabric8.kubernetes.client.informers.cache.Store;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The operator's informers. Cluster objects are translated into engine records on arrival and put
 * into {@link ClusterState}; handlers do nothing else but signal the worker ({@code onChange}).
 * Pods are stored by the informer in reduced form (only the fields the engine reads), so 150,000
 * pods do not keep 150,000 full objects in memory. The operator's own NodeRuleSets and AddressSets
 * are watched too: they are what is published ({@link PublishedObjects}), and a NodeRuleSet status
 * written by an enforcer changes realization ({@code onStatus}).
 */
public final class ClusterInformers implements PublishedObjects {
    private static final Logger LOG = Logger.getLogger(ClusterInformers.class);

    /** Annotation the operator writes on NetworkPolicies; not part of what the engine sees. */
    public static final String REALIZATION_ANNOTATION = "netfence.dev/realization";

    /** The pod fields the engine needs (ModelAdapter.pod reads only these). */
    static final String[] POD_FIELDS = {"metadata.labels", "spec.nodeName", "spec.hostNetwork", "spec.containers",
            "status.podIP", "status.podIPs"};

    private final KubernetesClient client;
    private final ClusterState state;
    private final Runnable onChange;
    private final Runnable onStatus;
    private final Runnable onDrift;
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    /** Puts each state informer's store into the ClusterState: run once when all have synced (see {@link #synced()}). */
    private final List<Runnable> replays = new ArrayList<>();
    private volatile boolean replayed;
    private SharedIndexInformer<NodeRuleSet> ruleSets;
    private SharedIndexInformer<AddressSet> addressSets;
    private SharedIndexInformer<NetworkPolicy> policies;

    /**
     * @param onChange the cluster changed: recompile
     * @param onStatus a NodeRuleSet status changed: refresh realization
     * @param onDrift  a published object's spec changed or it was deleted (by us, or by hand): compare again
     */
    public ClusterInformers(KubernetesClient client, ClusterState state, Runnable onChange, Runnable onStatus, Runnable onDrift) {
        this.client = client;
        this.state = state;
        this.onChange = onChange;
        this.onStatus = onStatus;
        this.onDrift = onDrift;
    }

    public synchronized void start() {
        start(client.namespaces().runnableInformer(0), n -> state.putNamespace(ModelAdapter.namespace(n)),
                (n, gone) -> state.removeNamespace(n.getMetadata().getName()));
        SharedIndexInformer<Pod> pods = client.pods().inAnyNamespace().runnableInformer(0);
        pods.itemStore(new ReducedStateItemStore<>(ReducedStateItemStore.NAME_KEY_STATE, Pod.class,
                client.getKubernetesSerialization(), POD_FIELDS));
        start(pods, p -> state.putPod(ModelAdapter.pod(p)),
                (p, gone) -> state.removePod(p.getMetadata().getNamespace(), p.getMetadata().getName()));
        start(client.nodes().runnableInformer(0), n -> state.putNode(ModelAdapter.node(n)),
                (n, gone) -> state.removeNode(n.getMetadata().getName()));
        policies = client.network().v1().networkPolicies().inAnyNamespace().runnableInformer(0);
        start(policies, np -> {
            var model = withoutOwnAnnotation(ModelAdapter.networkPolicy(np));
            if (valid("NetworkPolicy", model.namespace(), model.name(), PolicyValidator.validate(model))) {
                state.putPolicy(model);
            }
        },
                (np, gone) -> state.removePolicy(np.getMetadata().getNamespace(), np.getMetadata().getName()));
        SharedIndexInformer<DefaultDeny> defaultDenies = client.resources(DefaultDeny.class).inAnyNamespace().runnableInformer(0);
        start(defaultDenies, dd -> {
            var model = ModelAdapter.defaultDeny(dd);
            if (valid("DefaultDeny", model.namespace(), model.name(), PolicyValidator.validate(model))) {
                state.putDefaultDeny(model, generation(dd));
            }
        },
                (dd, gone) -> state.removeDefaultDeny(dd.getMetadata().getNamespace(), dd.getMetadata().getName()));
        ruleSets = client.resources(NodeRuleSet.class).runnableInformer(0);
        ruleSets.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(NodeRuleSet obj) {
                onStatus.run();
            }

            @Override
            public void onUpdate(NodeRuleSet oldObj, NodeRuleSet newObj) {
                if (java.util.Objects.equals(generation(oldObj), generation(newObj))
                        && oldObj.getSpec() != null && newObj.getSpec() != null
                        && java.util.Objects.equals(oldObj.getSpec().contentHash, newObj.getSpec().contentHash)) {
                    onStatus.run();
                } else {
                    onDrift.run();
                }
            }

            @Override
            public void onDelete(NodeRuleSet obj, boolean deletedFinalStateUnknown) {
                onDrift.run();
            }
        });
        addressSets = client.resources(AddressSet.class).runnableInformer(0);
        addressSets.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(AddressSet obj) {
            }

            @Override
            public void onUpdate(AddressSet oldObj, AddressSet newObj) {
                onDrift.run();
            }

            @Override
            public void onDelete(AddressSet obj, boolean deletedFinalStateUnknown) {
                onDrift.run();
            }
        });
        for (SharedIndexInformer<?> i : List.of(ruleSets, addressSets)) {
            informers.add(i);
            i.start();
        }
    }

    /**
     * An invalid policy (one the engine cannot evaluate, e.g. an unknown selector operator, which the
     * API server does not check in a custom resource) is kept out of the compile so it cannot stop the
     * whole cluster's; the reason is reported on the object.
     */
    private boolean valid(String kind, String namespace, String name, List<ValidationError> errors) {
        if (errors.isEmpty()) {
            state.setInvalid(kind, namespace, name, null);
            return true;
        }
        String problem = errors.stream().map(e -> e.fieldPath() + ": " + e.message()).collect(java.util.stream.Collectors.joining("; "));
        LOG.warnf("%s %s/%s refused, its last valid version (if any) stays in force: %s", kind, namespace, name, problem);
        state.setInvalid(kind, namespace, name, problem);
        return false;
    }

    private static long generation(HasMetadata o) {
        return o.getMetadata().getGeneration() == null ? 0 : o.getMetadata().getGeneration();
    }

    private static dev.netfence.policy.model.NetworkPolicy withoutOwnAnnotation(dev.netfence.policy.model.NetworkPolicy np) {
        if (np.annotations() == null || !np.annotations().containsKey(REALIZATION_ANNOTATION)) {
            return np;
        }
        Map<String, String> a = new HashMap<>(np.annotations());
        a.remove(REALIZATION_ANNOTATION);
        return new dev.netfence.policy.model.NetworkPolicy(np.namespace(), np.name(), np.podSelector(), np.policyTypes(),
                np.ingress(), np.egress(), a);
    }

    private <T extends HasMetadata> void start(SharedIndexInformer<T> informer, Consumer<T> put, BiConsumer<T, Boolean> remove) {
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T obj) {
                apply(obj, put);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                apply(newObj, put);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                remove.accept(obj, deletedFinalStateUnknown);
                onChange.run();
            }
        });
        informers.add(informer);
        replays.add(() -> informer.getStore().list().forEach(o -> {
            try {
                put.accept(o);
            } catch (InvalidFieldException | IllegalArgumentException e) {
                // reported by the event handler, which sees the same object
            }
        }));
        informer.start();
    }

    private <T extends HasMetadata> void apply(T obj, Consumer<T> put) {
        try {
            put.accept(obj);
        } catch (InvalidFieldException | IllegalArgumentException e) {
            // a value with no meaning for policy (e.g. an unparsable pod IP): the object is left out, the rest goes on
            LOG.warnf("%s %s/%s left out of policy computation: %s", obj.getKind(), obj.getMetadata().getNamespace(),
                    obj.getMetadata().getName(), e.getMessage());
        }
        onChange.run();
    }

    /**
     * True once every informer has listed. An informer reports synced when its store holds the
     * initial list, but its event handlers (which feed the ClusterState) may still be catching up:
     * a first compile then would see part of the cluster and publish a transient rule set. So the
     * first time all have synced, their stores are put into the state directly (puts are
     * idempotent; the handlers' late events put the same objects again).
     */
    public synchronized boolean synced() {
        boolean synced = !informers.isEmpty() && informers.stream().allMatch(SharedIndexInformer::hasSynced);
        if (synced && !replayed) {
            replays.forEach(Runnable::run);
            replayed = true;
        }
        return synced;
    }

    public synchronized void stop() {
        informers.forEach(SharedIndexInformer::stop);
        informers.clear();
        replays.clear();
        replayed = false;
    }

    public Store<NodeRuleSet> ruleSetStore() {
        return ruleSets.getStore();
    }

    public Store<AddressSet> addressSetStore() {
        return addressSets.getStore();
    }

    public Store<NetworkPolicy> policyStore() {
        return policies.getStore();
    }

    @Override
    public String nodeRuleSetHash(String name) {
        NodeRuleSet rs = ruleSets.getStore().getByKey(name);
        return rs == null || rs.getSpec() == null ? null : rs.getSpec().contentHash;
    }

    @Override
    public Collection<String> nodeRuleSetNames() {
        return ruleSets.getStore().listKeys();
    }

    @Override
    public AddressSetSpec addressSetPart(String name) {
        AddressSet a = addressSets.getStore().getByKey(name);
        return a == null ? null : a.getSpec();
    }

    @Override
    public Collection<String> addressSetNames() {
        return addressSets.getStore().listKeys();
    }
}
