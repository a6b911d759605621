package dev.netfence.crds.manifest;

import dev.netfence.crds.CriticalFlow;
import dev.netfence.crds.CriticalFlowConverter;
import dev.netfence.crds.DefaultDeny;
import dev.netfence.crds.adapter.ModelAdapter;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;

/** The kinds policy depends on, with the apiVersion each must have and its translation into an engine record. */
enum SupportedKind {
    NAMESPACE("v1", "Namespace", false, Namespace.class, r -> ModelAdapter.namespace((Namespace) r)),
    POD("v1", "Pod", true, Pod.class, r -> ModelAdapter.pod((Pod) r)),
    NODE("v1", "Node", false, Node.class, r -> ModelAdapter.node((Node) r)),
    NETWORK_POLICY("networking.k8s.io/v1", "NetworkPolicy", true, NetworkPolicy.class,
            r -> ModelAdapter.networkPolicy((NetworkPolicy) r)),
    DEFAULT_DENY("netfence.dev/v1alpha1", "DefaultDeny", true, DefaultDeny.class,
            r -> ModelAdapter.defaultDeny((DefaultDeny) r)),
    CLUSTER_NETWORK_POLICY(dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy.GROUP + "/"
            + dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy.VERSION, "ClusterNetworkPolicy", false,
            dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy.class,
            r -> dev.netfence.crds.adapter.ClusterPolicyAdapter.clusterNetworkPolicy((dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy) r)),
    /** Not part of the snapshot: read for the analyses (lint, admission) that check critical flows. */
    CRITICAL_FLOW("netfence.dev/v1alpha1", "CriticalFlow", false, CriticalFlow.class,
            r -> CriticalFlowConverter.toModel((CriticalFlow) r)),
    /** Not part of the snapshot: where a flow to a Service goes after DNAT, and which addresses are ClusterIPs. */
    SERVICE("v1", "Service", true, Service.class, r -> ServiceModel.of((Service) r)),
    ENDPOINT_SLICE("discovery.k8s.io/v1", "EndpointSlice", true, EndpointSlice.class,
            r -> EndpointSliceModel.of((EndpointSlice) r)),
    /** Workloads: not part of the snapshot as such; {@link WorkloadPods} makes the pods they will run. */
    DEPLOYMENT("apps/v1", "Deployment", true, Deployment.class, WorkloadModel::of),
    STATEFUL_SET("apps/v1", "StatefulSet", true, StatefulSet.class, WorkloadModel::of),
    DAEMON_SET("apps/v1", "DaemonSet", true, DaemonSet.class, WorkloadModel::of),
    REPLICA_SET("apps/v1", "ReplicaSet", true, ReplicaSet.class, WorkloadModel::of),
    JOB("batch/v1", "Job", true, Job.class, WorkloadModel::of),
    CRON_JOB("batch/v1", "CronJob", true, CronJob.class, WorkloadModel::of);

    final String apiVersion;
    final String kind;
    final boolean namespaced;
    final Class<? extends HasMetadata> resourceType;
    final Function<HasMetadata, Object> toModel;

    SupportedKind(String apiVersion, String kind, boolean namespaced, Class<? extends HasMetadata> resourceType,
                  Function<HasMetadata, Object> toModel) {
        this.apiVersion = apiVersion;
        this.kind = kind;
        this.namespaced = namespaced;
        this.resourceType = resourceType;
        this.toModel = toModel;
    }

    static Optional<SupportedKind> of(String kind) {
        return Arrays.stream(values()).filter(k -> k.kind.equals(kind)).findFirst();
    }

    static String names() {
        return "Namespace, Pod, Node, Service, EndpointSlice (discovery.k8s.io/v1), NetworkPolicy (networking.k8s.io/v1), "
                + "ClusterNetworkPolicy (policy.networking.k8s.io/v1beta1), DefaultDeny and CriticalFlow (netfence.dev/v1alpha1), and the workloads Deployment, StatefulSet, "
                + "DaemonSet, ReplicaSet (apps/v1), Job and CronJob (batch/v1)";
    }
}
