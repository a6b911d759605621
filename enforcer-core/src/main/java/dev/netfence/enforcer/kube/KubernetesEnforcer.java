package dev.netfence.enforcer.kube;

import dev.netfence.enforcer.cni.PodAnnouncements;
import dev.netfence.enforcer.datapath.NftablesDatapath;
import dev.netfence.enforcer.loop.EnforcerLoop;
import dev.netfence.enforcer.loop.EnforcerObserver;
import dev.netfence.enforcer.loop.EnforcerSettings;
import dev.netfence.enforcer.loop.NewPodSettings;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Builds the enforcer of one node whose rule sets come from the API server, the same way for the
 * DaemonSet, the lab and the demo: the node's {@link KubernetesRuleSetSource}, the kernel datapath
 * (in {@code namespace}) and the status reporter. Call it from a thread outside any lab namespace:
 * the client's connections and the loop's thread stay in the caller's network namespace.
 */
public final class KubernetesEnforcer {
    private KubernetesEnforcer() {
    }

    public static EnforcerLoop create(EnforcerSettings settings, KubernetesClient client, String enforcerName,
                                      NftablesDatapath.InNamespace namespace, EnforcerObserver observer) {
        return create(settings, client, enforcerName, namespace, observer, NewPodSettings.DEFAULTS,
                PodAnnouncements.inMemory());
    }

    /** The same, holding the pods that {@code announcements} (the CNI plugin's endpoint) records as {@code newPods} says. */
    public static EnforcerLoop create(EnforcerSettings settings, KubernetesClient client, String enforcerName,
                                      NftablesDatapath.InNamespace namespace, EnforcerObserver observer,
                                      NewPodSettings newPods, PodAnnouncements announcements) {
        KubernetesRuleSetSource source = new KubernetesRuleSetSource(client, settings.nodeName());
        return new EnforcerLoop(settings, source, new NftablesDatapath(namespace),
                new NodeRuleSetStatusReporter(client, source, enforcerName), observer, newPods, announcements);
    }
}
