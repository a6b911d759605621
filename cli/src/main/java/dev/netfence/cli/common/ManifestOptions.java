package dev.netfence.cli.common;

import dev.netfence.crds.manifest.LoadOptions;
import dev.netfence.crds.manifest.ManifestException;
import dev.netfence.crds.manifest.ManifestLoader;
import dev.netfence.crds.manifest.ManifestProblem;
import dev.netfence.crds.manifest.ManifestNote;
import dev.netfence.crds.manifest.Manifests;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code -f FILE_OR_DIR [-f ...]}: the manifests a command reads, shared by every command that reads a cluster from files. */
public class ManifestOptions {

    @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE_OR_DIR",
            description = "Manifest file or directory (read recursively: *.yaml, *.yml, *.json). Repeatable. "
                    + "A file over 8 MiB, or a document nested deeper than 64 levels, is refused.")
    List<Path> paths;

    @Option(names = "--lenient",
            description = "Unknown fields (typos such as 'ingres') are warnings and ignored, like kubectl --validate=warn; "
                    + "by default they are errors, like the API server's strict field validation.")
    boolean lenient;

    /** Loads the manifests; notes about skipped objects and lenient-mode warnings go to {@code err}. Bad input throws ManifestException. */
    public Manifests load(PrintWriter err) {
        return load(options(), paths, err);
    }

    /** Loads {@code paths} with {@code options}, printing the notes and lenient-mode warnings to {@code err}. */
    static Manifests load(LoadOptions options, List<Path> paths, PrintWriter err) {
        Manifests manifests;
        try {
            manifests = ManifestLoader.load(options, paths);
        } catch (ManifestException e) {
            printWarnings(err, e.warnings());
            throw e;
        }
        for (ManifestNote note : manifests.notes()) {
            err.println("note: " + note);
        }
        printWarnings(err, manifests.warnings());
        err.flush();
        return manifests;
    }

    public LoadOptions options() {
        return LoadOptions.STRICT.withLenient(lenient);
    }

    private static void printWarnings(PrintWriter err, List<ManifestProblem> warnings) {
        for (ManifestProblem w : warnings) {
            err.println("warning: " + w + " (ignored: --lenient)");
        }
        err.flush();
    }

    public List<Path> paths() {
        return paths;
    }
}
