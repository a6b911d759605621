package dev.netfence.lab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MatrixProberTest {

    private static LabPod pod(String name, String... ips) {
        return new LabPod(LabFixtures.pod("x", name, "n", ips), "nf-t-pod-x." + name);
    }

    private final LabPod dual = pod("dual", "10.0.0.1", "fd00::1");
    private final LabPod dual2 = pod("dual2", "10.0.0.2", "fd00::2");
    private final LabPod v4 = pod("v4", "10.0.0.3");
    private final LabPod v6 = pod("v6", "fd00::4");

    @Test
    void pairsUseIpv4WhenBothHaveItElseIpv6AsSimulateDoes() {
        assertThat(MatrixProber.target(dual, dual2, null)).hasToString("10.0.0.2");
        assertThat(MatrixProber.target(v6, dual, null)).hasToString("fd00::1");
        assertThat(MatrixProber.target(dual, v6, null)).hasToString("fd00::4");
        assertThat(MatrixProber.target(v4, v6, null)).as("no family in common").isNull();
    }

    @Test
    void aGivenFamilyUsesThatAddressOfTheDestinationWhenTheSourceCanSendIt() {
        assertThat(MatrixProber.target(dual, dual2, true)).hasToString("fd00::2");
        assertThat(MatrixProber.target(dual, v4, true)).as("v4 has no IPv6: its first address").hasToString("10.0.0.3");
        assertThat(MatrixProber.target(v4, dual, true)).as("v4 cannot send IPv6").isNull();
    }
}
