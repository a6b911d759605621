package dev.netfence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.cli.Netfence.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The case, end to end through the printed text: {@code app/allow-dns} ({@code podSelector: {}})
 * isolates the worker's egress; the fix must not add the rule there (it would open the flow for every
 * pod of {@code app}) but create a policy for the worker alone, and append to {@code data/pg}, which
 * selects only the database. Pasting both as printed allows the flow and changes one cell of the matrix.
 */
class FixSuggestionTest {

    static final Path CLUSTER = Path.of("src/test/resources/fixes/cluster.yaml");
    static final String WORKER = "app/worker-7d9f8b6c5-x2x4q";

    @Test
    void theFixNeverExtendsABroadPolicyAndPastingItOpensExactlyTheFlow(@TempDir Path dir) throws IOException {
        Result r = Netfence.run("explain", "-f", CLUSTER.toString(), "--from", WORKER, "--to", "data/pg-0", "--port", "443");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).doesNotContain("add this rule to NetworkPolicy app/allow-dns")
                .contains("To allow it, create this NetworkPolicy: it selects only " + WORKER + ", already isolated for Egress")
                .contains("To allow it, append this rule to the spec.ingress list of NetworkPolicy data/pg (it selects only data/pg-0):");
        List<List<String>> blocks = yamlBlocks(r.out());
        assertThat(blocks).hasSize(2);
        assertThat(String.join("\n", blocks.get(0)) + String.join("\n", blocks.get(1))).as("generated labels are not selected")
                .doesNotContain("pod-template-hash", "controller-revision-hash", "statefulset.kubernetes.io/pod-name");

        // paste: the new policy as its own file; the rule appended to data/pg's ingress list (the file's last lines)
        Files.writeString(dir.resolve("new-policy.yaml"), String.join("\n", blocks.get(0)) + "\n");
        List<String> appended = new ArrayList<>(Files.readAllLines(CLUSTER));
        List<String> snippet = blocks.get(1);
        assertThat(snippet.subList(0, 2)).containsExactly("spec:", "  ingress:");
        snippet.subList(2, snippet.size()).forEach(l -> appended.add("  " + l));   // the fixture's list is 2 deeper
        Files.write(dir.resolve("cluster.yaml"), appended);

        Result after = Netfence.run("explain", "-f", dir.toString(), "--from", WORKER, "--to", "data/pg-0", "--port", "443");
        assertThat(after.out()).startsWith("ALLOWED: ");

        String before = Netfence.run("simulate", "-f", CLUSTER.toString(), "--port", "443", "-o", "json").out();
        String fixed = Netfence.run("simulate", "-f", dir.toString(), "--port", "443", "-o", "json").out();
        assertThat(changedCells(before, fixed)).containsExactly(WORKER + " -> data/pg-0");
    }

    /** The indented YAML after each "To allow it" line, without the indentation. */
    static List<List<String>> yamlBlocks(String out) {
        List<List<String>> blocks = new ArrayList<>();
        List<String> current = null;
        for (String line : out.lines().toList()) {
            if (line.startsWith("  To allow it, ")) {
                current = new ArrayList<>();
                blocks.add(current);
            } else if (current != null && line.startsWith("    ")) {
                current.add(line.substring(4));
            } else {
                current = null;
            }
        }
        return blocks;
    }

    /** The cells that differ between two {@code simulate -o json} outputs. */
    static List<String> changedCells(String before, String after) throws IOException {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var b = mapper.readTree(before);
        var a = mapper.readTree(after);
        List<String> names = new ArrayList<>();
        b.path("pods").forEach(n -> names.add(n.asText()));
        assertThat(a.path("pods")).isEqualTo(b.path("pods"));
        List<String> changed = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            for (int j = 0; j < names.size(); j++) {
                if (!b.path("allowed").path(i).path(j).equals(a.path("allowed").path(i).path(j))) {
                    changed.add(names.get(i) + " -> " + names.get(j));
                }
            }
        }
        return changed;
    }
}
