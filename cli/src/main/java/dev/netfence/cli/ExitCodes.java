package dev.netfence.cli;

/** Exit codes of every netfence command. */
public final class ExitCodes {
    /** The command did its job. */
    public static final int OK = 0;
    /** A bug: an unexpected exception (reported with its stack trace). */
    public static final int INTERNAL_ERROR = 1;
    /** Bad input: options, files, manifests or objects (reported as a message naming what to fix). */
    public static final int BAD_INPUT = 2;

    private ExitCodes() {
    }
}
