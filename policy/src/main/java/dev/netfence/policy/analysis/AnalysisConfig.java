package dev.netfence.policy.analysis;

import dev.netfence.policy.net.Cidr;
import java.util.List;

/**
 * What the analysis checks. The DNS flow is built from the snapshot's {@code ClusterDns} (namespace,
 * pod selector, ports, extra IPs), so clusters that run DNS elsewhere (OpenShift: {@code
 * openshift-dns}, port 5353) configure it there; here only whether it is checked and what cutting
 * each protocol costs. {@code podNetworks} are the cluster's pod CIDRs when known (the ipBlock rule
 * also uses the IPs of known pods).
 */
public record AnalysisConfig(boolean checkDns, Severity dnsUdpCut, Severity dnsTcpCut, List<Cidr> podNetworks) {

    public static final AnalysisConfig DEFAULT = new AnalysisConfig(true, Severity.ERROR, Severity.WARNING, List.of());

    public AnalysisConfig {
        dnsUdpCut = dnsUdpCut == null ? Severity.ERROR : dnsUdpCut;
        dnsTcpCut = dnsTcpCut == null ? Severity.WARNING : dnsTcpCut;
        podNetworks = podNetworks == null ? List.of() : List.copyOf(podNetworks);
    }
}
