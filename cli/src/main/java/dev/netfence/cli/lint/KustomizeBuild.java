package dev.netfence.cli.lint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code kubectl kustomize DIR}: what Argo CD and Flux apply for a Kustomize directory. The output
 * is written to a file so that the loader reads it like any manifest; findings in it are reported
 * at the directory's kustomization file.
 */
final class KustomizeBuild {

    static final long TIMEOUT_SECONDS = 60;

    private KustomizeBuild() {
    }

    /** True when {@code kubectl} is on the PATH. */
    static boolean kubectlAvailable() {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "kubectl"))) {
                return true;
            }
        }
        return false;
    }

    /** Builds {@code dir} into {@code output}; the error is kubectl's own message when the build fails. */
    static void build(Path dir, Path output) throws IOException, BuildFailed {
        Path errors = Files.createTempFile("netfence-kustomize", ".err");
        try {
            Process p = new ProcessBuilder(List.of("kubectl", "kustomize", dir.toString()))
                    .redirectOutput(output.toFile()).redirectError(errors.toFile()).start();
            boolean done;
            try {
                done = p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new BuildFailed("interrupted");
            }
            if (!done) {
                p.destroyForcibly();
                throw new BuildFailed("kubectl kustomize took more than " + TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                String message = Files.readString(errors, StandardCharsets.UTF_8).strip();
                throw new BuildFailed("kubectl kustomize failed: " + (message.isEmpty() ? "exit " + p.exitValue() : message));
            }
        } finally {
            Files.deleteIfExists(errors);
        }
    }

    static final class BuildFailed extends Exception {
        BuildFailed(String message) {
            super(message);
        }
    }
}
