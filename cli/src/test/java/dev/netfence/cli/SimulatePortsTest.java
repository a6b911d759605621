package dev.netfence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.cli.Netfence.Result;
import org.junit.jupiter.api.Test;

/** {@code simulate --port 80,443,53/UDP}: one matrix per port, each the same as asked for alone. */
class SimulatePortsTest {

    static final String SAMPLES = "../samples";

    @Test
    void severalPortsGiveOneMatrixEachUnderItsPort() {
        Result all = Netfence.run("simulate", "-f", SAMPLES, "--port", "80,5432", "--port", "53/UDP");
        assertThat(all.exitCode()).isZero();
        String p80 = Netfence.run("simulate", "-f", SAMPLES, "--port", "80").out();
        String p5432 = Netfence.run("simulate", "-f", SAMPLES, "--port", "5432").out();
        String dns = Netfence.run("simulate", "-f", SAMPLES, "--port", "53", "--protocol", "udp").out();
        assertThat(all.out()).isEqualTo("TCP/80:\n" + p80 + "\nTCP/5432:\n" + p5432 + "\nUDP/53:\n" + dns);
        assertThat(p80).isNotEqualTo(p5432);
    }

    @Test
    void severalPortsAsJsonAreAnArray() {
        Result r = Netfence.run("simulate", "-f", SAMPLES, "--port", "80,53/UDP", "-o", "json");
        assertThat(r.out()).startsWith("[{\"port\": 80, \"protocol\": \"TCP\", ").contains("}, {\"port\": 53, \"protocol\": \"UDP\", ")
                .endsWith("]}]\n");
    }

    @Test
    void aBadPortListIsAnOptionError() {
        Result r = Netfence.run("simulate", "-f", SAMPLES, "--port", "80,53/ICMP");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: --port 53/ICMP: unknown protocol \"ICMP\"; use TCP, UDP or SCTP (e.g. 53/UDP)\n"
                + "Try 'netfence simulate --help' for usage.\n");
        assertThat(Netfence.run("simulate", "-f", SAMPLES, "--port", "http").err())
                .startsWith("error: --port http: not a port number (write e.g. 80,443,53/UDP)\n");
    }
}
