package dev.netfence.cli.common;

import picocli.CommandLine.Option;

/** {@code -o/--output text|json}, shared by the commands that print a matrix or a verdict. */
public class OutputOption {

    @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "FORMAT",
            description = "text or json (default: ${DEFAULT-VALUE}).")
    OutputFormat format;

    public boolean json() {
        return format == OutputFormat.json;
    }
}
