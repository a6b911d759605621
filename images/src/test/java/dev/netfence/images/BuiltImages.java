package dev.netfence.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code images/build --no-maven} once per test JVM: the reactor has packaged the three
 * applications before this module's tests (this module depends on their poms), so the build only
 * stages their fast-jar directories onto the cached base images and copies the results into the
 * local containers store, under the names the install bundle uses. Its output goes to
 * {@code images/target/images-build.log}.
 */
final class BuiltImages {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static boolean built;

    private BuiltImages() {
    }

    static synchronized void ensure() throws IOException, InterruptedException {
        if (built) {
            return;
        }
        Path log = Path.of("target", "images-build.log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(List.of(ROOT.resolve("images/build").toString(), "--no-maven"))
                .directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(20, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("images/build did not finish within 20 minutes; see " + log);
        }
        String output = Files.readString(log);
        System.out.println(output.lines().filter(l -> l.startsWith("images/build:")).reduce("", (a, b) -> a + b + "\n"));
        if (p.exitValue() != 0) {
            throw new IllegalStateException("images/build exited " + p.exitValue() + ":\n" + output);
        }
        built = true;
    }
}
