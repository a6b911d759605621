package dev.netfence.webhook;

import dev.netfence.crds.CriticalFlow;
import dev.netfence.crds.CriticalFlowConverter;
import dev.netfence.crds.DefaultDeny;
import dev.netfence.crds.adapter.ModelAdapter;
import dev.netfence.policy.model.ClusterDns;
import dev.netfence.policy.model.ClusterSnapshot;
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
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * What the webhook judges against: informers on namespaces, pods, NetworkPolicies, DefaultDenies
 * and CriticalFlows. Event handlers only bump a version; the immutable snapshot is rebuilt from the
 * informer stores on the first request after a change, so a burst of pod events costs one rebuild.
 */
public final class ClusterCache implements ClusterViewSource {

    private static final Logger LOG = Logger.getLogger(ClusterCache.class);

    private final KubernetesClient client;
    private final ClusterDns dns;
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private SharedIndexInformer<Namespace> namespaces;
    private SharedIndexInformer<Pod> pods;
    private SharedIndexInformer<NetworkPolicy> policies;
    private SharedIndexInformer<DefaultDeny> defaultDenies;
    private SharedIndexInformer<CriticalFlow> criticalFlows;

    private final AtomicLong version = new AtomicLong();
    private volatile ClusterView view;

    public ClusterCache(KubernetesClient client, ClusterDns dns) {
        this.client = client;
        this.dns = dns;
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
                version.incrementAndGet();
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                version.incrementAndGet();
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                version.incrementAndGet();
            }
        });
        informers.add(informer);
        return informer;
    }

    /** True once every informer has listed its resources. */
    @Override
    public boolean synced() {
        return !informers.isEmpty() && informers.stream().allMatch(SharedIndexInformer::hasSynced);
    }

    /** The current view, rebuilt when an informer saw a change since the last one. */
    @Override
    public ClusterView view() {
        ClusterView v = view;
        long current = version.get();
        if (v != null && v.version() == current) {
            return v;
        }
        synchronized (this) {
            v = view;
            current = version.get();
            if (v == null || v.version() != current) {
                v = build(current);
                view = v;
            }
            return v;
        }
    }

    private ClusterView build(long atVersion) {
        ClusterSnapshot.Builder b = ClusterSnapshot.builder().dns(dns);
        Set<String> terminating = namespaces.getStore().list().stream().filter(ClusterCache::terminating)
                .map(n -> n.getMetadata().getName()).collect(Collectors.toUnmodifiableSet());
        addAll(namespaces, ModelAdapter::namespace, b::namespace);
        addAll(pods, ModelAdapter::pod, b::pod);
        addAll(policies, ModelAdapter::networkPolicy, b::policy);
        addAll(defaultDenies, ModelAdapter::defaultDeny, b::defaultDeny);
        List<dev.netfence.policy.analysis.CriticalFlow> flows = new ArrayList<>();
        addAll(criticalFlows, CriticalFlowConverter::toModel, flows::add);
        return new ClusterView(atVersion, b.build(), terminating, List.copyOf(flows));
    }

    /** Objects that do not translate (an unparseable IP in a pod status) are left out with a log line, not fatal. */
    private static <T extends HasMetadata, M> void addAll(SharedIndexInformer<T> informer, Function<T, M> adapt,
                                                          java.util.function.Consumer<M> sink) {
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
