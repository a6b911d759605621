package dev.netfence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.cli.Netfence.Result;
import org.junit.jupiter.api.Test;

/**
 * A typo'd field is refused as the API server refuses it (the issue: {@code ingres:} made a policy
 * deny-all and lint said "0 errors"), and {@code --lenient} lets it through as a warning.
 */
class StrictFieldsTest {

    static final String DIR = "src/test/resources/strict/";
    static final String TYPO = "error: " + DIR + "networkpolicy-ingres.yaml:12: NetworkPolicy shop/allow-web: spec.ingres: "
            + "unknown field \"ingres\"; did you mean \"ingress\"?\n";

    @Test
    void simulateRefusesAnUnknownField() {
        Result r = Netfence.run("simulate", "-f", DIR, "--port", "80");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo(TYPO);
    }

    @Test
    void explainRefusesAnUnknownField() {
        Result r = Netfence.run("explain", "-f", DIR, "--from", "shop/client", "--to", "shop/web", "--port", "80");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo(TYPO);
    }

    @Test
    void lintRefusesAnUnknownField() {
        Result r = Netfence.run("lint", "-f", DIR);
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.out()).isEqualTo(DIR + "networkpolicy-ingres.yaml:12: error invalid NetworkPolicy shop/allow-web spec.ingres: "
                + "unknown field \"ingres\"; did you mean \"ingress\"?\n1 error, 0 warnings\n");
    }

    @Test
    void lenientWarnsAndIgnoresTheField() {
        Result r = Netfence.run("explain", "-f", DIR, "--lenient", "--from", "shop/client", "--to", "shop/web", "--port", "80");
        assertThat(r.exitCode()).isZero();
        assertThat(r.err()).isEqualTo("warning: " + DIR + "networkpolicy-ingres.yaml:12: NetworkPolicy shop/allow-web: spec.ingres: "
                + "unknown field \"ingres\"; did you mean \"ingress\"? (ignored: --lenient)\n");
        assertThat(r.out()).as("what the cluster would do with the typo: deny").contains("DENIED");
    }
}
