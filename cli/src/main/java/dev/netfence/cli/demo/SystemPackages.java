package dev.netfence.cli.demo;

import dev.netfence.cli.UserInputException;
import dev.netfence.lab.Lab;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The Debian/Ubuntu packages the demo needs on the machine: {@code nftables} (the nft tool, for
 * looking at the rules), {@code libnftables1} (what the enforcer loads through JNA) and
 * {@code iproute2} (the lab's {@code ip}). Missing ones are installed with apt-get, saying so.
 */
final class SystemPackages {

    static final List<String> NEEDED = List.of("nftables", "libnftables1", "iproute2");

    private SystemPackages() {
    }

    /** Installs what is missing (root only); fails with the command to run when that is impossible. */
    static void ensureInstalled(PrintWriter err) {
        if (Lab.findExecutable("dpkg-query").isEmpty()) {
            return; // not Debian-like: the lab's own checks name what is missing
        }
        List<String> missing = new ArrayList<>();
        for (String pkg : NEEDED) {
            if (!installed(pkg)) {
                missing.add(pkg);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        String packages = String.join(" ", missing);
        if (Lab.findExecutable("apt-get").isEmpty()) {
            throw new UserInputException("missing packages " + packages + " and no apt-get to install them: install them, then rerun");
        }
        err.println("netfence demo: installing " + packages + " with apt-get (the demo needs them)");
        err.flush();
        run(err, List.of("apt-get", "update", "-q"));
        List<String> install = new ArrayList<>(List.of("apt-get", "install", "-y", "-q", "--no-install-recommends"));
        install.addAll(missing);
        if (run(err, install) != 0) {
            throw new UserInputException("apt-get could not install " + packages + ": run `apt-get install -y " + packages
                    + "` and rerun");
        }
    }

    private static boolean installed(String pkg) {
        try {
            Process p = new ProcessBuilder("dpkg-query", "-W", "-f=${Status}", pkg).redirectErrorStream(true).start();
            String status = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() == 0 && status.contains("install ok installed");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs a command with its output copied to {@code err} (stdout stays the demo's). */
    private static int run(PrintWriter err, List<String> command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
            Process p = pb.start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    err.println("  " + line);
                }
            }
            err.flush();
            return p.waitFor();
        } catch (IOException e) {
            throw new UserInputException("cannot run " + String.join(" ", command) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserInputException("interrupted while running " + String.join(" ", command));
        }
    }
}
