package dev.netfence.crds.adapter;

import dev.netfence.crds.DefaultDenySpec;
import dev.netfence.policy.model.ContainerPort;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.IpBlock;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.PolicyPort;
import dev.netfence.policy.model.PolicyRule;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpec;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Translates fabric8 Kubernetes objects (from manifests or from informers) into the engine's
 * records. It reads only the fields policy depends on and never validates policy semantics
 * ({@code PolicyValidator} does); it throws {@link InvalidFieldException} only for values that have
 * no representation in the model (an IP address that does not parse, an unknown protocol).
 *
 * <p>Absent versus empty: fabric8 initialises every list to an empty one, and the API server omits
 * empty lists when it serialises an object ({@code omitempty}), so an object read from the API cannot
 * tell {@code ingress: []} from no {@code ingress} at all. This adapter therefore maps an empty
 * {@code ingress}/{@code egress} list to {@code null} (absent); both deny every flow in a direction
 * the policy isolates, and {@code policyTypes} defaulting treats them alike. The manifest loader, which
 * sees the YAML as written, restores {@code []} where it was written. Selectors keep the distinction
 * that matters: a {@code null} podSelector/namespaceSelector in a peer is absent, an empty one selects all.
 */
public final class ModelAdapter {

    /** The namespace the API server (and kubectl, without a context namespace) gives objects that name none. */
    public static final String DEFAULT_NAMESPACE = "default";

    private ModelAdapter() {
    }

    public static Namespace namespace(io.fabric8.kubernetes.api.model.Namespace ns) {
        return new Namespace(name(ns.getMetadata()), labels(ns.getMetadata()));
    }

    /**
     * A pod: {@code status.podIPs} (or {@code status.podIP} when the list is absent), node, host
     * network, and the declared ports of its containers (named ports resolve against them).
     */
    public static Pod pod(io.fabric8.kubernetes.api.model.Pod pod) {
        ObjectMeta meta = pod.getMetadata();
        var spec = pod.getSpec();
        var status = pod.getStatus();
        List<IpAddress> ips = new ArrayList<>();
        if (status != null && status.getPodIPs() != null && !status.getPodIPs().isEmpty()) {
            List<PodIP> podIps = status.getPodIPs();
            for (int i = 0; i < podIps.size(); i++) {
                ips.add(ip(podIps.get(i).getIp(), "status.podIPs[" + i + "].ip"));
            }
        } else if (status != null && status.getPodIP() != null && !status.getPodIP().isEmpty()) {
            ips.add(ip(status.getPodIP(), "status.podIP"));
        }
        List<ContainerPort> ports = new ArrayList<>();
        String nodeName = null;
        boolean hostNetwork = false;
        if (spec != null) {
            nodeName = spec.getNodeName();
            hostNetwork = Boolean.TRUE.equals(spec.getHostNetwork());
            List<Container> containers = spec.getContainers() == null ? List.of() : spec.getContainers();
            for (int c = 0; c < containers.size(); c++) {
                var declared = containers.get(c).getPorts() == null
                        ? List.<io.fabric8.kubernetes.api.model.ContainerPort>of() : containers.get(c).getPorts();
                for (int p = 0; p < declared.size(); p++) {
                    ports.add(containerPort(declared.get(p), "spec.containers[" + c + "].ports[" + p + "]"));
                }
            }
        }
        return new Pod(namespaceOf(meta), name(meta), labels(meta), ips, nodeName, hostNetwork, ports);
    }

    private static ContainerPort containerPort(io.fabric8.kubernetes.api.model.ContainerPort port, String path) {
        if (port.getContainerPort() == null) {
            throw new InvalidFieldException(path + ".containerPort", "required: the port number the container listens on");
        }
        int number = port.getContainerPort();
        if (number < 1 || number > 65535) {
            throw new InvalidFieldException(path + ".containerPort", "must be between 1 and 65535, inclusive (got " + number + ")");
        }
        return new ContainerPort(port.getName(), number, protocol(port.getProtocol(), path + ".protocol"));
    }

    /** A node with its InternalIP and ExternalIP addresses (host names are not addresses) and its labels. */
    public static Node node(io.fabric8.kubernetes.api.model.Node node) {
        List<IpAddress> ips = new ArrayList<>();
        if (node.getStatus() != null && node.getStatus().getAddresses() != null) {
            List<NodeAddress> addresses = node.getStatus().getAddresses();
            for (int i = 0; i < addresses.size(); i++) {
                NodeAddress a = addresses.get(i);
                if ("InternalIP".equals(a.getType()) || "ExternalIP".equals(a.getType())) {
                    ips.add(ip(a.getAddress(), "status.addresses[" + i + "].address"));
                }
            }
        }
        return new Node(name(node.getMetadata()), ips, labels(node.getMetadata()));
    }

    public static NetworkPolicy networkPolicy(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy np) {
        ObjectMeta meta = np.getMetadata();
        NetworkPolicySpec spec = np.getSpec() == null ? new NetworkPolicySpec() : np.getSpec();
        List<String> policyTypes = spec.getPolicyTypes() == null || spec.getPolicyTypes().isEmpty()
                ? null : spec.getPolicyTypes();
        List<PolicyRule> ingress = null;
        if (spec.getIngress() != null && !spec.getIngress().isEmpty()) {
            ingress = new ArrayList<>();
            for (NetworkPolicyIngressRule r : spec.getIngress()) {
                ingress.add(new PolicyRule(peers(r.getFrom()), ports(r.getPorts())));
            }
        }
        List<PolicyRule> egress = null;
        if (spec.getEgress() != null && !spec.getEgress().isEmpty()) {
            egress = new ArrayList<>();
            for (NetworkPolicyEgressRule r : spec.getEgress()) {
                egress.add(new PolicyRule(peers(r.getTo()), ports(r.getPorts())));
            }
        }
        return new NetworkPolicy(namespaceOf(meta), name(meta), labelSelector(spec.getPodSelector()), policyTypes,
                ingress, egress, meta == null ? null : meta.getAnnotations());
    }

    private static List<Peer> peers(List<NetworkPolicyPeer> peers) {
        List<Peer> out = new ArrayList<>();
        if (peers != null) {
            for (NetworkPolicyPeer p : peers) {
                IPBlock b = p.getIpBlock();
                IpBlock block = b == null ? null : new IpBlock(b.getCidr(), b.getExcept());
                out.add(new Peer(labelSelector(p.getPodSelector()), labelSelector(p.getNamespaceSelector()), block));
            }
        }
        return out;
    }

    /** Ports as written: an IntOrString port becomes a number or a name; protocol stays a string for the validator. */
    private static List<PolicyPort> ports(List<NetworkPolicyPort> ports) {
        List<PolicyPort> out = new ArrayList<>();
        if (ports != null) {
            for (NetworkPolicyPort p : ports) {
                IntOrString port = p.getPort();
                Integer number = port == null ? null : port.getIntVal();
                String name = port == null || number != null ? null : port.getStrVal();
                out.add(new PolicyPort(p.getProtocol(), number, name, p.getEndPort()));
            }
        }
        return out;
    }

    /** A DefaultDeny custom resource; absent {@code allowDNS} means true, absent {@code allowSameNamespace} false. */
    public static DefaultDeny defaultDeny(dev.netfence.crds.DefaultDeny dd) {
        ObjectMeta meta = dd.getMetadata();
        DefaultDenySpec spec = dd.getSpec() == null ? new DefaultDenySpec() : dd.getSpec();
        Set<Direction> types = EnumSet.noneOf(Direction.class);
        if (spec.policyTypes != null) {
            for (DefaultDenySpec.PolicyTypeValue t : spec.policyTypes) {
                if (t != null) {
                    types.add(t == DefaultDenySpec.PolicyTypeValue.Ingress ? Direction.INGRESS : Direction.EGRESS);
                }
            }
        }
        return new DefaultDeny(namespaceOf(meta), name(meta), types, !Boolean.FALSE.equals(spec.allowDNS),
                Boolean.TRUE.equals(spec.allowSameNamespace), labelSelector(spec.exemptPodSelector),
                spec.enforcement == DefaultDenySpec.EnforcementValue.Audit
                        ? dev.netfence.policy.model.Enforcement.AUDIT : dev.netfence.policy.model.Enforcement.ENFORCE);
    }

    /** A label selector, or null when it is absent (absent and empty differ in NetworkPolicy peers). */
    public static LabelSelector labelSelector(io.fabric8.kubernetes.api.model.LabelSelector s) {
        if (s == null) {
            return null;
        }
        List<LabelSelector.Requirement> expressions = new ArrayList<>();
        if (s.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : s.getMatchExpressions()) {
                expressions.add(new LabelSelector.Requirement(r.getKey(), r.getOperator(), r.getValues()));
            }
        }
        return new LabelSelector(s.getMatchLabels(), expressions);
    }

    private static Protocol protocol(String value, String path) {
        try {
            return Protocol.parse(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidFieldException(path, e.getMessage());
        }
    }

    private static IpAddress ip(String text, String path) {
        if (text == null || !IpAddress.isValid(text)) {
            throw new InvalidFieldException(path, "\"" + text + "\" is not an IPv4 or IPv6 address");
        }
        return IpAddress.parse(text);
    }

    private static String name(ObjectMeta meta) {
        return meta == null ? null : meta.getName();
    }

    private static String namespaceOf(ObjectMeta meta) {
        return meta == null || meta.getNamespace() == null || meta.getNamespace().isEmpty()
                ? DEFAULT_NAMESPACE : meta.getNamespace();
    }

    private static Map<String, String> labels(ObjectMeta meta) {
        return meta == null ? null : meta.getLabels();
    }
}
