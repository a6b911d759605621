package dev.netfence.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.netfence.lab.Lab;
import dev.netfence.lab.LabEnforcer;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code netfence lab probe} on the samples: the policies are enforced with nftables in a lab of
 * network namespaces, and the matrix measured with real packets is printed exactly as
 * {@code netfence simulate} prints the engine's.
 */
class LabCommandIT {

    static final String SAMPLES = "../samples";

    @BeforeEach
    void needsRootAndNftables() {
        assumeTrue(Lab.prerequisitesMissing().isEmpty(), () -> "skipped: " + Lab.prerequisitesMissing().orElse(""));
        assumeTrue(LabEnforcer.unavailableReason().isEmpty(), () -> "skipped: " + LabEnforcer.unavailableReason().orElse(""));
    }

    @Test
    void measuredMatrixIsPrintedLikeSimulateAndEqualsIt() {
        List<String> before = Lab.runs();

        for (String[] flow : new String[][] {{"80", "TCP"}, {"53", "UDP"}, {"5432", "TCP"}}) {
            Netfence.Result measured = Netfence.run("lab", "probe", "-f", SAMPLES, "--port", flow[0], "--protocol", flow[1]);
            Netfence.Result predicted = Netfence.run("simulate", "-f", SAMPLES, "--port", flow[0], "--protocol", flow[1]);

            assertThat(measured.exitCode()).as(measured.err()).isZero();
            assertThat(measured.out()).isEqualTo(predicted.out()).contains("X").contains(".");
            assertThat(measured.err()).contains("rules applied on 2 nodes").doesNotContain("warning");
        }
        Netfence.Result json = Netfence.run("lab", "probe", "-f", SAMPLES, "--port", "80", "-o", "json");
        assertThat(json.out()).isEqualTo(Netfence.run("simulate", "-f", SAMPLES, "--port", "80", "-o", "json").out());
        assertThat(Lab.runs()).as("every lab removed").isEqualTo(before);
    }

    @Test
    void withoutRulesEveryPodReachesEveryPod() {
        Netfence.Result result = Netfence.run("lab", "probe", "-f", SAMPLES, "--port", "80", "--no-rules");

        assertThat(result.exitCode()).isZero();
        List<String> rows = result.out().lines().skip(1).toList();
        assertThat(rows).hasSize(6).allSatisfy(row -> assertThat(row).doesNotContain("X"));
    }

    @Test
    void sctpIsLoadedButNotMeasured() {
        Netfence.Result result = Netfence.run("lab", "probe", "-f", SAMPLES, "--port", "80", "--protocol", "SCTP");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("SCTP/80: not measured:").contains("rules are rendered and loaded");
        assertThat(result.err()).contains("rules applied on 2 nodes");
    }

    @Test
    void aKeptLabIsRemovedByLabDown() {
        Netfence.Result kept = Netfence.run("lab", "probe", "-f", SAMPLES, "--port", "80", "--keep");
        Matcher id = Pattern.compile("lab (\\w+) kept").matcher(kept.err());
        assertThat(id.find()).as(kept.err()).isTrue();
        String runId = id.group(1);
        assertThat(Lab.runs()).contains(runId);

        Netfence.Result down = Netfence.run("lab", "down", runId);

        assertThat(down.exitCode()).isZero();
        assertThat(down.out()).contains("removed lab " + runId + " (9 network namespaces)");
        assertThat(Lab.runs()).doesNotContain(runId);
        Netfence.Result again = Netfence.run("lab", "down", runId);
        assertThat(again.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(again.err()).contains("no lab run " + runId);
    }
}
