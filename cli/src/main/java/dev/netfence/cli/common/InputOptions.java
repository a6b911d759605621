package dev.netfence.cli.common;

import dev.netfence.cli.UserInputException;
import dev.netfence.crds.manifest.LoadOptions;
import dev.netfence.crds.manifest.Manifests;
import dev.netfence.crds.manifest.WorkloadPods;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.net.Cidr;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where a command reads the cluster from: manifests ({@code -f FILE_OR_DIR [-f ...]}) or a live
 * cluster ({@code --kubeconfig}/{@code --context}), and how workloads become pods
 * ({@code --pod-network}). Shared by simulate, explain and query-target.
 */
public class InputOptions {

    @Option(names = {"-f", "--filename"}, paramLabel = "FILE_OR_DIR",
            description = "Manifest file or directory (read recursively: *.yaml, *.yml, *.json). Repeatable. "
                    + "A file over 8 MiB, or a document nested deeper than 64 levels, is refused. "
                    + "Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs and CronJobs become one pod each, "
                    + "named KIND/NAME (deploy/web).")
    List<Path> paths = new ArrayList<>();

    @Mixin
    LiveCluster live;

    @Option(names = "--lenient",
            description = "Unknown fields (typos such as 'ingres') are warnings and ignored, like kubectl --validate=warn; "
                    + "by default they are errors, like the API server's strict field validation.")
    boolean lenient;

    @Option(names = "--pod-network", paramLabel = "CIDR",
            description = "The cluster's pod network, where the pods of workloads get their addresses (ipBlocks are judged "
                    + "on them); an IPv4 and an IPv6 one make them dual-stack. Repeatable (default: 10.244.0.0/16).")
    List<String> podNetworks = new ArrayList<>();

    /** Reads the cluster; notes (skipped objects, workloads as pods) and lenient-mode warnings go to {@code err}. */
    public ClusterInput load(PrintWriter err) {
        if (paths.isEmpty() && !live.requested()) {
            throw new UserInputException("no input: give manifests with -f FILE_OR_DIR, or a cluster with --kubeconfig FILE "
                    + "or --context NAME");
        }
        if (!paths.isEmpty() && live.requested()) {
            throw new UserInputException("-f and --kubeconfig/--context both given: read the cluster from one of them");
        }
        List<Cidr> networks = networks();
        Manifests manifests = live.requested() ? live.read(err) : loadFiles(err);
        WorkloadPods workloads = WorkloadPods.of(manifests, networks);
        describe(workloads, networks, err);
        err.flush();
        return ClusterInput.of(manifests, workloads);
    }

    private List<Cidr> networks() {
        List<Cidr> out = new ArrayList<>();
        for (String text : podNetworks) {
            try {
                out.add(Cidr.parse(text));
            } catch (IllegalArgumentException e) {
                throw new UserInputException("--pod-network " + text + ": not a CIDR (write e.g. 10.244.0.0/16)");
            }
        }
        return out;
    }

    private Manifests loadFiles(PrintWriter err) {
        return ManifestOptions.load(LoadOptions.STRICT.withLenient(lenient), paths, err);
    }

    /** One line: which workloads became which pods, and from which network they got addresses. */
    static void describe(WorkloadPods workloads, List<Cidr> networks, PrintWriter err) {
        workloads.notes().forEach(n -> err.println("note: " + n));
        List<Pod> pods = workloads.pods();
        if (pods.isEmpty()) {
            return;
        }
        String names = pods.stream().map(Pod::key).collect(Collectors.joining(", "));
        String from = (networks.isEmpty() ? List.of(WorkloadPods.DEFAULT_POD_NETWORK) : networks).stream()
                .map(Cidr::toString).collect(Collectors.joining(" and "));
        err.println("note: " + pods.size() + (pods.size() == 1 ? " workload stands" : " workloads stand")
                + " for the pods " + (pods.size() == 1 ? "it" : "they") + " will run (one pod each, named KIND/NAME, with an address from " + from
                + (networks.isEmpty() ? ", --pod-network" : "") + "): " + names);
    }

}
