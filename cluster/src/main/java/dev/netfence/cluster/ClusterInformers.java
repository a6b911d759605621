package dev.netfence.cluster;

import dev.netfence.cluster.ClusterChange.Kind;
import dev.netfence.crds.CriticalFlowConverter;
import dev.netfence.crds.adapter.ClusterPolicyAdapter;
import dev.netfence.crds.adapter.InvalidFieldException;
import dev.netfence.crds.adapter.ModelAdapter;
import dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy;
import dev.netfence.policy.validate.ClusterPolicyValidator;
import dev.netfence.policy.validate.PolicyValidator;
import dev.netfence.policy.validate.ValidationError;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * fabric8 SharedIndexInformers feeding a {@link ClusterModel}: each object is translated into its
 * engine record ({@link ModelAdapter}) and validated ({@link PolicyValidator}) on arrival, on the
 * informer's thread; that is all the handlers do (the model then tells its listeners). An object
 * that does not translate or validate is kept out with the reason ({@link ClusterModel#refuse}), and
 * its last valid version stays in force. The pod informer's store keeps only keys and resource
 * versions ({@link PodKeyStore}): the model holds the slimmed records, so 150,000 pods are not kept
 * twice, and lists of pods are read in pages ({@link #LIST_PAGE}).
 *
 * <p>Which kinds are watched is the caller's choice (RBAC differs: the operator watches nodes, the
 * webhook critical flows).
 *
 * <p>ClusterNetworkPolicies live in a CRD the cluster's administrators install from upstream, or not:
 * before their informer starts, {@link ClusterPolicyCrdCheck} says whether the cluster serves the
 * version Netfence reads, and the result is logged once. Without it no informer is started (an
 * informer on a resource the API server does not serve would retry its list forever and never
 * report synced, holding back readiness and every compile): the model then holds no
 * ClusterNetworkPolicies, and NetworkPolicies and DefaultDenies work as before. The check runs at
 * {@link #start()} only; installing the CRD later takes a restart (the log line says so).
 */
public final class ClusterInformers {
    private static final Logger LOG = Logger.getLogger(ClusterInformers.class);

    /** Annotation the operator writes on NetworkPolicies; not part of what the engine sees, so writing it changes nothing. */
    public static final String REALIZATION_ANNOTATION = "netfence.dev/realization";

    /**
     * Objects per page of the informers' lists of pods and NetworkPolicies ({@code limit}, then
     * {@code continue}, as the API server paginates): a 150,000-pod cluster is then never held as
     * one list of full objects while it is read.
     */
    static final long LIST_PAGE = 500;

    /** What the operator watches. */
    public static final Set<Kind> OPERATOR_KINDS = EnumSet.of(Kind.NAMESPACE, Kind.POD, Kind.NODE, Kind.NETWORK_POLICY,
            Kind.DEFAULT_DENY, Kind.CLUSTER_NETWORK_POLICY);

    private final KubernetesClient client;
    private final ClusterModel model;
    private final Set<Kind> kinds;
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    /** Puts each informer's store into the model: run once when all have synced (see {@link #synced()}). */
    private final List<Runnable> replays = new ArrayList<>();
    private volatile boolean replayed;
    private SharedIndexInformer<NetworkPolicy> policies;
    private volatile SharedIndexInformer<ClusterNetworkPolicy> clusterPolicies;
    private volatile ClusterPolicyCrdCheck.Result clusterPolicyCrd;
    private PodKeyStore podStore;

    public ClusterInformers(KubernetesClient client, ClusterModel model, Set<Kind> kinds) {
        this.client = client;
        this.model = model;
        this.kinds = EnumSet.copyOf(kinds);
    }

    public ClusterModel model() {
        return model;
    }

    public synchronized void start() {
        if (kinds.contains(Kind.NAMESPACE)) {
            start(client.namespaces().runnableInformer(0), Kind.NAMESPACE,
                    n -> model.putNamespace(ModelAdapter.namespace(n), terminating(n)),
                    n -> model.removeNamespace(n.getMetadata().getName()));
        }
        if (kinds.contains(Kind.POD)) {
            SharedIndexInformer<Pod> pods = client.pods().inAnyNamespace().withLimit(LIST_PAGE).runnableInformer(0);
            PodKeyStore store = new PodKeyStore();
            pods.itemStore(store);
            podStore = store;
            // the store holds no pod fields to replay: synced() waits until the handler has put every listed pod
            start(pods, Kind.POD, p -> model.putPod(ModelAdapter.pod(p)),
                    p -> model.removePod(p.getMetadata().getNamespace(), p.getMetadata().getName()), store::handled);
        }
        if (kinds.contains(Kind.NODE)) {
            start(client.nodes().runnableInformer(0), Kind.NODE, n -> model.putNode(ModelAdapter.node(n)),
                    n -> model.removeNode(n.getMetadata().getName()));
        }
        if (kinds.contains(Kind.NETWORK_POLICY)) {
            policies = client.network().v1().networkPolicies().inAnyNamespace().withLimit(LIST_PAGE).runnableInformer(0);
            start(policies, Kind.NETWORK_POLICY, np -> {
                var m = withoutOwnAnnotation(ModelAdapter.networkPolicy(np));
                if (valid(Kind.NETWORK_POLICY, np, PolicyValidator.validate(m))) {
                    model.putPolicy(m);
                }
            }, np -> model.removePolicy(np.getMetadata().getNamespace(), np.getMetadata().getName()));
        }
        if (kinds.contains(Kind.DEFAULT_DENY)) {
            start(client.resources(dev.netfence.crds.DefaultDeny.class).inAnyNamespace().runnableInformer(0), Kind.DEFAULT_DENY,
                    dd -> {
                        var m = ModelAdapter.defaultDeny(dd);
                        if (valid(Kind.DEFAULT_DENY, dd, PolicyValidator.validate(m))) {
                            model.putDefaultDeny(m, generation(dd));
                        }
                    }, dd -> model.removeDefaultDeny(dd.getMetadata().getNamespace(), dd.getMetadata().getName()));
        }
        if (kinds.contains(Kind.CLUSTER_NETWORK_POLICY)) {
            startClusterPolicies();
        }
        if (kinds.contains(Kind.CRITICAL_FLOW)) {
            start(client.resources(dev.netfence.crds.CriticalFlow.class).runnableInformer(0), Kind.CRITICAL_FLOW,
                    cf -> model.putCriticalFlow(cf.getMetadata().getName(), CriticalFlowConverter.toModel(cf)),
                    cf -> model.removeCriticalFlow(cf.getMetadata().getName()));
        }
    }

    private void startClusterPolicies() {
        ClusterPolicyCrdCheck.Result crd = ClusterPolicyCrdCheck.check(client);
        clusterPolicyCrd = crd;
        if (crd.status() != ClusterPolicyCrdCheck.Status.SERVED) {
            // one line, at start-up: the rest of Netfence works without ClusterNetworkPolicies
            if (crd.status() == ClusterPolicyCrdCheck.Status.NOT_INSTALLED) {
                LOG.info(crd.message());
            } else {
                LOG.warn(crd.message());
            }
            return;
        }
        LOG.info(crd.message() + ": ClusterNetworkPolicies are watched");
        clusterPolicies = client.resources(ClusterNetworkPolicy.class).withLimit(LIST_PAGE).runnableInformer(0);
        start(clusterPolicies, Kind.CLUSTER_NETWORK_POLICY, cnp -> {
            dev.netfence.policy.model.ClusterNetworkPolicy m;
            try {
                m = ClusterPolicyAdapter.clusterNetworkPolicy(cnp);
            } catch (InvalidFieldException e) {
                // the adapter names the field (a tier or action this version of the API does not have)
                refuse(Kind.CLUSTER_NETWORK_POLICY, cnp, e.fieldPath() + ": " + e.getMessage());
                return;
            }
            if (valid(Kind.CLUSTER_NETWORK_POLICY, cnp, ClusterPolicyValidator.validate(m))) {
                model.putClusterPolicy(m, generation(cnp));
            }
        }, cnp -> model.removeClusterPolicy(cnp.getMetadata().getName()));
    }

    private boolean valid(Kind kind, HasMetadata o, List<ValidationError> errors) {
        if (errors.isEmpty()) {
            return true;
        }
        String problem = errors.stream().map(e -> e.fieldPath() + ": " + e.message()).collect(Collectors.joining("; "));
        refuse(kind, o, problem);
        return false;
    }

    private void refuse(Kind kind, HasMetadata o, String problem) {
        String ns = o.getMetadata().getNamespace() == null ? "" : o.getMetadata().getNamespace();
        LOG.warnf("%s %s%s refused, its last valid version (if any) stays in force: %s", ClusterModel.kindName(kind),
                ns.isEmpty() ? "" : ns + "/", o.getMetadata().getName(), problem);
        model.refuse(kind, ns, o.getMetadata().getName(), problem);
    }

    static boolean terminating(Namespace n) {
        return n.getMetadata().getDeletionTimestamp() != null
                || (n.getStatus() != null && "Terminating".equals(n.getStatus().getPhase()));
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

    private <T extends HasMetadata> void start(SharedIndexInformer<T> informer, Kind kind, Consumer<T> put, Consumer<T> remove) {
        start(informer, kind, put, remove, null);
    }

    /** @param handled when not null: told of each object put (or refused) instead of replaying the store at sync */
    private <T extends HasMetadata> void start(SharedIndexInformer<T> informer, Kind kind, Consumer<T> put, Consumer<T> remove,
                                               Consumer<T> handled) {
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T obj) {
                apply(kind, obj, put, true);
                if (handled != null) {
                    handled.accept(obj);
                }
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                apply(kind, newObj, put, true);
                if (handled != null) {
                    handled.accept(newObj);
                }
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                remove.accept(obj);
            }
        });
        // retry the list and watch whatever the error: by default a failed first list stops the informer,
        // and an API server unreachable at start-up would leave the model empty for good
        informer.exceptionHandler((started, error) -> {
            LOG.warnf("%s informer: %s; retrying", ClusterModel.kindName(kind), error.getMessage());
            return true;
        });
        informers.add(informer);
        if (handled == null) {
            replays.add(() -> informer.getStore().list().forEach(o -> apply(kind, o, put, false)));
        }
        informer.start();
    }

    private <T extends HasMetadata> void apply(Kind kind, T obj, Consumer<T> put, boolean report) {
        try {
            put.accept(obj);
        } catch (RuntimeException e) {
            // a value with no meaning for policy (e.g. an unparsable pod IP): the object is left out, the rest goes on
            if (report) {
                refuse(kind, obj, e.getMessage());
            }
        }
    }

    /**
     * True once every informer has listed. An informer reports synced when its store holds the
     * initial list, but its event handlers (which feed the model) may still be catching up: a first
     * compile then would see part of the cluster and publish a transient rule set. So the first time
     * all have synced, their stores are put into the model directly (puts are idempotent; the
     * handlers' late events put the same objects again, which is no change). The pod store holds no
     * fields to put ({@link PodKeyStore}): pods are synced once the handler has put every listed one.
     *
     * <p>Once true it stays true until {@link #stop()}, as fabric8's {@code hasSynced} does: "has listed" is a
     * fact about the start, not a state. The check walks every pod of the store, and it is asked for each view
     * the webhook publishes and each sync the operator runs; at 150,000 pods that walk was the webhook's
     * largest cost per published view.
     */
    public synchronized boolean synced() {
        if (replayed) {
            return true;
        }
        boolean synced = !informers.isEmpty() && informers.stream().allMatch(SharedIndexInformer::hasSynced)
                && (podStore == null || podStore.allHandled());
        if (synced && !replayed) {
            replays.forEach(Runnable::run);
            replayed = true;
        }
        return synced;
    }

    /** True while every informer's watch is open: false while the API server is unreachable (the model goes stale). */
    public synchronized boolean watching() {
        return !informers.isEmpty() && informers.stream().allMatch(SharedIndexInformer::isWatching);
    }

    /** The NetworkPolicy informer's store (full objects: the operator reads its annotation there), or null when not watched. */
    public io.fabric8.kubernetes.client.informers.cache.Store<NetworkPolicy> policyStore() {
        return policies == null ? null : policies.getStore();
    }

    /**
     * The ClusterNetworkPolicy informer's store (full objects: the operator writes their status from
     * it), or null when they are not watched (not asked for, or the CRD is not served: {@link #clusterPolicyCrd()}).
     */
    public io.fabric8.kubernetes.client.informers.cache.Store<ClusterNetworkPolicy> clusterPolicyStore() {
        SharedIndexInformer<ClusterNetworkPolicy> i = clusterPolicies;
        return i == null ? null : i.getStore();
    }

    /** What the start-up check found about the ClusterNetworkPolicy CRD, or null when they are not asked for (or before {@link #start()}). */
    public ClusterPolicyCrdCheck.Result clusterPolicyCrd() {
        return clusterPolicyCrd;
    }

    public synchronized void stop() {
        informers.forEach(SharedIndexInformer::stop);
        informers.clear();
        clusterPolicies = null;
        replays.clear();
        replayed = false;
        podStore = null;
    }
}
