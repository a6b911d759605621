package dev.netfence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@code simulate} and {@code explain} with a policy in audit mode: the samples plus a NetworkPolicy
 * annotated {@code netfence.dev/enforcement: audit} that would limit Prometheus's egress to DNS.
 * The enforced matrix is the samples' own; the cells the audited policy would deny are W.
 */
class AuditModeCommandTest {

    static final String AUDIT = "src/test/resources/audit";

    @Test
    void simulateMarksWouldDenyCells() {
        Netfence.Result result = Netfence.run("simulate", "-f", SimulateCommandTest.SAMPLES, "-f", AUDIT, "--port", "80");
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo("""
                from\\to                kube-system/coredns  monitoring/prometheus  payments/db  payments/gateway  shop/api  shop/web
                kube-system/coredns    .                    .                      X            X                 X         .
                monitoring/prometheus  W                    .                      X            X                 X         W
                payments/db            X                    X                      .            X                 X         X
                payments/gateway       X                    X                      X            .                 X         X
                shop/api               X                    X                      X            .                 .         X
                shop/web               .                    .                      X            X                 .         .
                """ + dev.netfence.cli.simulate.MatrixTextAccess.legend() + "\n");
    }

    @Test
    void explainShowsBothVerdicts() {
        Netfence.Result result = Netfence.run("explain", "-f", SimulateCommandTest.SAMPLES, "-f", AUDIT,
                "--from", "monitoring/prometheus", "--to", "shop/web", "--port", "80");
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).startsWith("ALLOWED: ")
                .contains("Audit verdict (policies in audit mode counted as if they enforced): WOULD-DENY")
                .contains("isolated by: NetworkPolicy monitoring/egress-dns-only");
        Netfence.Result json = Netfence.run("explain", "-f", SimulateCommandTest.SAMPLES, "-f", AUDIT,
                "--from", "monitoring/prometheus", "--to", "shop/web", "--port", "80", "-o", "json");
        assertThat(json.out()).startsWith("{\"verdict\": \"would-deny\", \"enforced\": {");
    }

    @Test
    void anUnknownModeIsRefusedWithTheField() {
        Netfence.Result result = Netfence.run("simulate", "-f", "src/test/resources/bad-enforcement.yaml", "--port", "80");
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.err()).contains("metadata.annotations[netfence.dev/enforcement]").contains("\"audit\"")
                .doesNotContain("Exception");
    }
}
