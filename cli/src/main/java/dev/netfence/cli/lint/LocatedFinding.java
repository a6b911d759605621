package dev.netfence.cli.lint;

import dev.netfence.policy.analysis.Finding;

/** A finding and where its object is written: {@code file}, the line of the field and the line the object starts. */
public record LocatedFinding(Finding finding, String file, int line, int objectLine) {
}
