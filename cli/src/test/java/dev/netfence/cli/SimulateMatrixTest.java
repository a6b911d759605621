package dev.netfence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.cli.Netfence.Result;
import org.junit.jupiter.api.Test;

/** {@code netfence simulate} run in-process (no Quarkus start) on samples and fixtures. */
class SimulateMatrixTest {

    static final String SAMPLES = "../samples";

    @Test
    void udpDnsMatrixShowsDefaultDenyKeepingDnsOpen() {
        Result result = Netfence.run("simulate", "-f", SAMPLES, "--port", "53", "--protocol", "udp", "-o", "json");
        assertThat(result.exitCode()).isZero();
        // every pod reaches kube-system/coredns on UDP/53: payments through DefaultDeny's allowDNS,
        // shop/api through its own egress rule; nothing else is open to the isolated pods but themselves
        assertThat(result.out()).isEqualTo("{\"port\": 53, \"protocol\": \"UDP\", \"pods\": [\"kube-system/coredns\", "
                + "\"monitoring/prometheus\", \"payments/db\", \"payments/gateway\", \"shop/api\", \"shop/web\"], \"allowed\": ["
                + "[true, true, false, false, false, false], "
                + "[true, true, false, false, false, false], "
                + "[true, false, true, false, false, false], "
                + "[true, false, false, true, false, false], "
                + "[true, false, false, false, true, false], "
                + "[true, true, false, false, false, true]]}\n");
    }

    @Test
    void podsWithoutIpAreLeftOutAndPodsTalkOverTheFamilyTheyShare() {
        Result result = Netfence.run("simulate", "-f", "src/test/resources/dualstack", "--port", "80");
        assertThat(result.exitCode()).isZero();
        // the only policy admits sources in fd00::/64: x/a reaches x/b over IPv6 (x/b has no IPv4), but
        // x/a -> x/c goes over IPv4 and is denied; x/b and x/c share no family; a pod reaches itself
        assertThat(result.out()).isEqualTo("""
                from\\to  x/a  x/b  x/c
                x/a      .    .    X
                x/b      .    .    X
                x/c      X    X    .
                """);
        assertThat(result.err()).contains(
                "note: pod x/pending has no IP (status.podIP): left out of the matrix",
                "note: IPv4-only and IPv6-only pods share no address family and cannot connect: shown as X");
    }

    @Test
    void aWorkloadWhosePodsAreInTheInputIsThosePodsAndOtherKindsAreNoted() {
        Result result = Netfence.run("simulate", "-f", "src/test/resources/with-deployment.yaml", "--port", "80");
        assertThat(result.exitCode()).isZero();
        assertThat(result.err()).isEqualTo("note: src/test/resources/with-deployment.yaml:18: ignored "
                + "ConfigMap shop/web: netfence reads only Namespace, Pod, Node, Service, EndpointSlice (discovery.k8s.io/v1), "
                + "NetworkPolicy (networking.k8s.io/v1), ClusterNetworkPolicy (policy.networking.k8s.io/v1beta1), DefaultDeny "
                + "and CriticalFlow (netfence.dev/v1alpha1), and the "
                + "workloads Deployment, StatefulSet, DaemonSet, ReplicaSet (apps/v1), Job and CronJob (batch/v1)\n"
                + "note: src/test/resources/with-deployment.yaml:3: Deployment shop/web: its pods are in the input, they "
                + "stand for it\n");
        assertThat(result.out()).isEqualTo("""
                from\\to   shop/web
                shop/web  .
                """);
    }
}
