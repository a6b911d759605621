package dev.netfence.crds.manifest;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The input is wrong (a user error, not a bug): unreadable files, YAML that does not parse, fields
 * of the wrong type, invalid policies. Carries every problem found, so that one run reports them all.
 */
public class ManifestException extends RuntimeException {

    private final List<ManifestProblem> problems;
    private final List<ManifestProblem> warnings;

    public ManifestException(List<ManifestProblem> problems) {
        this(problems, List.of());
    }

    /** {@code warnings}: what lenient mode let through (unknown fields), reported next to the problems. */
    public ManifestException(List<ManifestProblem> problems, List<ManifestProblem> warnings) {
        super(problems.stream().map(ManifestProblem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
        this.warnings = List.copyOf(warnings);
    }

    public ManifestException(ManifestProblem problem) {
        this(List.of(problem));
    }

    public List<ManifestProblem> problems() {
        return problems;
    }

    public List<ManifestProblem> warnings() {
        return warnings;
    }
}
