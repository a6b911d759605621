package dev.netfence.cluster;

import dev.netfence.policy.model.ClusterDns;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.Cidr;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What every Netfence component must agree on about the cluster: where its DNS is (the pods
 * DefaultDeny's {@code allowDNS} opens and the webhook's DNS check protects, NodeLocal DNSCache
 * addresses included) and the pod CIDRs. One parser for all of them, from the keys
 * <pre>
 * netfence.cluster.dns.namespace     (env NETFENCE_CLUSTER_DNS_NAMESPACE)     default kube-system
 * netfence.cluster.dns.pod-selector  (env NETFENCE_CLUSTER_DNS_POD_SELECTOR)  default k8s-app=kube-dns
 * netfence.cluster.dns.ports         (env NETFENCE_CLUSTER_DNS_PORTS)         default UDP/53,TCP/53
 * netfence.cluster.dns.ips           (env NETFENCE_CLUSTER_DNS_IPS)           default none; e.g. 169.254.20.10
 * netfence.cluster.pod-networks      (env NETFENCE_CLUSTER_POD_NETWORKS)      default none; e.g. 10.244.0.0/16
 * netfence.cluster.new-pods          (env NETFENCE_CLUSTER_NEW_PODS)          default fail-closed; or fail-open
 * netfence.cluster.exempt-namespaces (env NETFENCE_CLUSTER_EXEMPT_NAMESPACES) default kube-system,netfence-system
 * </pre>
 * {@code new-pods} says what a node's enforcer does with a pod the CNI plugin announced before the
 * node's NodeRuleSet names it: drop its traffic until then ({@code fail-closed}, Kubernetes' "isolated
 * before it starts") or let it pass ({@code fail-open}); pods of {@code exempt-namespaces} are never
 * held, so DNS and Netfence itself start on a cluster whose operator is not running yet.
 * The install bundle sets them once, in the ConfigMap {@code netfence-cluster-settings} that the
 * operator, the webhook and the enforcer read with {@code envFrom}.
 */
public record ClusterSettings(ClusterDns dns, List<Cidr> podNetworks, NewPods newPods, List<String> exemptNamespaces) {

    /** What an enforcer does with a pod announced by the CNI plugin that its NodeRuleSet does not name yet. */
    public enum NewPods {
        FAIL_CLOSED, FAIL_OPEN;

        public String key() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public static final String DNS_NAMESPACE = "netfence.cluster.dns.namespace";
    public static final String DNS_POD_SELECTOR = "netfence.cluster.dns.pod-selector";
    public static final String DNS_PORTS = "netfence.cluster.dns.ports";
    public static final String DNS_IPS = "netfence.cluster.dns.ips";
    public static final String POD_NETWORKS = "netfence.cluster.pod-networks";
    public static final String NEW_PODS = "netfence.cluster.new-pods";
    public static final String EXEMPT_NAMESPACES = "netfence.cluster.exempt-namespaces";
    public static final List<String> KEYS = List.of(DNS_NAMESPACE, DNS_POD_SELECTOR, DNS_PORTS, DNS_IPS, POD_NETWORKS,
            NEW_PODS, EXEMPT_NAMESPACES);
    public static final List<String> DEFAULT_EXEMPT_NAMESPACES = List.of("kube-system", "netfence-system");
    private static final String NAMESPACE_NAME = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";

    /** kube-system pods labelled k8s-app=kube-dns on UDP/TCP 53, no extra addresses, no pod CIDRs, new pods fail-closed. */
    public static final ClusterSettings DEFAULTS = new ClusterSettings(ClusterDns.DEFAULT, List.of());

    public ClusterSettings {
        dns = dns == null ? ClusterDns.DEFAULT : dns;
        podNetworks = podNetworks == null ? List.of() : List.copyOf(podNetworks);
        newPods = newPods == null ? NewPods.FAIL_CLOSED : newPods;
        exemptNamespaces = exemptNamespaces == null ? DEFAULT_EXEMPT_NAMESPACES : List.copyOf(exemptNamespaces);
    }

    /** DNS and pod networks as given, new pods with the defaults. */
    public ClusterSettings(ClusterDns dns, List<Cidr> podNetworks) {
        this(dns, podNetworks, null, null);
    }

    /** The same settings with other DNS. */
    public ClusterSettings withDns(ClusterDns d) {
        return new ClusterSettings(d, podNetworks, newPods, exemptNamespaces);
    }

    /** The environment variable a key is read from: {@code netfence.cluster.dns.pod-selector} -> {@code NETFENCE_CLUSTER_DNS_POD_SELECTOR}. */
    public static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * Reads the settings from {@code lookup} (key -> value; absent or blank: the default). Quarkus
     * applications pass their config ({@code key -> config.getOptionalValue(key, String.class)}),
     * which already maps each key to its environment variable.
     *
     * @throws ClusterSettingsException naming the key, the value and how to write it
     */
    public static ClusterSettings read(Function<String, Optional<String>> lookup) {
        Function<String, Optional<String>> get = k -> lookup.apply(k).map(String::trim).filter(v -> !v.isEmpty());
        String namespace = get.apply(DNS_NAMESPACE).orElse(ClusterDns.DEFAULT.namespace());
        if (!namespace.matches(NAMESPACE_NAME)) {
            throw new ClusterSettingsException(DNS_NAMESPACE, namespace, "is not a namespace name (write kube-system)");
        }
        LabelSelector selector = get.apply(DNS_POD_SELECTOR).map(ClusterSettings::selector)
                .orElse(ClusterDns.DEFAULT.podSelector());
        List<ClusterDns.DnsPort> ports = get.apply(DNS_PORTS).map(ClusterSettings::ports).orElse(ClusterDns.DEFAULT.ports());
        List<IpAddress> ips = get.apply(DNS_IPS).map(v -> list(v, DNS_IPS, ClusterSettings::ip)).orElse(List.of());
        List<Cidr> networks = get.apply(POD_NETWORKS).map(v -> list(v, POD_NETWORKS, ClusterSettings::cidr)).orElse(List.of());
        NewPods newPods = get.apply(NEW_PODS).map(ClusterSettings::newPods).orElse(NewPods.FAIL_CLOSED);
        List<String> exempt = get.apply(EXEMPT_NAMESPACES).map(v -> list(v, EXEMPT_NAMESPACES, e -> {
            if (!e.matches(NAMESPACE_NAME)) {
                throw new ClusterSettingsException(EXEMPT_NAMESPACES, e, "is not a namespace name (write kube-system,netfence-system)");
            }
            return e;
        })).orElse(DEFAULT_EXEMPT_NAMESPACES);
        return new ClusterSettings(new ClusterDns(namespace, selector, ports, ips), networks, newPods, exempt);
    }

    private static NewPods newPods(String value) {
        for (NewPods n : NewPods.values()) {
            if (n.key().equals(value.toLowerCase(Locale.ROOT))) {
                return n;
            }
        }
        throw new ClusterSettingsException(NEW_PODS, value, "is neither fail-closed nor fail-open (write fail-closed: a new pod's"
                + " traffic is dropped until its node's rules name it; fail-open: it passes until then)");
    }

    /** {@link #read} from system properties, then environment variables (for plain Java programs). */
    public static ClusterSettings fromSystem() {
        return read(k -> Optional.ofNullable(System.getProperty(k)).or(() -> Optional.ofNullable(System.getenv(environmentName(k)))));
    }

    /** {@link #read} from a map of keys (tests, the demo). */
    public static ClusterSettings of(Map<String, String> values) {
        return read(k -> Optional.ofNullable(values.get(k)));
    }

    /** The settings as the keys that produce them, e.g. for printing what a component runs with. */
    public Map<String, String> asKeys() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(DNS_NAMESPACE, dns.namespace());
        out.put(DNS_POD_SELECTOR, String.join(",", new java.util.TreeMap<>(dns.podSelector().matchLabels()).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).toList()));
        out.put(DNS_PORTS, String.join(",", dns.ports().stream().map(p -> p.protocol() + "/" + p.port()).toList()));
        out.put(DNS_IPS, String.join(",", dns.extraIps().stream().map(IpAddress::toString).toList()));
        out.put(POD_NETWORKS, String.join(",", podNetworks.stream().map(Cidr::toString).toList()));
        out.put(NEW_PODS, newPods.key());
        out.put(EXEMPT_NAMESPACES, String.join(",", exemptNamespaces));
        return out;
    }

    private static LabelSelector selector(String value) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String kv : value.split(",")) {
            String[] p = kv.trim().split("=", 2);
            if (p.length != 2 || p[0].isBlank() || p[1].isBlank()) {
                throw new ClusterSettingsException(DNS_POD_SELECTOR, kv.trim(), "is not label=value (write k8s-app=kube-dns;"
                        + " several labels: k8s-app=kube-dns,tier=node)");
            }
            labels.put(p[0].trim(), p[1].trim());
        }
        return LabelSelector.of(labels);
    }

    private static List<ClusterDns.DnsPort> ports(String value) {
        return list(value, DNS_PORTS, entry -> {
            String[] p = entry.split("/", 2);
            String fix = "is not protocol/port (write UDP/53; protocols UDP, TCP, SCTP; ports 1-65535)";
            if (p.length != 2 || p[0].isBlank()) {
                throw new ClusterSettingsException(DNS_PORTS, entry, fix);
            }
            Protocol protocol;
            int port;
            try {
                protocol = Protocol.parse(p[0].trim().toUpperCase(Locale.ROOT));
                port = Integer.parseInt(p[1].trim());
            } catch (RuntimeException e) {
                throw new ClusterSettingsException(DNS_PORTS, entry, fix);
            }
            if (port < 1 || port > 65535) {
                throw new ClusterSettingsException(DNS_PORTS, entry, fix);
            }
            return new ClusterDns.DnsPort(protocol, port);
        });
    }

    private static IpAddress ip(String entry) {
        try {
            return IpAddress.parse(entry);
        } catch (RuntimeException e) {
            throw new ClusterSettingsException(DNS_IPS, entry, "is not an IP address (write 169.254.20.10, or several:"
                    + " 169.254.20.10,10.96.0.10)");
        }
    }

    private static Cidr cidr(String entry) {
        try {
            return Cidr.parse(entry);
        } catch (RuntimeException e) {
            throw new ClusterSettingsException(POD_NETWORKS, entry, "is not a CIDR (write 10.244.0.0/16, or several:"
                    + " 10.244.0.0/16,fd00:10:244::/56)");
        }
    }

    private static <T> List<T> list(String value, String key, Function<String, T> parse) {
        List<T> out = new ArrayList<>();
        for (String entry : value.split(",")) {
            String e = entry.trim();
            if (e.isEmpty()) {
                throw new ClusterSettingsException(key, value, "has an empty entry (separate entries with one comma)");
            }
            out.add(parse.apply(e));
        }
        return out;
    }
}
