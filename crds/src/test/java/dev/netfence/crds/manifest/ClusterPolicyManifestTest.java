package dev.netfence.crds.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfence.policy.model.ClusterNetworkPolicy;
import dev.netfence.policy.model.ClusterPeer;
import dev.netfence.policy.model.ClusterPort;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.model.RuleAction;
import dev.netfence.policy.model.Tier;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** ClusterNetworkPolicy manifests: the samples load into the engine's records; bad ones fail with file, line and field. */
class ClusterPolicyManifestTest {

    static Path resource(String name) throws Exception {
        return Path.of(ClusterPolicyManifestTest.class.getResource("/manifests/clusterpolicy/" + name).toURI());
    }

    @Test
    void theDnsGuardSampleLoads() throws Exception {
        Manifests m = ManifestLoader.load(resource("40-cluster-dns-guard.yaml"));
        ClusterNetworkPolicy cnp = m.snapshot(dev.netfence.policy.model.ClusterDns.DEFAULT, List.of())
                .clusterPolicy("cluster-dns-guard").orElseThrow();
        assertThat(cnp.tier()).isEqualTo(Tier.ADMIN);
        assertThat(cnp.priority()).isEqualTo(10);
        assertThat(cnp.subject().podSelector()).isNull();
        assertThat(cnp.egress()).hasSize(2);
        assertThat(cnp.egress().get(0).action()).isEqualTo(RuleAction.ACCEPT);
        assertThat(cnp.egress().get(0).peers().get(0)).isInstanceOf(ClusterPeer.Pods.class);
        assertThat(cnp.egress().get(0).protocols()).containsExactly(ClusterPort.port(Protocol.UDP, 53),
                ClusterPort.port(Protocol.TCP, 53));
        assertThat(cnp.egress().get(1).peers()).containsExactly(new ClusterPeer.Networks(List.of("169.254.169.254/32")));
    }

    @Test
    void everyInvalidFieldIsReportedWithItsPath() throws Exception {
        Path path = resource("invalid/bad-fields.yaml");
        assertThatThrownBy(() -> ManifestLoader.load(path)).isInstanceOfSatisfying(ManifestException.class,
                e -> assertThat(e.problems()).extracting(ManifestProblem::fieldPath, ManifestProblem::message)
                        .containsExactlyInAnyOrder(
                                org.assertj.core.groups.Tuple.tuple("spec.priority", "must be between 0 and 1000, inclusive (got 1001)"),
                                org.assertj.core.groups.Tuple.tuple("spec.egress[0].to[0].networks[0]", "Invalid CIDR format provided: "
                                        + "\"10.0.0.1/8\" has host bits set; write the network address (10.0.0.0/8)"),
                                org.assertj.core.groups.Tuple.tuple("spec.egress[0].protocols[0].destinationNamedPort",
                                        "networks/nodes/domainNames peer cannot be set with namedPorts since there are no "
                                                + "namedPorts for networks/nodes/domainNames: use a port number"),
                                org.assertj.core.groups.Tuple.tuple("spec.egress[1].protocols[0].tcp.destinationPort.range",
                                        "Start port must be less than End port (got 90-80); for one port use number")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            bad-tier.yaml     | 6 | ClusterNetworkPolicy bad-tier: spec.tier: unsupported value "Application": supported values are "Admin" and "Baseline"
            two-subjects.yaml | 8 | ClusterNetworkPolicy two-subjects: spec.subject: sets both namespaces and pods: set exactly one
            """)
    void structuralProblemsNameTheField(String file, int line, String message) throws Exception {
        Path path = resource("invalid/" + file);
        assertThatThrownBy(() -> ManifestLoader.load(path)).isInstanceOf(ManifestException.class)
                .hasMessageStartingWith(path + ":" + line + ": " + message);
    }
}
