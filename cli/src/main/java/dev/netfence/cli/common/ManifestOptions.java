package dev.netfence.cli.common;

import dev.netfence.crds.manifest.ManifestLoader;
import dev.netfence.crds.manifest.ManifestNote;
import dev.netfence.crds.manifest.Manifests;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code -f FILE_OR_DIR [-f ...]}: the manifests a command reads, shared by every command that reads a cluster from files. */
public class ManifestOptions {

    @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE_OR_DIR",
            description = "Manifest file or directory (read recursively: *.yaml, *.yml, *.json). Repeatable.")
    List<Path> paths;

    /** Loads the manifests; notes about skipped objects go to {@code err}. Bad input throws ManifestException. */
    public Manifests load(PrintWriter err) {
        Manifests manifests = ManifestLoader.load(paths);
        for (ManifestNote note : manifests.notes()) {
            err.println("note: " + note);
        }
        err.flush();
        return manifests;
    }

    public List<Path> paths() {
        return paths;
    }
}
