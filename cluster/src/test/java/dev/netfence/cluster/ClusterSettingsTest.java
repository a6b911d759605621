package dev.netfence.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfence.policy.model.ClusterDns;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.Cidr;
import dev.netfence.policy.net.IpAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ClusterSettingsTest {

    @Test
    void nothingSetIsTheDefault() {
        assertThat(ClusterSettings.of(Map.of())).isEqualTo(ClusterSettings.DEFAULTS);
        assertThat(ClusterSettings.of(Map.of(ClusterSettings.DNS_IPS, "  "))).isEqualTo(ClusterSettings.DEFAULTS);
        assertThat(ClusterSettings.DEFAULTS.dns()).isEqualTo(ClusterDns.DEFAULT);
    }

    @Test
    void openShiftDnsWithNodeLocalDnsCache() {
        ClusterSettings s = ClusterSettings.of(Map.of(
                "netfence.cluster.dns.namespace", "openshift-dns",
                "netfence.cluster.dns.pod-selector", "dns.operator.openshift.io/daemonset-dns=default",
                "netfence.cluster.dns.ports", "udp/5353, TCP/5353",
                "netfence.cluster.dns.ips", "169.254.20.10,fd00::a",
                "netfence.cluster.pod-networks", "10.128.0.0/14",
                "netfence.cluster.new-pods", "fail-open",
                "netfence.cluster.exempt-namespaces", "kube-system, openshift-dns"));
        assertThat(s.dns()).isEqualTo(new ClusterDns("openshift-dns",
                LabelSelector.of("dns.operator.openshift.io/daemonset-dns", "default"),
                List.of(new ClusterDns.DnsPort(Protocol.UDP, 5353), new ClusterDns.DnsPort(Protocol.TCP, 5353)),
                List.of(IpAddress.parse("169.254.20.10"), IpAddress.parse("fd00::a"))));
        assertThat(s.podNetworks()).containsExactly(Cidr.parse("10.128.0.0/14"));
        assertThat(s.newPods()).isEqualTo(ClusterSettings.NewPods.FAIL_OPEN);
        assertThat(s.exemptNamespaces()).containsExactly("kube-system", "openshift-dns");
        // printed back as the keys that produce it, and read again to the same settings
        assertThat(ClusterSettings.of(s.asKeys())).isEqualTo(s);
    }

    @Test
    void environmentNames() {
        assertThat(ClusterSettings.KEYS.stream().map(ClusterSettings::environmentName)).containsExactly(
                "NETFENCE_CLUSTER_DNS_NAMESPACE", "NETFENCE_CLUSTER_DNS_POD_SELECTOR", "NETFENCE_CLUSTER_DNS_PORTS",
                "NETFENCE_CLUSTER_DNS_IPS", "NETFENCE_CLUSTER_POD_NETWORKS", "NETFENCE_CLUSTER_NEW_PODS",
                "NETFENCE_CLUSTER_EXEMPT_NAMESPACES");
    }

    @Test
    void newPodsAreHeldByDefaultExceptInKubeSystemAndNetfenceSystem() {
        assertThat(ClusterSettings.DEFAULTS.newPods()).isEqualTo(ClusterSettings.NewPods.FAIL_CLOSED);
        assertThat(ClusterSettings.of(Map.of()).exemptNamespaces()).containsExactly("kube-system", "netfence-system");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "netfence.cluster.dns.namespace|Kube_System|netfence.cluster.dns.namespace (env NETFENCE_CLUSTER_DNS_NAMESPACE): \"Kube_System\" is not a namespace name (write kube-system)",
            "netfence.cluster.dns.pod-selector|k8s-app|netfence.cluster.dns.pod-selector (env NETFENCE_CLUSTER_DNS_POD_SELECTOR): \"k8s-app\" is not label=value",
            "netfence.cluster.dns.ports|UDP53|netfence.cluster.dns.ports (env NETFENCE_CLUSTER_DNS_PORTS): \"UDP53\" is not protocol/port (write UDP/53",
            "netfence.cluster.dns.ports|ICMP/53|\"ICMP/53\" is not protocol/port",
            "netfence.cluster.dns.ports|UDP/70000|\"UDP/70000\" is not protocol/port",
            "netfence.cluster.dns.ports|/53|\"/53\" is not protocol/port",
            "netfence.cluster.dns.ips|169.254.20.300|netfence.cluster.dns.ips (env NETFENCE_CLUSTER_DNS_IPS): \"169.254.20.300\" is not an IP address (write 169.254.20.10",
            "netfence.cluster.dns.ips|'169.254.20.10,,10.96.0.10'|has an empty entry",
            "netfence.cluster.new-pods|closed|netfence.cluster.new-pods (env NETFENCE_CLUSTER_NEW_PODS): \"closed\" is neither fail-closed nor fail-open",
            "netfence.cluster.exempt-namespaces|Kube-System|\"Kube-System\" is not a namespace name",
            "netfence.cluster.pod-networks|10.244.0.0|netfence.cluster.pod-networks (env NETFENCE_CLUSTER_POD_NETWORKS): \"10.244.0.0\" is not a CIDR (write 10.244.0.0/16",
    })
    void badValuesNameTheKeyAndHowToWriteIt(String key, String value, String message) {
        assertThatThrownBy(() -> ClusterSettings.of(Map.of(key, value)))
                .isInstanceOf(ClusterSettingsException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("Exception").doesNotContain("java."));
    }
}
