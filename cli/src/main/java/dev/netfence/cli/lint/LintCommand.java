package dev.netfence.cli.lint;

import dev.netfence.crds.manifest.LoadOptions;
import dev.netfence.crds.manifest.ManifestException;
import dev.netfence.crds.manifest.ManifestLoader;
import dev.netfence.crds.manifest.ManifestNote;
import dev.netfence.crds.manifest.ManifestProblem;
import dev.netfence.crds.manifest.ManifestObject;
import dev.netfence.crds.manifest.Manifests;
import dev.netfence.crds.manifest.WorkloadPods;
import dev.netfence.cli.UserInputException;
import dev.netfence.policy.net.Cidr;
import dev.netfence.policy.analysis.Finding;
import dev.netfence.policy.analysis.Rules;
import dev.netfence.policy.analysis.Severity;
import dev.netfence.policy.model.Pod;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code netfence lint -f FILE_OR_DIR [...] [--format ...] [--fail-on error|warning]}: the webhook's
 * analysis on manifests, over a whole GitOps repository ({@link RepositoryScan} says what is read).
 * Exit 0 when no finding reaches the threshold, 1 when one does, 2 when the input cannot be used;
 * then the problems are findings of rule {@code invalid} in the chosen format, so that code
 * scanning and CI annotations show them too.
 */
@Command(name = "lint", mixinStandardHelpOptions = true,
        description = {"Check NetworkPolicy and DefaultDeny manifests the way the admission webhook does: critical flows "
                + "(DNS and CriticalFlow objects in the files) and lint rules.",
                "Directories are read as a GitOps repository: hidden paths, Helm charts and templates, and paths matched by "
                        + "--exclude or .netfenceignore are skipped (and counted); Kustomize directories are built with "
                        + "kubectl kustomize when kubectl is installed; YAML that is no Kubernetes object is skipped.",
                "Namespaces, pods and nodes are taken from the files (or from --cluster-from DIR, or from the live cluster of "
                        + "--kubeconfig/--context); workloads (Deployments, StatefulSets, ...) stand for the pods they run. "
                        + "Without any pod, the rules that need pods are skipped with a note. The default DNS pods "
                        + "(kube-system, k8s-app=kube-dns) are assumed when the input holds none.",
                "Without -f, --kubeconfig/--context lint the live cluster's own policies."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:no finding reaches --fail-on", "1:a finding reaches --fail-on",
                "2:unusable input (reported as findings of rule invalid)"})
public class LintCommand implements Callable<Integer> {

    public static final int OK = 0;
    public static final int FINDINGS = 1;
    public static final int UNUSABLE_INPUT = 2;

    /** The rules that judge policies against pods: silent, with a note, when the input has no pod at all. */
    static final Set<String> NEED_PODS = Set.of(Rules.SELECTS_NO_PODS, Rules.UNEXPOSED_NAMED_PORT, Rules.IPBLOCK_COVERS_PODS);

    @Spec
    CommandSpec spec;

    @Option(names = {"-f", "--filename"}, paramLabel = "FILE_OR_DIR",
            description = "Manifest file or directory (*.yaml, *.yml, *.json, recursively); repeatable. "
                    + "A file over 8 MiB, or a document nested deeper than 64 levels, is refused.")
    List<Path> paths = new ArrayList<>();

    @picocli.CommandLine.Mixin
    dev.netfence.cli.common.LiveCluster live;

    @Option(names = "--pod-network", paramLabel = "CIDR",
            description = "The cluster's pod network, where the pods of workloads get their addresses; repeatable "
                    + "(default: 10.244.0.0/16).")
    List<String> podNetworks = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "GLOB",
            description = "Skip paths matching GLOB, relative to each directory given with -f (a glob without / matches a "
                    + "file or directory name at any depth, e.g. 'test*' or 'charts/**'); repeatable. "
                    + "A .netfenceignore file in the directory lists more, one per line.")
    List<String> excludes = new ArrayList<>();

    @Option(names = "--cluster-from", paramLabel = "DIR",
            description = "Read the cluster's namespaces, pods and nodes from DIR (for a repository that holds only "
                    + "policies); repeatable.")
    List<Path> clusterFrom = new ArrayList<>();

    @Option(names = "--service-cidr", paramLabel = "CIDR",
            description = "The cluster's service CIDR (kube-apiserver --service-cluster-ip-range): ipBlocks overlapping it "
                    + "are flagged like those covering a Service's ClusterIP; repeatable.")
    List<String> serviceCidrs = new ArrayList<>();

    @Option(names = "--base-dir", paramLabel = "DIR",
            description = "The repository root: file names in the output are relative to it (default: the current directory).")
    Path baseDir;

    @Option(names = "--lenient",
            description = "Unknown fields (typos such as 'ingres') are warnings instead of errors, and ignored.")
    boolean lenient;

    @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT",
            description = "text, json, sarif (2.1.0), junit or github (workflow annotations) (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--fail-on", defaultValue = "error", paramLabel = "SEVERITY",
            description = "Exit 1 when a finding of this severity or worse is found: error or warning (default: ${DEFAULT-VALUE}).")
    String failOn;

    /** The repository root, absolute. */
    private Path base;

    private final List<dev.netfence.policy.net.Cidr> cidrs = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LintFormat lintFormat;
        Severity threshold;
        try {
            lintFormat = LintFormat.parse(format);
            threshold = severity(failOn);
        } catch (IllegalArgumentException e) {
            err.println("netfence lint: " + e.getMessage());
            err.flush();
            return UNUSABLE_INPUT;
        }
        base = (baseDir != null ? baseDir : Path.of("")).toAbsolutePath().normalize();
        if (paths.isEmpty() && !live.requested()) {
            throw new UserInputException("no input: give manifests with -f FILE_OR_DIR, or a cluster with --kubeconfig FILE "
                    + "or --context NAME");
        }
        if (live.requested() && !clusterFrom.isEmpty()) {
            throw new UserInputException("--cluster-from and --kubeconfig/--context both give the cluster: use one of them");
        }
        List<Cidr> networks = new ArrayList<>();
        for (String text : podNetworks) {
            try {
                networks.add(Cidr.parse(text));
            } catch (IllegalArgumentException e) {
                throw new UserInputException("--pod-network " + text + ": not a CIDR (write e.g. 10.244.0.0/16)");
            }
        }
        // read the cluster first: an unreachable one stops the command before any file work
        Manifests liveCluster = live.requested() ? live.read(err) : null;
        List<LocatedFinding> invalid = new ArrayList<>();
        RepositoryScan scan = new RepositoryScan(excludes, KustomizeBuild.kubectlAvailable());
        for (Path p : paths) {
            if (!Files.exists(p)) {
                invalid.add(invalid(new ManifestProblem(p, 0, null, null, "no such file or directory")));
                continue;
            }
            scan.add(p);
        }
        for (String c : serviceCidrs) {
            try {
                cidrs.add(dev.netfence.policy.net.Cidr.parse(c));
            } catch (IllegalArgumentException e) {
                err.println("netfence lint: --service-cidr " + c + ": not a CIDR (write e.g. 10.96.0.0/12)");
                err.flush();
                return UNUSABLE_INPUT;
            }
        }
        Path buildDir = Files.createTempDirectory("netfence-lint");
        try {
            Map<Path, RepositoryScan.Kustomization> built = new HashMap<>();
            List<Path> files = new ArrayList<>(scan.files());
            int i = 0;
            for (RepositoryScan.Kustomization k : scan.kustomizations()) {
                Path output = buildDir.resolve("kustomization-" + i++ + ".yaml");
                try {
                    KustomizeBuild.build(k.directory(), output);
                    built.put(output, k);
                    files.add(output);
                } catch (KustomizeBuild.BuildFailed e) {
                    invalid.add(invalid(new ManifestProblem(k.file(), 0, null, null, e.getMessage())));
                }
            }
            scan.notes().forEach(n -> err.println("note: " + n));
            LoadOptions options = LoadOptions.STRICT.withLenient(lenient).withSkipNonKubernetes(true);
            Manifests manifests = null;
            Manifests cluster = null;
            try {
                // lint --kubeconfig without -f: the cluster's own policies
                manifests = paths.isEmpty() ? liveCluster : load(options, files, err, built);
            } catch (ManifestException e) {
                e.warnings().forEach(w -> err.println("warning: " + relocate(w, built) + " (ignored: --lenient)"));
                e.problems().forEach(p -> invalid.add(invalid(relocate(p, built))));
            }
            try {
                cluster = !clusterFrom.isEmpty() ? load(options, clusterFrom, err, Map.of())
                        : paths.isEmpty() ? null : liveCluster;
            } catch (ManifestException e) {
                e.problems().forEach(p -> invalid.add(invalid(p)));
            }
            String skipped = scan.summary();
            if (skipped != null) {
                err.println("note: " + skipped);
            }
            List<LocatedFinding> findings = new ArrayList<>(invalid);
            if (invalid.isEmpty()) {
                findings.addAll(analyse(manifests, cluster, networks, built, err));
            }
            List<LocatedFinding> shown = findings.stream().map(f -> relativeTo(base, f))
                    .sorted(Comparator.comparing(LocatedFinding::file).thenComparingInt(LocatedFinding::line)).toList();
            err.flush();
            out.print(lintFormat.render(shown, threshold));
            out.flush();
            if (!invalid.isEmpty()) {
                return UNUSABLE_INPUT;
            }
            return shown.stream().anyMatch(f -> f.finding().severity().reaches(threshold)) ? FINDINGS : OK;
        } finally {
            deleteTree(buildDir);
        }
    }

    private Manifests load(LoadOptions options, List<Path> files, PrintWriter err, Map<Path, RepositoryScan.Kustomization> built) {
        Manifests m = ManifestLoader.load(options, files);
        int notKubernetes = 0;
        for (ManifestNote note : m.notes()) {
            if (note.reason() == ManifestNote.Reason.NOT_KUBERNETES) {
                notKubernetes++;
            } else {
                err.println("note: " + relocate(note, built));
            }
        }
        if (notKubernetes > 0) {
            err.println("note: skipped " + notKubernetes + (notKubernetes == 1 ? " YAML document that is" : " YAML documents that are")
                    + " no Kubernetes object (no apiVersion and kind)");
        }
        m.warnings().forEach(w -> err.println("warning: " + relocate(w, built) + " (ignored: --lenient)"));
        return m;
    }

    private List<LocatedFinding> analyse(Manifests manifests, Manifests cluster, List<Cidr> networks,
                                         Map<Path, RepositoryScan.Kustomization> built, PrintWriter err) {
        // the workloads of the repository and of --cluster-from alike stand for their pods, given addresses once
        List<ManifestObject> all = new ArrayList<>(manifests.objects());
        if (cluster != null) {
            all.addAll(cluster.objects());
        }
        WorkloadPods workloads = WorkloadPods.of(new Manifests(all, List.of()), networks);
        workloads.notes().forEach(n -> err.println("note: " + relocate(n, built)));
        if (!workloads.pods().isEmpty()) {
            err.println("note: " + workloads.pods().size() + (workloads.pods().size() == 1 ? " workload stands" : " workloads stand")
                    + " for the pods " + (workloads.pods().size() == 1 ? "it" : "they") + " will run (one pod each, named KIND/NAME): "
                    + workloads.pods().stream().map(Pod::key).collect(java.util.stream.Collectors.joining(", ")));
        }
        List<LocatedFinding> findings = new ManifestLinter(dev.netfence.policy.analysis.AnalysisConfig.DEFAULT,
                dev.netfence.policy.model.ClusterDns.DEFAULT, cidrs).lint(manifests, cluster, workloads.pods());
        boolean anyPod = !manifests.objectsOf(Pod.class).isEmpty() || (cluster != null && !cluster.objectsOf(Pod.class).isEmpty())
                || !workloads.pods().isEmpty();
        if (!anyPod) {
            long dropped = findings.stream().filter(f -> NEED_PODS.contains(f.finding().ruleId())).count();
            findings = findings.stream().filter(f -> !NEED_PODS.contains(f.finding().ruleId())).toList();
            err.println("note: no pods in the input: rules " + String.join(", ", NEED_PODS.stream().sorted().toList())
                    + " were not run" + (dropped > 0 ? " (" + dropped + " possible findings left out)" : "")
                    + "; give the cluster's namespaces and pods (or workloads) with --cluster-from DIR, or read them from the "
                    + "cluster with --kubeconfig/--context");
        }
        List<LocatedFinding> out = new ArrayList<>();
        for (LocatedFinding f : findings) {
            RepositoryScan.Kustomization k = built.get(Path.of(f.file()));
            out.add(k == null ? f : new LocatedFinding(withNote(f.finding(), " (in the output of kubectl kustomize "
                    + display(k.directory()) + ", line " + f.line() + ")"), k.file().toString(), 1, 1));
        }
        return out;
    }

    private static Finding withNote(Finding f, String note) {
        return new Finding(f.ruleId(), f.severity(), f.object(), f.fieldPath(), f.message() + note, f.fix(), f.flow(), f.summary());
    }

    static LocatedFinding invalid(ManifestProblem p) {
        Finding f = new Finding(Rules.INVALID, Severity.ERROR, p.object(), p.fieldPath() == null ? "" : p.fieldPath(),
                p.message(), null, null);
        return new LocatedFinding(f, p.file().toString(), p.line(), p.line());
    }

    /** A path as the output shows it: relative to the repository root when it is under it. */
    private String display(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        return abs.startsWith(base) && !abs.equals(base) ? base.relativize(abs).toString().replace('\\', '/') : p.toString();
    }

    /** A problem in a kustomize build's output is reported at the kustomization file, saying where in the output. */
    private ManifestProblem relocate(ManifestProblem p, Map<Path, RepositoryScan.Kustomization> built) {
        RepositoryScan.Kustomization k = built.get(p.file());
        return k == null ? p : new ManifestProblem(k.file(), 1, p.object(), p.fieldPath(), p.message()
                + " (in the output of kubectl kustomize " + display(k.directory()) + ", line " + p.line() + ")");
    }

    private String relocate(ManifestNote n, Map<Path, RepositoryScan.Kustomization> built) {
        RepositoryScan.Kustomization k = built.get(n.file());
        return k == null ? n.toString() : k.file() + ": " + n.message() + " (in the output of kubectl kustomize " + display(k.directory()) + ")";
    }

    /** The file relative to the repository root when it is under it (SARIF and GitHub annotations need that). */
    static LocatedFinding relativeTo(Path base, LocatedFinding f) {
        if (f.file().isEmpty()) {
            return f;
        }
        Path file = Path.of(f.file()).toAbsolutePath().normalize();
        if (!file.startsWith(base)) {
            return f;
        }
        String relative = base.relativize(file).toString().replace('\\', '/');
        return new LocatedFinding(f.finding(), relative, f.line(), f.objectLine());
    }

    private static Severity severity(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "error" -> Severity.ERROR;
            case "warning" -> Severity.WARNING;
            default -> throw new IllegalArgumentException("--fail-on \"" + value + "\": use error or warning");
        };
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // a temporary directory left behind is not worth failing the lint for
        }
    }
}
