package dev.netfence.cli.lint;

import dev.netfence.crds.manifest.LoadOptions;
import dev.netfence.crds.manifest.ManifestException;
import dev.netfence.crds.manifest.ManifestLoader;
import dev.netfence.crds.manifest.ManifestProblem;
import dev.netfence.crds.manifest.Manifests;
import dev.netfence.policy.analysis.Severity;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code netfence lint -f FILE_OR_DIR [...] [--format ...] [--fail-on error|warning]}: the webhook's
 * analysis on manifests. Exit 0 when no finding reaches the threshold, 1 when one does, 2 when the
 * input cannot be used (unreadable, invalid objects, missing paths).
 */
@Command(name = "lint", mixinStandardHelpOptions = true,
        description = {"Checks NetworkPolicy and DefaultDeny manifests the way the admission webhook does: critical flows "
                + "(DNS and CriticalFlow objects in the files) and lint rules.",
                "Namespaces, pods and nodes are taken from the files; the default DNS pods (kube-system, "
                        + "k8s-app=kube-dns) are assumed when the files hold none."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:no finding reaches --fail-on", "1:a finding reaches --fail-on", "2:unusable input"})
public class LintCommand implements Callable<Integer> {

    public static final int OK = 0;
    public static final int FINDINGS = 1;
    public static final int UNUSABLE_INPUT = 2;

    @Spec
    CommandSpec spec;

    @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE_OR_DIR",
            description = "Manifest file or directory (*.yaml, *.yml, *.json, recursively); repeatable. "
                    + "A file over 8 MiB, or a document nested deeper than 64 levels, is refused.")
    List<Path> paths;

    @Option(names = "--lenient",
            description = "Unknown fields (typos such as 'ingres') are warnings instead of errors, and ignored.")
    boolean lenient;

    @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT",
            description = "text, json, sarif, junit or github (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--fail-on", defaultValue = "error", paramLabel = "SEVERITY",
            description = "Exit 1 when a finding of this severity or worse is found: error or warning (default: ${DEFAULT-VALUE}).")
    String failOn;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LintFormat lintFormat;
        Severity threshold;
        try {
            lintFormat = LintFormat.parse(format);
            threshold = severity(failOn);
        } catch (IllegalArgumentException e) {
            err.println("netfence lint: " + e.getMessage());
            return UNUSABLE_INPUT;
        }
        for (Path p : paths) {
            if (!Files.exists(p)) {
                err.println("netfence lint: " + p + ": no such file or directory");
                return UNUSABLE_INPUT;
            }
        }
        Manifests manifests;
        try {
            manifests = ManifestLoader.load(LoadOptions.STRICT.withLenient(lenient), paths);
            manifests.warnings().forEach(w -> err.println("warning: " + w + " (ignored: --lenient)"));
        } catch (ManifestException e) {
            e.warnings().forEach(w -> err.println("warning: " + w + " (ignored: --lenient)"));
            for (ManifestProblem problem : e.problems()) {
                err.println(problem);
            }
            err.println("netfence lint: " + e.problems().size() + (e.problems().size() == 1 ? " problem" : " problems")
                    + " in the input; nothing was analysed");
            return UNUSABLE_INPUT;
        }
        List<LocatedFinding> findings = new ManifestLinter().lint(manifests);
        out.print(lintFormat.render(findings, threshold));
        out.flush();
        return findings.stream().anyMatch(f -> f.finding().severity().reaches(threshold)) ? FINDINGS : OK;
    }

    private static Severity severity(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "error" -> Severity.ERROR;
            case "warning" -> Severity.WARNING;
            default -> throw new IllegalArgumentException("--fail-on \"" + value + "\": use error or warning");
        };
    }
}
