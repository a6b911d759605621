package dev.netfence.crds.manifest;

import dev.netfence.crds.adapter.InvalidFieldException;
import dev.netfence.crds.adapter.ModelAdapter;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Pod;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob) as NetworkPolicy sees
 * it: the pods its controller will create, which are what policies select. {@code template} is
 * that pod as the engine reads it (labels of {@code spec.template.metadata} plus the labels the
 * controller adds that a policy can rely on, container ports with their names, hostNetwork), with
 * no address yet: {@link WorkloadPods} gives it one. {@code replicas}: how many pods run at once
 * ({@code spec.replicas}, absent 1; a Job's {@code parallelism}; {@link #PER_NODE} for a
 * DaemonSet). {@code owners}: {@code Kind/name} of its controllers ({@code metadata.ownerReferences}
 * with {@code controller: true}, or any owner when none says so), so that a ReplicaSet of a
 * Deployment in the same input is not counted twice. {@code selector}: the pods its controller
 * counts as its own ({@code spec.selector}; a Job's pods carry {@code job-name}), null for a
 * CronJob (its Jobs have generated names): a Pod of the input that it selects is one of its pods
 * (controllers adopt matching pods), so the workload needs no hypothetical pod.
 */
public record WorkloadModel(String kind, String namespace, String name, Pod template, int replicas, List<String> owners,
                            LabelSelector selector) {

    /** A DaemonSet: one pod on every (schedulable) node; at least two as soon as the cluster has two nodes. */
    public static final int PER_NODE = -1;

    /** The short name kubectl gives the kind (kubectl get deploy/web), used as the hypothetical pod's name prefix. */
    public String shortKind() {
        return shortKind(kind);
    }

    static String shortKind(String kind) {
        return switch (kind) {
            case "Deployment" -> "deploy";
            case "StatefulSet" -> "sts";
            case "DaemonSet" -> "ds";
            case "ReplicaSet" -> "rs";
            case "Job" -> "job";
            case "CronJob" -> "cronjob";
            default -> kind.toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** {@code deploy/web}: the name of the hypothetical pod; a real pod name never holds a '/'. */
    public String podName() {
        return shortKind() + "/" + name;
    }

    public String key() {
        return namespace + "/" + podName();
    }

    /** More than one pod at once: traffic between two of them is not a pod's traffic to itself. */
    public boolean severalReplicas() {
        return replicas == PER_NODE || replicas > 1;
    }

    static WorkloadModel of(HasMetadata r) {
        if (r instanceof Deployment d) {
            return of(r, d.getSpec() == null ? null : d.getSpec().getTemplate(), "spec.template",
                    d.getSpec() == null ? null : d.getSpec().getReplicas(), Map.of(),
                    d.getSpec() == null ? null : d.getSpec().getSelector());
        }
        if (r instanceof StatefulSet s) {
            // the controller names its pods NAME-0, NAME-1, ... and labels each with its name and ordinal
            // ("statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index"): the representative is NAME-0
            String name = r.getMetadata().getName();
            return of(r, s.getSpec() == null ? null : s.getSpec().getTemplate(), "spec.template",
                    s.getSpec() == null ? null : s.getSpec().getReplicas(),
                    Map.of("statefulset.kubernetes.io/pod-name", name + "-0", "apps.kubernetes.io/pod-index", "0"),
                    s.getSpec() == null ? null : s.getSpec().getSelector());
        }
        if (r instanceof DaemonSet d) {
            WorkloadModel w = of(r, d.getSpec() == null ? null : d.getSpec().getTemplate(), "spec.template", 1, Map.of(),
                    d.getSpec() == null ? null : d.getSpec().getSelector());
            return new WorkloadModel(w.kind, w.namespace, w.name, w.template, PER_NODE, w.owners, w.selector);
        }
        if (r instanceof ReplicaSet s) {
            return of(r, s.getSpec() == null ? null : s.getSpec().getTemplate(), "spec.template",
                    s.getSpec() == null ? null : s.getSpec().getReplicas(), Map.of(),
                    s.getSpec() == null ? null : s.getSpec().getSelector());
        }
        if (r instanceof Job j) {
            String name = r.getMetadata().getName();
            io.fabric8.kubernetes.api.model.LabelSelector selector = j.getSpec() != null && j.getSpec().getSelector() != null
                    ? j.getSpec().getSelector()
                    : new io.fabric8.kubernetes.api.model.LabelSelectorBuilder().addToMatchLabels("job-name", name).build();
            return job(r, j.getSpec(), "spec", jobLabels(name), selector);
        }
        if (r instanceof CronJob c) {
            // its Jobs are named NAME-<minutes since the epoch>: no label naming them can be predicted
            JobSpec spec = c.getSpec() == null || c.getSpec().getJobTemplate() == null ? null : c.getSpec().getJobTemplate().getSpec();
            return job(r, spec, "spec.jobTemplate.spec", Map.of(), null);
        }
        throw new IllegalArgumentException("not a workload: " + r.getKind());
    }

    /** The Job controller labels its pods with the Job's name, under the old and the current key. */
    private static Map<String, String> jobLabels(String name) {
        return Map.of("job-name", name, "batch.kubernetes.io/job-name", name);
    }

    private static WorkloadModel job(HasMetadata r, JobSpec spec, String specPath, Map<String, String> added,
                                     io.fabric8.kubernetes.api.model.LabelSelector selector) {
        Integer parallelism = spec == null ? null : spec.getParallelism();
        return of(r, spec == null ? null : spec.getTemplate(), specPath + ".template", parallelism, added, selector);
    }

    private static WorkloadModel of(HasMetadata r, PodTemplateSpec template, String templatePath, Integer replicas,
                                    Map<String, String> controllerLabels, io.fabric8.kubernetes.api.model.LabelSelector selector) {
        if (template == null) {
            throw new InvalidFieldException(templatePath, "required: the pod template of the " + r.getKind()
                    + " (the API server refuses a " + r.getKind() + " without one)");
        }
        ObjectMeta meta = r.getMetadata();
        String namespace = meta.getNamespace() == null || meta.getNamespace().isEmpty()
                ? ModelAdapter.DEFAULT_NAMESPACE : meta.getNamespace();
        Map<String, String> labels = new HashMap<>();
        if (template != null && template.getMetadata() != null && template.getMetadata().getLabels() != null) {
            labels.putAll(template.getMetadata().getLabels());
        }
        labels.putAll(controllerLabels);
        PodSpec spec = template == null ? null : template.getSpec();
        io.fabric8.kubernetes.api.model.Pod pod = new io.fabric8.kubernetes.api.model.Pod();
        pod.setMetadata(new ObjectMeta());
        pod.getMetadata().setNamespace(namespace);
        pod.getMetadata().setName(shortKind(r.getKind()) + "/" + meta.getName());
        pod.getMetadata().setLabels(labels);
        pod.setSpec(spec);
        Pod model;
        try {
            model = ModelAdapter.pod(pod);
        } catch (InvalidFieldException e) {
            // the adapter names the field of a pod (spec.containers[0]...): here it is under the template
            throw new InvalidFieldException(templatePath + "." + e.fieldPath(), e.getMessage());
        }
        LabelSelector podSelector = ModelAdapter.labelSelector(selector);
        return new WorkloadModel(r.getKind(), namespace, meta.getName(), model, replicas == null ? 1 : replicas,
                owners(meta), podSelector == null || podSelector.isEmpty() ? null : podSelector);
    }

    private static List<String> owners(ObjectMeta meta) {
        List<OwnerReference> refs = meta.getOwnerReferences() == null ? List.of() : meta.getOwnerReferences();
        List<OwnerReference> controllers = refs.stream().filter(o -> Boolean.TRUE.equals(o.getController())).toList();
        return (controllers.isEmpty() ? refs : controllers).stream().map(o -> o.getKind() + "/" + o.getName()).toList();
    }
}
