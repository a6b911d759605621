package dev.netfence.lab;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs iproute2 scripts with {@code ip [-n NS] [-force] -batch -}: one process for many commands. */
final class IpBatch {

    private static final Pattern FAILED_LINE = Pattern.compile("Command failed -:(\\d+)");

    private IpBatch() {
    }

    /**
     * Runs {@code lines} in {@code namespace} (null: the machine's namespace). With {@code force}
     * ip keeps going after a failing line (used for removal, where some objects may be gone).
     */
    static void run(String namespace, List<String> lines, boolean force) {
        run("ip", namespace, lines, force);
    }

    /** The same with iproute2's {@code bridge} (FDB entries). */
    static void bridge(String namespace, List<String> lines) {
        run("bridge", namespace, lines, false);
    }

    private static void run(String program, String namespace, List<String> lines, boolean force) {
        if (lines.isEmpty()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of(program));
        if (namespace != null) {
            command.addAll(List.of("-n", namespace));
        }
        if (force) {
            command.add("-force");
        }
        command.addAll(List.of("-batch", "-"));
        String where = namespace == null ? "" : " in network namespace " + namespace;
        try {
            Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try (OutputStream in = process.getOutputStream()) {
                in.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new LabException(program + " -batch" + where + " did not finish within 60 s");
            }
            if (process.exitValue() != 0 && !force) {
                Matcher m = FAILED_LINE.matcher(errors);
                String line = m.find() ? " at `" + program + " " + lines.get(Integer.parseInt(m.group(1)) - 1) + "`" : "";
                throw new LabException(program + " -batch" + where + " failed" + line + ": " + errors);
            }
        } catch (IOException e) {
            throw new LabException("cannot run `" + program + "` (iproute2): " + e.getMessage()
                    + "; install it (apt-get install iproute2)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while running " + program + " -batch" + where, e);
        }
    }
}
