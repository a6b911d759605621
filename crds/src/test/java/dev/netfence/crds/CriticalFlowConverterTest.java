package dev.netfence.crds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfence.policy.analysis.CriticalPort;
import dev.netfence.policy.analysis.Severity;
import dev.netfence.policy.model.ClusterDns;
import dev.netfence.policy.model.Protocol;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CriticalFlowConverterTest {

    @Test
    void theDnsSampleIsTheBuiltInDnsFlow() throws Exception {
        CriticalFlow cf;
        try (InputStream in = Files.newInputStream(Path.of("../samples/criticalflow-dns.yaml"))) {
            cf = Serialization.unmarshal(in, CriticalFlow.class);
        }
        dev.netfence.policy.analysis.CriticalFlow model = CriticalFlowConverter.toModel(cf);
        dev.netfence.policy.analysis.CriticalFlow builtIn = dev.netfence.policy.analysis.CriticalFlow.dns(ClusterDns.DEFAULT);
        assertThat(model.name()).isEqualTo("dns");
        assertThat(model.sourceNamespaces()).isNull();
        assertThat(model.sourcePods()).isNull();
        assertThat(model.destinationNamespaces()).isEqualTo(builtIn.destinationNamespaces());
        assertThat(model.destinationPods()).isEqualTo(builtIn.destinationPods());
        assertThat(model.ports()).isEqualTo(builtIn.ports());
    }

    @Test
    void namedPortsAndWarnings() {
        CriticalFlow cf = Serialization.unmarshal("""
                apiVersion: netfence.dev/v1alpha1
                kind: CriticalFlow
                metadata: {name: prometheus-scrape}
                spec:
                  source:
                    namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}
                    podSelector: {matchLabels: {app: prometheus}}
                  destination:
                    podSelector: {}
                  ports:
                  - port: metrics
                    severity: Warning
                """, CriticalFlow.class);
        dev.netfence.policy.analysis.CriticalFlow model = CriticalFlowConverter.toModel(cf);
        assertThat(model.ports()).containsExactly(CriticalPort.named(Protocol.TCP, "metrics", Severity.WARNING));
        assertThat(model.destinationNamespaces()).isNull();
        assertThat(model.destinationPods().isEmpty()).isTrue();
    }

    @Test
    void badValuesNameTheirField() {
        CriticalFlow cf = Serialization.unmarshal("""
                apiVersion: netfence.dev/v1alpha1
                kind: CriticalFlow
                metadata: {name: ntp}
                spec:
                  source: {}
                  destination: {ips: ["10.0.0.1/32"]}
                  ports: [{protocol: UDP, port: 123}]
                """, CriticalFlow.class);
        assertThatThrownBy(() -> CriticalFlowConverter.toModel(cf)).isInstanceOfSatisfying(
                dev.netfence.crds.adapter.InvalidFieldException.class, e -> {
                    assertThat(e.fieldPath()).isEqualTo("spec.destination.ips[0]");
                    assertThat(e.getMessage()).isEqualTo(
                            "\"10.0.0.1/32\" is not an IP address (write 169.254.20.10 or fd00::a, without a prefix length)");
                });
    }
}
