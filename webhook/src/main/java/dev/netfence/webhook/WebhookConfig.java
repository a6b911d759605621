package dev.netfence.webhook;

import dev.netfence.policy.analysis.AnalysisConfig;
import dev.netfence.policy.analysis.Severity;
import dev.netfence.policy.model.ClusterDns;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.Cidr;
import dev.netfence.policy.net.IpAddress;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The webhook's settings ({@code netfence.webhook.*}), defaults in one place. DNS differs between
 * clusters (OpenShift: {@code openshift-dns}, port 5353; NodeLocal DNSCache: 169.254.20.10), so all
 * of it is configurable.
 */
@ConfigMapping(prefix = "netfence.webhook")
public interface WebhookConfig {

    Dns dns();

    Model model();

    interface Model {
        /**
         * At most one new cluster view per interval: a stream of pod updates costs one snapshot per
         * interval, built off the request threads. A view lags the informers by at most this plus one build.
         */
        @WithDefault("500ms")
        java.time.Duration refreshInterval();
    }

    /** The cluster's pod CIDRs, for the ipBlock lint rule (optional). */
    Optional<List<String>> podNetworks();

    interface Dns {
        /** Check the built-in DNS critical flow (a CriticalFlow named dns replaces it). */
        @WithDefault("true")
        boolean check();

        @WithDefault("kube-system")
        String namespace();

        /** Labels of the DNS pods. */
        @WithDefault("k8s-app=kube-dns")
        String podSelector();

        /** protocol/port entries. */
        @WithDefault("UDP/53,TCP/53")
        List<String> ports();

        /** Extra DNS addresses pods talk to (NodeLocal DNSCache). */
        Optional<List<String>> ips();

        @WithDefault("error")
        String udpCut();

        @WithDefault("warning")
        String tcpCut();
    }

    default ClusterDns clusterDns() {
        Map<String, String> labels = new java.util.LinkedHashMap<>();
        for (String kv : dns().podSelector().split(",")) {
            String[] p = kv.trim().split("=", 2);
            if (p.length != 2) {
                throw new IllegalArgumentException("netfence.webhook.dns.pod-selector: \"" + kv
                        + "\" is not key=value (write k8s-app=kube-dns)");
            }
            labels.put(p[0].trim(), p[1].trim());
        }
        List<ClusterDns.DnsPort> ports = new ArrayList<>();
        for (String entry : dns().ports()) {
            String[] p = entry.trim().split("/", 2);
            if (p.length != 2) {
                throw new IllegalArgumentException("netfence.webhook.dns.ports: \"" + entry + "\" is not protocol/port (write UDP/53)");
            }
            ports.add(new ClusterDns.DnsPort(Protocol.parse(p[0].trim()), Integer.parseInt(p[1].trim())));
        }
        List<IpAddress> ips = dns().ips().orElse(List.of()).stream().map(String::trim).map(IpAddress::parse).toList();
        return new ClusterDns(dns().namespace(), LabelSelector.of(labels), ports, ips);
    }

    default AnalysisConfig analysisConfig() {
        List<Cidr> networks = podNetworks().orElse(List.of()).stream().map(String::trim).map(Cidr::parse).toList();
        return new AnalysisConfig(dns().check(), severity(dns().udpCut()), severity(dns().tcpCut()), networks);
    }

    /** The core's settings, validated: a bad value fails the start with the key and how to fix it. */
    default WebhookSettings settings() {
        return new WebhookSettings(analysisConfig(), clusterDns());
    }

    private static Severity severity(String v) {
        try {
            return Severity.valueOf(v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("netfence.webhook.dns severity \"" + v + "\": use error or warning");
        }
    }
}
