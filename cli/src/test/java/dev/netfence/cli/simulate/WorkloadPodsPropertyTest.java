package dev.netfence.cli.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.cli.common.ClusterInput;
import dev.netfence.cli.common.Endpoints;
import dev.netfence.crds.manifest.ManifestLoader;
import dev.netfence.crds.manifest.Manifests;
import dev.netfence.crds.manifest.WorkloadPods;
import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.eval.Flow;
import dev.netfence.policy.eval.PolicyEngine;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.Protocol;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Workloads versus the pods their controllers create. For random workloads of every kind (labels,
 * named ports, replicas, host network) and random policies (pod, namespace and StatefulSet-ordinal
 * selectors, ipBlocks over the pod network, numeric and named ports), the matrix {@code simulate}
 * prints from the workload manifests must equal the engine's verdicts on the Pod objects the
 * controllers would make of them, written by hand here the way the controllers do (replica 0 and 1
 * of each, with the labels the controller adds and, for the comparison, the addresses the
 * hypothetical pods were given): cell (A, B) is pod A-0 to pod B-0, and a workload's cell to
 * itself is replica 0 to replica 1 when it runs several (else the pod to itself).
 */
class WorkloadPodsPropertyTest {

    static final List<String> KINDS = List.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob");
    static final List<String> NAMESPACES = List.of("n0", "n1");

    static List<Long> seeds() {
        List<Long> out = new ArrayList<>();
        for (long s = 1; s <= 150; s++) {
            out.add(s);
        }
        return out;
    }

    /** One generated workload, and what its controller puts on its pods. */
    record Workload(String kind, String name, String ns, Map<String, String> labels, Integer httpPort, boolean hostNetwork,
                    int replicas) {

        String apiVersion() {
            return kind.endsWith("Job") ? "batch/v1" : "apps/v1";
        }

        boolean several() {
            return kind.equals("DaemonSet") || replicas > 1;   // two nodes: a DaemonSet runs two pods
        }

        Map<String, String> podLabels(int ordinal) {
            Map<String, String> l = new LinkedHashMap<>(labels);
            if (kind.equals("StatefulSet")) {
                l.put("statefulset.kubernetes.io/pod-name", name + "-" + ordinal);
                l.put("apps.kubernetes.io/pod-index", String.valueOf(ordinal));
            }
            if (kind.equals("Job")) {
                l.put("job-name", name);
                l.put("batch.kubernetes.io/job-name", name);
            }
            return l;
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void theMatrixOfWorkloadsIsTheMatrixOfThePodsTheyRun(long seed, @TempDir Path dir) throws IOException {
        Random r = new Random(seed);
        List<Workload> workloads = new ArrayList<>();
        int n = 2 + r.nextInt(4);
        for (int i = 0; i < n; i++) {
            String kind = KINDS.get(r.nextInt(KINDS.size()));
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("app", List.of("a", "b", "c").get(r.nextInt(3)));
            if (r.nextBoolean()) {
                labels.put("tier", List.of("x", "y").get(r.nextInt(2)));
            }
            workloads.add(new Workload(kind, "w" + i, NAMESPACES.get(r.nextInt(2)), labels,
                    r.nextInt(3) == 0 ? null : List.of(80, 8080).get(r.nextInt(2)), r.nextInt(8) == 0, 1 + r.nextInt(3)));
        }
        String common = common(r, workloads);
        Path asWorkloads = dir.resolve("workloads.yaml");
        Files.writeString(asWorkloads, common + workloadsYaml(workloads));
        Manifests loaded = ManifestLoader.load(asWorkloads);
        ClusterInput input = ClusterInput.of(loaded, WorkloadPods.of(loaded, List.of()));

        // the pods the controllers would create, with the addresses the hypothetical ones got
        StringBuilder pods = new StringBuilder(common);
        Map<String, String[]> realNames = new LinkedHashMap<>();
        for (Workload w : workloads) {
            Pod hypothetical = input.snapshot().pod(w.ns(), shortKind(w.kind()) + "/" + w.name()).orElseThrow();
            Optional<Pod> second = input.secondReplica(hypothetical);
            assertThat(second.isPresent()).as(w.toString()).isEqualTo(w.several());
            String name0 = w.name() + (w.kind().equals("StatefulSet") ? "-0" : "-r0");
            String name1 = w.name() + (w.kind().equals("StatefulSet") ? "-1" : "-r1");
            pods.append(podYaml(w, name0, 0, hypothetical));
            second.ifPresent(p -> pods.append(podYaml(w, name1, 1, p)));
            realNames.put(hypothetical.key(), new String[] {w.ns() + "/" + name0, second.isPresent() ? w.ns() + "/" + name1 : null});
        }
        Path asPods = dir.resolve("pods.yaml");
        Files.writeString(asPods, pods.toString());
        ClusterSnapshot real = ManifestLoader.load(asPods).snapshot();
        PolicyEngine engine = new PolicyEngine(real);

        for (int port : new int[] {80, 8080}) {
            ReachabilityMatrix m = ReachabilityMatrix.compute(input, Protocol.TCP, port);
            for (int i = 0; i < m.pods().size(); i++) {
                for (int j = 0; j < m.pods().size(); j++) {
                    Pod from = real(real, realNames, m.pods().get(i), 0);
                    Pod to = i == j && realNames.containsKey(m.pods().get(j).key()) && realNames.get(m.pods().get(j).key())[1] != null
                            ? real(real, realNames, m.pods().get(j), 1) : real(real, realNames, m.pods().get(j), 0);
                    Optional<Endpoint[]> ends = Endpoints.between(from, to);
                    boolean expected = ends.isPresent() && engine.allowed(new Flow(ends.get()[0], ends.get()[1], Protocol.TCP, port));
                    assertThat(m.allowed()[i][j]).as("seed %d port %d: %s -> %s (real %s -> %s)\n%s", seed, port,
                            m.pods().get(i).key(), m.pods().get(j).key(), from.key(), to.key(), Files.readString(asWorkloads))
                            .isEqualTo(expected);
                }
            }
        }
    }

    private static Pod real(ClusterSnapshot real, Map<String, String[]> names, Pod shown, int replica) {
        String[] n = names.get(shown.key());
        String key = n == null ? shown.key() : n[replica];
        int slash = key.indexOf('/');
        return real.pod(key.substring(0, slash), key.substring(slash + 1)).orElseThrow();
    }

    private static String shortKind(String kind) {
        return switch (kind) {
            case "Deployment" -> "deploy";
            case "StatefulSet" -> "sts";
            case "DaemonSet" -> "ds";
            case "ReplicaSet" -> "rs";
            case "Job" -> "job";
            default -> "cronjob";
        };
    }

    /** Namespaces, two nodes, a plain pod, and random policies: the same in both versions. */
    private static String common(Random r, List<Workload> workloads) {
        StringBuilder sb = new StringBuilder();
        sb.append("""
                apiVersion: v1
                kind: Namespace
                metadata: {name: n0, labels: {team: a}}
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: n1, labels: {team: b}}
                ---
                apiVersion: v1
                kind: Node
                metadata: {name: node-0}
                status: {addresses: [{type: InternalIP, address: 10.1.0.1}]}
                ---
                apiVersion: v1
                kind: Node
                metadata: {name: node-1}
                status: {addresses: [{type: InternalIP, address: 10.1.0.2}]}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: plain, namespace: n0, labels: {app: solo}}
                spec: {containers: [{name: c, image: i, ports: [{name: http, containerPort: 80}]}]}
                status: {podIP: 10.244.200.1}
                ---
                """);
        int policies = 1 + r.nextInt(4);
        for (int i = 0; i < policies; i++) {
            String ns = NAMESPACES.get(r.nextInt(2));
            sb.append("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p").append(i)
                    .append(", namespace: ").append(ns).append("}\nspec:\n  podSelector: ").append(selector(r, workloads)).append('\n');
            List<String> types = new ArrayList<>();
            if (r.nextBoolean()) {
                types.add("Ingress");
            }
            if (r.nextBoolean() || types.isEmpty()) {
                types.add("Egress");
            }
            sb.append("  policyTypes: [").append(String.join(", ", types)).append("]\n");
            for (String t : types) {
                int rules = r.nextInt(3);
                sb.append("  ").append(t.equals("Ingress") ? "ingress" : "egress").append(":").append(rules == 0 ? " []\n" : "\n");
                for (int k = 0; k < rules; k++) {
                    sb.append("    - ").append(t.equals("Ingress") ? "from" : "to").append(": [").append(peer(r, workloads)).append("]\n");
                    switch (r.nextInt(3)) {
                        case 0 -> sb.append("      ports: [{port: 80}]\n");
                        case 1 -> sb.append("      ports: [{port: http}]\n");
                        default -> { }
                    }
                }
            }
            sb.append("---\n");
        }
        return sb.toString();
    }

    private static String selector(Random r, List<Workload> workloads) {
        return switch (r.nextInt(5)) {
            case 0 -> "{}";
            case 1 -> "{matchLabels: {app: " + List.of("a", "b", "c").get(r.nextInt(3)) + "}}";
            case 2 -> "{matchLabels: {tier: " + List.of("x", "y").get(r.nextInt(2)) + "}}";
            case 3 -> {
                // one ordinal of a StatefulSet, or a Job by the label its controller adds
                Workload w = workloads.get(r.nextInt(workloads.size()));
                yield r.nextBoolean() ? "{matchLabels: {statefulset.kubernetes.io/pod-name: " + w.name() + "-" + r.nextInt(2) + "}}"
                        : "{matchLabels: {job-name: " + w.name() + "}}";
            }
            default -> "{matchExpressions: [{key: tier, operator: DoesNotExist}]}";
        };
    }

    private static String peer(Random r, List<Workload> workloads) {
        return switch (r.nextInt(5)) {
            case 0 -> "{podSelector: " + selector(r, workloads) + "}";
            case 1 -> "{namespaceSelector: {matchLabels: {team: " + List.of("a", "b").get(r.nextInt(2)) + "}}, podSelector: "
                    + selector(r, workloads) + "}";
            case 2 -> "{namespaceSelector: {}}";
            case 3 -> "{ipBlock: {cidr: 10.244.0.0/16, except: [10.244.0.0/30]}}";
            default -> "{ipBlock: {cidr: 10.1.0.0/24}}";
        };
    }

    private static String workloadsYaml(List<Workload> workloads) {
        StringBuilder sb = new StringBuilder();
        for (Workload w : workloads) {
            sb.append("apiVersion: ").append(w.apiVersion()).append("\nkind: ").append(w.kind()).append("\nmetadata: {name: ")
                    .append(w.name()).append(", namespace: ").append(w.ns()).append("}\nspec:\n");
            switch (w.kind()) {
                case "Job" -> sb.append("  parallelism: ").append(w.replicas()).append("\n  template:\n").append(template(w, "    "));
                case "CronJob" -> sb.append("  schedule: \"@daily\"\n  jobTemplate:\n    spec:\n      parallelism: ")
                        .append(w.replicas()).append("\n      template:\n").append(template(w, "        "));
                default -> {
                    if (!w.kind().equals("DaemonSet")) {
                        sb.append("  replicas: ").append(w.replicas()).append('\n');
                    }
                    sb.append("  selector: {matchLabels: ").append(flow(w.labels())).append("}\n  template:\n").append(template(w, "    "));
                }
            }
            sb.append("---\n");
        }
        return sb.toString();
    }

    /** The pod template, each line indented by {@code indent}. */
    private static String template(Workload w, String indent) {
        return indent + "metadata: {labels: " + flow(w.labels()) + "}\n" + indent + "spec:\n"
                + (w.hostNetwork() ? indent + "  hostNetwork: true\n" : "")
                + indent + "  containers: [{name: c, image: i" + (w.httpPort() == null ? "" : ", ports: [{name: http, containerPort: "
                + w.httpPort() + "}]") + "}]\n";
    }

    private static String podYaml(Workload w, String name, int ordinal, Pod addressed) {
        StringBuilder sb = new StringBuilder("apiVersion: v1\nkind: Pod\nmetadata: {name: ").append(name).append(", namespace: ")
                .append(w.ns()).append(", labels: ").append(flow(w.podLabels(ordinal))).append("}\nspec:\n");
        if (w.hostNetwork()) {
            sb.append("  hostNetwork: true\n  nodeName: ").append(addressed.nodeName()).append('\n');
        }
        sb.append("  containers: [{name: c, image: i").append(w.httpPort() == null ? "" : ", ports: [{name: http, containerPort: "
                + w.httpPort() + "}]").append("}]\nstatus: {podIP: ").append(addressed.ips().get(0)).append("}\n---\n");
        return sb.toString();
    }

    private static String flow(Map<String, String> labels) {
        List<String> parts = new ArrayList<>();
        labels.forEach((k, v) -> parts.add(k + ": \"" + v + "\""));
        return "{" + String.join(", ", parts) + "}";
    }
}
