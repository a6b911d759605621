package dev.netfence.crds.manifest;

import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.net.Cidr;
import dev.netfence.policy.net.IpAddress;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pods the workloads of a set of manifests will run, for a GitOps repository that holds
 * Deployments and no Pod objects. NetworkPolicy selects pods, never workloads, so each workload
 * becomes one <em>hypothetical pod</em> named {@code KIND/NAME} ({@code deploy/web},
 * {@code sts/db}, {@code ds/agent}, {@code rs/x}, {@code job/migrate}, {@code cronjob/report}; a real
 * pod name never holds a '/') in the workload's namespace, with the labels of its pod template, its
 * container ports (named ports resolve against them) and hostNetwork.
 *
 * <p>One pod stands for all replicas: they have the same labels and ports, so no selector tells
 * them apart and every flow to or from one of them has the verdict of every other. The one thing
 * that differs is the flow between two replicas, which is no pod's traffic to itself (always
 * allowed, it never leaves the pod): for a workload with several replicas {@link #twins()} holds a
 * second pod ({@code deploy/web (another replica)}, for a StatefulSet the ordinal 1) that the
 * commands use for that flow only.
 *
 * <p>Counted once: a ReplicaSet or Job owned by a Deployment or CronJob of the same input is the
 * owner's pods, not more; a workload whose pods are in the input (a Pod its selector matches, as
 * its controller would adopt it, or one owned by it or by one of its ReplicaSets:
 * {@code NAME-<pod-template-hash>}) is represented by those pods; a workload scaled to 0 runs none.
 *
 * <p>Addresses: a hypothetical pod has none of its own, yet ipBlocks are judged on addresses, so it
 * gets the next free address of each pod network ({@code --pod-network}; an IPv4 and an IPv6
 * network make it dual-stack), skipping every address of the input. A host-network pod takes a
 * node's addresses when the input holds nodes.
 */
public final class WorkloadPods {

    /** kubeadm's and flannel's default pod network: used when none is given. */
    public static final Cidr DEFAULT_POD_NETWORK = Cidr.parse("10.244.0.0/16");

    private static final String TWIN_SUFFIX = " (another replica)";

    private final List<Pod> pods = new ArrayList<>();
    private final Map<String, Pod> twins = new LinkedHashMap<>();
    private final List<ManifestNote> notes = new ArrayList<>();

    private WorkloadPods() {
    }

    public static WorkloadPods of(Manifests manifests, List<Cidr> podNetworks) {
        return of(manifests, podNetworks, List.of());
    }

    /** {@code context}: more manifests whose pods and addresses count (lint's {@code --cluster-from}). */
    public static WorkloadPods of(Manifests manifests, List<Cidr> podNetworks, List<Manifests> context) {
        WorkloadPods out = new WorkloadPods();
        List<Manifests> all = new ArrayList<>(context);
        all.add(manifests);
        Set<String> withPods = workloadsWithPods(all);
        Set<String> present = new HashSet<>();
        List<Node> nodes = new ArrayList<>();
        Set<IpAddress> used = new HashSet<>();
        for (Manifests m : all) {
            for (ManifestObject o : m.objects()) {
                o.model(WorkloadModel.class).ifPresent(w -> present.add(w.kind() + "/" + w.namespace() + "/" + w.name()));
                o.model(Pod.class).ifPresent(p -> used.addAll(p.ips()));
                o.model(Node.class).ifPresent(n -> {
                    nodes.add(n);
                    used.addAll(n.ips());
                });
                o.model(ServiceModel.class).ifPresent(s -> used.addAll(s.clusterIps()));
            }
        }
        Addresses addresses = new Addresses(podNetworks.isEmpty() ? List.of(DEFAULT_POD_NETWORK) : podNetworks, used);
        for (ManifestObject o : manifests.objects()) {
            addresses.at = o;
            if (!(o.model() instanceof WorkloadModel w)) {
                continue;
            }
            String owner = w.owners().stream().filter(ref -> present.contains(kindOf(ref) + "/" + w.namespace() + "/" + nameOf(ref)))
                    .findFirst().orElse(null);
            if (owner != null) {
                out.notes.add(new ManifestNote(o.file(), o.line(), w.kind() + " " + w.namespace() + "/" + w.name()
                        + " belongs to " + kindOf(owner) + " " + w.namespace() + "/" + nameOf(owner) + " in the input: its pods are counted there", ManifestNote.Reason.OTHER));
            } else if (withPods.contains(w.kind() + "/" + w.namespace() + "/" + w.name())) {
                out.notes.add(new ManifestNote(o.file(), o.line(), w.kind() + " " + w.namespace() + "/" + w.name()
                        + ": its pods are in the input, they stand for it", ManifestNote.Reason.OTHER));
            } else if (w.replicas() == 0) {
                out.notes.add(new ManifestNote(o.file(), o.line(), w.kind() + " " + w.namespace() + "/" + w.name()
                        + " is scaled to 0 replicas: it runs no pod", ManifestNote.Reason.OTHER));
            } else {
                out.add(w, nodes, addresses);
            }
        }
        return out;
    }

    private void add(WorkloadModel w, List<Node> nodes, Addresses addresses) {
        Pod t = w.template();
        boolean onNode = t.hostNetwork() && !nodes.isEmpty();
        // a DaemonSet runs one pod per node: on a one-node cluster there is no second replica
        boolean several = w.replicas() == WorkloadModel.PER_NODE ? nodes.size() != 1 : w.severalReplicas();
        Pod pod = new Pod(w.namespace(), w.podName(), t.labels(), onNode ? nodes.get(0).ips() : addresses.next(),
                onNode ? nodes.get(0).name() : null, t.hostNetwork(), t.ports());
        pods.add(pod);
        if (several) {
            Map<String, String> labels = new LinkedHashMap<>(t.labels());
            if (w.kind().equals("StatefulSet")) {
                labels.put("statefulset.kubernetes.io/pod-name", w.name() + "-1");
                labels.put("apps.kubernetes.io/pod-index", "1");
            }
            boolean secondNode = onNode && nodes.size() > 1;
            twins.put(pod.key(), new Pod(w.namespace(), w.podName() + TWIN_SUFFIX, labels,
                    secondNode ? nodes.get(1).ips() : onNode ? nodes.get(0).ips() : addresses.next(),
                    secondNode ? nodes.get(1).name() : onNode ? nodes.get(0).name() : null, t.hostNetwork(), t.ports()));
        }
    }

    /** The hypothetical pods, one per workload, in input order. */
    public List<Pod> pods() {
        return List.copyOf(pods);
    }

    /** For a hypothetical pod's key, the second replica that stands for flows between replicas (only for workloads with several). */
    public Map<String, Pod> twins() {
        return Map.copyOf(twins);
    }

    /** Why some workloads became no pod (owned by another in the input, their pods present, scaled to 0). */
    public List<ManifestNote> notes() {
        return List.copyOf(notes);
    }

    /** True for the name of a hypothetical pod ({@code deploy/web}); a real pod's name never holds a '/'. */
    public static boolean isHypothetical(Pod pod) {
        return pod.name().indexOf('/') >= 0;
    }

    /** True for the second replica of {@link #twins()}, which stands only for flows between replicas and is never listed. */
    public static boolean isSecondReplica(Pod pod) {
        return isHypothetical(pod) && pod.name().endsWith(TWIN_SUFFIX);
    }

    /** {@code Kind/ns/name} of every workload some Pod of the input belongs to, through its ReplicaSet or Job. */
    private static Set<String> workloadsWithPods(List<Manifests> all) {
        Map<String, List<String>> ownersOf = new LinkedHashMap<>();
        for (Manifests m : all) {
            for (ManifestObject o : m.objects()) {
                o.model(WorkloadModel.class).ifPresent(w -> ownersOf.put(w.kind() + "/" + w.namespace() + "/" + w.name(),
                        w.owners().stream().map(ref -> kindOf(ref) + "/" + w.namespace() + "/" + nameOf(ref)).toList()));
            }
        }
        Set<String> out = new HashSet<>();
        // controllers adopt the pods their selector matches: a selected Pod of the input is one of the workload's pods
        List<Pod> podsOfInput = new ArrayList<>();
        all.forEach(m -> m.objects().forEach(o -> o.model(Pod.class).ifPresent(podsOfInput::add)));
        for (Manifests m : all) {
            for (ManifestObject o : m.objects()) {
                o.model(WorkloadModel.class).filter(w -> w.selector() != null).ifPresent(w -> {
                    if (podsOfInput.stream().anyMatch(p -> p.namespace().equals(w.namespace()) && w.selector().matches(p.labels()))) {
                        out.add(w.kind() + "/" + w.namespace() + "/" + w.name());
                    }
                });
            }
        }
        for (Manifests m : all) {
            for (ManifestObject o : m.objects()) {
                if (!(o.model() instanceof Pod p) || o.resource().getMetadata().getOwnerReferences() == null) {
                    continue;
                }
                for (OwnerReference ref : o.resource().getMetadata().getOwnerReferences()) {
                    String key = ref.getKind() + "/" + p.namespace() + "/" + ref.getName();
                    List<String> chain = new ArrayList<>(List.of(key));
                    // the Deployment of a ReplicaSet not in the input: the ReplicaSet is named NAME-<pod-template-hash>
                    String hash = p.labels().get("pod-template-hash");
                    if ("ReplicaSet".equals(ref.getKind()) && hash != null && ref.getName().endsWith("-" + hash)) {
                        chain.add("Deployment/" + p.namespace() + "/"
                                + ref.getName().substring(0, ref.getName().length() - hash.length() - 1));
                    }
                    // the CronJob of a Job not in the input: the Job is named NAME-<minutes since the epoch>
                    if ("Job".equals(ref.getKind()) && ref.getName().matches(".+-[0-9]+")) {
                        chain.add("CronJob/" + p.namespace() + "/" + ref.getName().replaceFirst("-[0-9]+$", ""));
                    }
                    for (int i = 0; i < chain.size(); i++) {
                        if (out.add(chain.get(i))) {
                            chain.addAll(ownersOf.getOrDefault(chain.get(i), List.of()));
                        }
                    }
                }
            }
        }
        return out;
    }

    private static String kindOf(String ref) {
        return ref.substring(0, ref.indexOf('/'));
    }

    private static String nameOf(String ref) {
        return ref.substring(ref.indexOf('/') + 1);
    }

    /** The next free address of each pod network, in order. */
    private static final class Addresses {
        private final List<Cidr> networks;
        private final List<IpAddress> next = new ArrayList<>();
        private final Set<IpAddress> used;
        /** The workload being given addresses, for the message when none is left. */
        ManifestObject at;

        Addresses(List<Cidr> networks, Set<IpAddress> used) {
            this.networks = List.copyOf(networks);
            this.used = used;
            // the network's own address is never a pod's
            networks.forEach(n -> next.add(n.first().next()));
        }

        List<IpAddress> next() {
            List<IpAddress> out = new ArrayList<>();
            for (int i = 0; i < networks.size(); i++) {
                IpAddress ip = next.get(i);
                while (used.contains(ip)) {
                    ip = ip.next();
                }
                if (!networks.get(i).contains(ip)) {
                    throw new ManifestException(new ManifestProblem(at.file(), at.line(), at.ref(), null, "no free address "
                            + "left in the pod network " + networks.get(i) + " for the pods of the workloads: give a larger one "
                            + "with --pod-network"));
                }
                used.add(ip);
                out.add(ip);
                next.set(i, ip.next());
            }
            return out;
        }
    }
}
