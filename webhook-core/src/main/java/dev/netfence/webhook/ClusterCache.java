package dev.netfence.webhook;

import dev.netfence.crds.CriticalFlow;
import dev.netfence.crds.CriticalFlowConverter;
import dev.netfence.crds.DefaultDeny;
import dev.netfence.crds.adapter.ModelAdapter;
import dev.netfence.policy.model.ClusterDns;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.validate.PolicyValidator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Interim model until the shared {@code dev.netfence.cluster.ClusterModel} is wired: informers on
 * namespaces, pods, NetworkPolicies, DefaultDenies and CriticalFlows. Event handlers only bump the
 * version and tell the {@link ClusterViewPublisher}; the snapshot is built from the stores on the
 * publisher's thread. Objects that do not translate or do not validate are left out (logged), so
 * one bad stored object never makes an analysis of an unrelated change fail.
 */
public final class ClusterCache implements ClusterViewPublisher.Model {

    private static final Logger LOG = Logger.getLogger(ClusterCache.class);

    private final KubernetesClient client;
    private final ClusterDns dns;
    private final Runnable onChange;
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private SharedIndexInformer<Namespace> namespaces;
    private SharedIndexInformer<Pod> pods;
    private SharedIndexInformer<NetworkPolicy> policies;
    private SharedIndexInformer<DefaultDeny> defaultDenies;
    private SharedIndexInformer<CriticalFlow> criticalFlows;

    private final AtomicLong version = new AtomicLong();

    public ClusterCache(KubernetesClient client, ClusterDns dns, Runnable onChange) {
        this.client = client;
        this.dns = dns;
        this.onChange = onChange;
    }

    public void start() {
        namespaces = inform(client.namespaces().inform());
        pods = inform(client.pods().inAnyNamespace().inform());
        policies = inform(client.network().v1().networkPolicies().inAnyNamespace().inform());
        defaultDenies = inform(client.resources(DefaultDeny.class).inAnyNamespace().inform());
        criticalFlows = inform(client.resources(CriticalFlow.class).inform());
    }

    public void stop() {
        informers.forEach(SharedIndexInformer::stop);
    }

    private <T extends HasMetadata> SharedIndexInformer<T> inform(SharedIndexInformer<T> informer) {
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T obj) {
                changed();
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                changed();
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                changed();
            }
        });
        informers.add(informer);
        return informer;
    }

    private void changed() {
        version.incrementAndGet();
        onChange.run();
    }

    /** True once every informer has listed its resources. */
    public boolean synced() {
        return !informers.isEmpty() && informers.stream().allMatch(SharedIndexInformer::hasSynced);
    }

    @Override
    public long version() {
        return version.get();
    }

    @Override
    public ClusterSnapshot snapshot() {
        ClusterSnapshot.Builder b = ClusterSnapshot.builder().dns(dns);
        addAll(namespaces, ModelAdapter::namespace, b::namespace);
        addAll(pods, ModelAdapter::pod, b::pod);
        addAll(policies, np -> valid(ModelAdapter.networkPolicy(np), PolicyValidator.validate(ModelAdapter.networkPolicy(np))),
                b::policy);
        addAll(defaultDenies, dd -> valid(ModelAdapter.defaultDeny(dd), PolicyValidator.validate(ModelAdapter.defaultDeny(dd))),
                b::defaultDeny);
        return b.build();
    }

    @Override
    public Set<String> terminatingNamespaces() {
        return namespaces.getStore().list().stream().filter(ClusterCache::terminating)
                .map(n -> n.getMetadata().getName()).collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public List<dev.netfence.policy.analysis.CriticalFlow> criticalFlows() {
        List<dev.netfence.policy.analysis.CriticalFlow> flows = new ArrayList<>();
        addAll(criticalFlows, CriticalFlowConverter::toModel, flows::add);
        return flows;
    }

    private static <M> M valid(M model, List<?> errors) {
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(errors.toString());
        }
        return model;
    }

    /** Objects that do not translate (an unparseable IP in a pod status) are left out with a log line, not fatal. */
    private static <T extends HasMetadata, M> void addAll(SharedIndexInformer<T> informer, Function<T, M> adapt,
                                                          Consumer<M> sink) {
        for (T o : informer.getStore().list()) {
            try {
                sink.accept(adapt.apply(o));
            } catch (RuntimeException e) {
                LOG.warnf("leaving %s %s/%s out of the snapshot: %s", o.getKind(), o.getMetadata().getNamespace(),
                        o.getMetadata().getName(), e.getMessage());
            }
        }
    }

    static boolean terminating(Namespace n) {
        return n.getMetadata().getDeletionTimestamp() != null
                || (n.getStatus() != null && "Terminating".equals(n.getStatus().getPhase()));
    }
}
