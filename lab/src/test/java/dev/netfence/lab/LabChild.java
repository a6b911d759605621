package dev.netfence.lab;

/**
 * A separate JVM that brings a lab up and waits to be killed: lets {@link LabCleanupIT} check
 * what a Ctrl-C (SIGINT), a SIGTERM or a SIGKILL leaves behind.
 */
public final class LabChild {
    public static void main(String[] args) throws Exception {
        Lab lab = Lab.up(LabFixtures.twoNodes(), LabOptions.DEFAULT.withRunId(args[0]));
        System.out.println("UP " + lab.runId());
        System.out.flush();
        System.in.read(); // blocks until the parent kills us (or closes stdin)
        lab.close();
    }
}
