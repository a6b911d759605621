package dev.netfence.policy.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.policy.model.ClusterDns;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, finding 4: a CriticalFlow named {@code dns} must not replace the built-in DNS check, for
 * the webhook and for lint alike (both ask {@link PolicyAnalyzer#flows}); only the analysis' own
 * setting ({@code checkDns}, the webhook's {@code netfence.webhook.dns.check}) switches it off.
 */
class DeclaredDnsFlowTest {
    private static final ClusterSnapshot CLUSTER = ClusterSnapshot.builder().build();
    /** what someone who may write CriticalFlows could declare to move "DNS" somewhere harmless */
    private static final CriticalFlow DECLARED = CriticalFlow.dns(new ClusterDns("nowhere", LabelSelector.of("app", "none"),
            List.of(new ClusterDns.DnsPort(Protocol.UDP, 5353)), List.of(IpAddress.parse("169.254.20.10"))));

    @Test
    void aDeclaredDnsFlowIsJudgedNextToTheBuiltInOne() {
        List<CriticalFlow> flows = new PolicyAnalyzer(AnalysisConfig.DEFAULT).flows(CLUSTER, List.of(DECLARED));
        assertThat(flows).hasSize(2);
        assertThat(flows.get(0)).isEqualTo(CriticalFlow.dns(CLUSTER.dns(), Severity.ERROR, Severity.WARNING));
        assertThat(flows.get(1)).isSameAs(DECLARED);
    }

    @Test
    void onlyTheAnalysisSettingSwitchesTheBuiltInOff() {
        AnalysisConfig off = new AnalysisConfig(false, Severity.ERROR, Severity.WARNING, List.of());
        assertThat(new PolicyAnalyzer(off).flows(CLUSTER, List.of(DECLARED))).containsExactly(DECLARED);
        assertThat(new PolicyAnalyzer(off).flows(CLUSTER, List.of())).isEmpty();
    }
}
