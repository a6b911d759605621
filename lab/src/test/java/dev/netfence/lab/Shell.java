package dev.netfence.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Runs a command for a test and returns its exit code and output (stdout and stderr together). */
record Shell(int exitCode, String output) {

    static Shell run(String... command) {
        return withInput(null, command);
    }

    static Shell withInput(String stdin, String... command) {
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            try (var in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Shell(p.waitFor(), out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Shell ok() {
        if (exitCode != 0) {
            throw new AssertionError("command failed (" + exitCode + "): " + output);
        }
        return this;
    }
}
