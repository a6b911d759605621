package dev.netfence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import org.junit.jupiter.api.Test;

/** {@code netfence simulate} through the real Quarkus main, on the samples the README's quick start runs. */
@QuarkusMainTest
class SimulateCommandTest {

    static final String SAMPLES = "../samples";

    /**
     * On port 80: the web front end is open to all (web-public); the API only to the web front end;
     * the payments gateway only to the API; the database not at all (DefaultDeny, 5432 only). The
     * API and the payments pods are isolated for egress, and a pod's traffic to itself is always allowed.
     */
    @Test
    void samplesMatrixAsText(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("simulate", "-f", SAMPLES, "--port", "80");
        assertThat(result.exitCode()).isZero();
        assertThat(result.getOutput()).isEqualTo("""
                from\\to                kube-system/coredns  monitoring/prometheus  payments/db  payments/gateway  shop/api  shop/web
                kube-system/coredns    .                    .                      X            X                 X         .
                monitoring/prometheus  .                    .                      X            X                 X         .
                payments/db            X                    X                      .            X                 X         X
                payments/gateway       X                    X                      X            .                 X         X
                shop/api               X                    X                      X            .                 .         X
                shop/web               .                    .                      X            X                 .         .""");
        assertThat(result.getErrorOutput()).isEmpty();
    }

    @Test
    void samplesMatrixAsJson(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("simulate", "-f", SAMPLES, "--port", "80", "-o", "json");
        assertThat(result.exitCode()).isZero();
        assertThat(result.getOutput()).isEqualTo("{\"port\": 80, \"protocol\": \"TCP\", \"pods\": [\"kube-system/coredns\", "
                + "\"monitoring/prometheus\", \"payments/db\", \"payments/gateway\", \"shop/api\", \"shop/web\"], \"allowed\": ["
                + "[true, true, false, false, false, true], "
                + "[true, true, false, false, false, true], "
                + "[false, false, true, false, false, false], "
                + "[false, false, false, true, false, false], "
                + "[false, false, false, true, true, false], "
                + "[true, true, false, false, true, true]]}");
    }
}
