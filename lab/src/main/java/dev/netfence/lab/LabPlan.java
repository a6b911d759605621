package dev.netfence.lab;

import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.net.Cidr;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The topology of one lab run, computed from a snapshot without touching the system: namespace
 * and interface names, addresses, and the {@code ip -batch} scripts that build it.
 *
 * <p>Routed pods follow the Calico model: the pod's default route points at a link-local gateway
 * (169.254.1.1, fe80::1) that is resolved by a permanent neighbour entry to the node side of its
 * veth; the node routes the pod's /32 (/128) to that veth. Nodes reach each other's pods over an
 * underlay bridge that lives in its own namespace, with one route per remote address. Nothing is
 * created in the machine's own namespace, and no namespace of the lab has a default route.
 */
public final class LabPlan {

    /** Every namespace of every lab starts with this. */
    public static final String PREFIX = "nf-";
    /** The lab's own underlay ranges (RFC 2544 benchmarking range; a ULA): never pod addresses. */
    public static final Cidr UNDERLAY_V4 = Cidr.parse("198.18.0.0/16");
    public static final Cidr UNDERLAY_V6 = Cidr.parse("fd00:6e66::/64");
    public static final String GATEWAY_V4 = "169.254.1.1";
    public static final String GATEWAY_V6 = "fe80::1";
    /** The MAC of every node-side veth, as in Calico: pods resolve their gateway to it statically. */
    public static final String GATEWAY_MAC = "ee:ee:ee:ee:ee:ee";
    static final String UNDERLAY_BRIDGE = "br0";
    static final String NODE_UPLINK = "ul0";
    static final String POD_INTERFACE = "eth0";

    private static final Pattern READABLE = Pattern.compile("[a-z0-9][a-z0-9.-]*");
    private static final Pattern RUN_ID = Pattern.compile("[a-z0-9]{1,12}");
    private static final int MAX_READABLE_NAME = 64;
    private static final Cidr LINK_LOCAL_V4 = Cidr.parse("169.254.0.0/16");
    private static final Cidr LINK_LOCAL_V6 = Cidr.parse("fe80::/10");

    private final String runId;
    private final List<LabNode> nodes;
    private final List<LabPod> pods;

    private LabPlan(String runId, List<LabNode> nodes, List<LabPod> pods) {
        this.runId = runId;
        this.nodes = List.copyOf(nodes);
        this.pods = List.copyOf(pods);
    }

    /**
     * Plans a lab for the pods of {@code snapshot} that have an IP (pods without one are not
     * running and take part in no flow). Every such pod needs {@code spec.nodeName}.
     */
    public static LabPlan of(ClusterSnapshot snapshot, String runId) {
        if (!RUN_ID.matcher(runId).matches()) {
            throw new LabException("invalid lab run id \"" + runId + "\": use 1-12 lowercase letters or digits");
        }
        String prefix = runPrefix(runId);
        List<Pod> running = snapshot.podsWithIps();
        TreeSet<String> nodeNames = new TreeSet<>();
        snapshot.nodes().forEach(n -> nodeNames.add(n.name()));
        Map<IpAddress, String> routedOwners = new HashMap<>();
        for (Pod p : running) {
            if (p.nodeName() == null || p.nodeName().isEmpty()) {
                throw new LabException("pod " + p.key() + " (status.podIP " + p.ips().get(0) + "): spec.nodeName is "
                        + "empty; the lab places every running pod on its node: set spec.nodeName");
            }
            nodeNames.add(p.nodeName());
            for (IpAddress ip : p.ips()) {
                checkUsable(ip, "pod " + p.key() + " status.podIPs");
                String previous = p.hostNetwork() ? null : routedOwners.putIfAbsent(ip, p.key());
                if (previous != null) {
                    throw new LabException("pod " + p.key() + " status.podIPs: " + ip + " is already the IP of "
                            + previous + "; every pod that is not host-network needs its own IP");
                }
            }
        }
        Map<String, String> nodeNamespaces = new LinkedHashMap<>();
        int n = 0;
        for (String name : nodeNames) {
            n++;
            nodeNamespaces.put(name, readableOr(prefix + "node-" + name, prefix + "node" + n));
        }
        List<LabPod> labPods = new ArrayList<>();
        Map<String, List<LabPod>> podsByNode = new HashMap<>();
        int index = 0;
        for (Pod p : running) {
            LabPod lp;
            if (p.hostNetwork()) {
                lp = new LabPod(p, nodeNamespaces.get(p.nodeName()), null, null);
            } else {
                String ns = readableOr(prefix + "pod-" + p.namespace() + "." + p.name(), prefix + "pod" + index);
                lp = new LabPod(p, ns, "nfp" + index, podMac(index));
                index++;
            }
            labPods.add(lp);
            podsByNode.computeIfAbsent(p.nodeName(), k -> new ArrayList<>()).add(lp);
        }
        List<LabNode> labNodes = new ArrayList<>();
        n = 0;
        for (Map.Entry<String, String> e : nodeNamespaces.entrySet()) {
            n++;
            String name = e.getKey();
            List<IpAddress> local = new ArrayList<>();
            for (IpAddress ip : snapshot.node(name).map(Node::ips).orElse(List.of())) {
                checkUsable(ip, "node " + name + " status.addresses");
                addOnce(local, ip);
            }
            List<LabPod> here = podsByNode.getOrDefault(name, List.of());
            here.stream().filter(LabPod::hostNetwork).forEach(hp -> hp.pod().ips().forEach(ip -> addOnce(local, ip)));
            for (IpAddress ip : local) {
                if (routedOwners.containsKey(ip)) {
                    throw new LabException("node " + name + ": address " + ip + " is also the IP of pod "
                            + routedOwners.get(ip) + "; node and host-network addresses must differ from pod IPs");
                }
            }
            labNodes.add(new LabNode(name, e.getValue(), nth(UNDERLAY_V4, n), nth(UNDERLAY_V6, n), local, here));
        }
        return new LabPlan(runId, labNodes, labPods);
    }

    private static void checkUsable(IpAddress ip, String where) {
        Cidr underlay = ip.v6() ? UNDERLAY_V6 : UNDERLAY_V4;
        if (underlay.contains(ip)) {
            throw new LabException(where + ": " + ip + " is inside the lab's own underlay range " + underlay
                    + "; use addresses outside it");
        }
        if ((ip.v6() ? LINK_LOCAL_V6 : LINK_LOCAL_V4).contains(ip)) {
            throw new LabException(where + ": " + ip + " is link-local; the lab uses link-local addresses as pod "
                    + "gateways: give the pod a routable address");
        }
    }

    private static void addOnce(List<IpAddress> list, IpAddress ip) {
        if (!list.contains(ip)) {
            list.add(ip);
        }
    }

    private static IpAddress nth(Cidr range, int n) {
        IpAddress a = range.first();
        for (int i = 0; i < n; i++) {
            a = a.next();
        }
        return a;
    }

    private static String podMac(int index) {
        int v = index + 1;
        return String.format("02:6e:66:%02x:%02x:%02x", (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
    }

    private static String readableOr(String readable, String fallback) {
        String tail = readable.substring(PREFIX.length());
        return readable.length() <= MAX_READABLE_NAME && READABLE.matcher(tail).matches() ? readable : fallback;
    }

    public static String runPrefix(String runId) {
        return PREFIX + runId + "-";
    }

    public String runId() {
        return runId;
    }

    public String prefix() {
        return runPrefix(runId);
    }

    public String underlayNamespace() {
        return prefix() + "underlay";
    }

    public List<LabNode> nodes() {
        return nodes;
    }

    /** Running pods in namespace/name order: the rows and columns of a matrix. */
    public List<LabPod> pods() {
        return pods;
    }

    /** Every namespace of the lab, in creation order (underlay, nodes, pods). */
    public List<String> namespaces() {
        List<String> out = new ArrayList<>();
        out.add(underlayNamespace());
        nodes.forEach(n -> out.add(n.namespace()));
        pods.stream().filter(p -> !p.hostNetwork()).forEach(p -> out.add(p.namespace()));
        return out;
    }

    /**
     * The script run in the machine's namespace: it only creates namespaces and creates links
     * directly inside them ({@code netns} on both ends), so no lab interface ever exists, even
     * briefly, outside the lab.
     */
    public List<String> createScript() {
        List<String> lines = new ArrayList<>();
        namespaces().forEach(ns -> lines.add("netns add " + ns));
        lines.add("link add " + UNDERLAY_BRIDGE + " netns " + underlayNamespace() + " type bridge");
        for (int i = 0; i < nodes.size(); i++) {
            LabNode node = nodes.get(i);
            lines.add("link add " + NODE_UPLINK + " netns " + node.namespace() + " address " + uplinkMac(i)
                    + " type veth peer name "
                    + underlayPort(i) + " netns " + underlayNamespace());
            for (LabPod p : node.pods()) {
                if (!p.hostNetwork()) {
                    lines.add("link add " + p.hostInterface() + " netns " + node.namespace() + " address " + GATEWAY_MAC
                            + " type veth peer name " + POD_INTERFACE + " netns " + p.namespace() + " address " + p.mac());
                }
            }
        }
        return lines;
    }

    /** Fixed so that nodes can know each other's MAC: the underlay needs no ARP or neighbour discovery. */
    private static String uplinkMac(int nodeIndex) {
        int v = nodeIndex + 1;
        return String.format("02:6e:67:%02x:%02x:%02x", (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
    }

    private static String underlayPort(int nodeIndex) {
        return "n" + nodeIndex;
    }

    /** The script run inside each namespace ({@code ip -n NS -batch -}), keyed by namespace. */
    public Map<String, List<String>> configureScripts() {
        Map<String, List<String>> scripts = new LinkedHashMap<>();
        List<String> underlay = new ArrayList<>(List.of("link set lo up", "link set " + UNDERLAY_BRIDGE + " up"));
        for (int i = 0; i < nodes.size(); i++) {
            underlay.add("link set " + underlayPort(i) + " master " + UNDERLAY_BRIDGE);
            underlay.add("link set " + underlayPort(i) + " up");
        }
        scripts.put(underlayNamespace(), underlay);
        for (LabNode node : nodes) {
            scripts.put(node.namespace(), nodeScript(node));
        }
        for (LabPod p : pods) {
            if (!p.hostNetwork()) {
                scripts.put(p.namespace(), podScript(p));
            }
        }
        return scripts;
    }

    private List<String> nodeScript(LabNode node) {
        List<String> lines = new ArrayList<>();
        lines.add("link set lo up");
        lines.add("link set " + NODE_UPLINK + " up");
        lines.add("addr add " + node.underlayV4() + "/" + UNDERLAY_V4.prefix() + " dev " + NODE_UPLINK);
        lines.add("addr add " + node.underlayV6() + "/" + UNDERLAY_V6.prefix() + " dev " + NODE_UPLINK + " nodad");
        for (IpAddress ip : node.localAddresses()) {
            lines.add("addr add " + host(ip) + " dev lo" + (ip.v6() ? " nodad" : ""));
        }
        IpAddress srcV4 = node.localAddresses().stream().filter(a -> !a.v6()).findFirst().orElse(node.underlayV4());
        IpAddress srcV6 = node.localAddresses().stream().filter(IpAddress::v6).findFirst().orElse(node.underlayV6());
        for (LabPod p : node.pods()) {
            if (p.hostNetwork()) {
                continue;
            }
            lines.add("link set " + p.hostInterface() + " up");
            lines.add("addr add " + GATEWAY_V6 + "/64 dev " + p.hostInterface() + " nodad");
            for (IpAddress ip : p.pod().ips()) {
                lines.add("route add " + host(ip) + " dev " + p.hostInterface() + " src " + (ip.v6() ? srcV6 : srcV4));
                lines.add("neigh add " + ip + " lladdr " + p.mac() + " dev " + p.hostInterface() + " nud permanent");
            }
        }
        for (int k = 0; k < nodes.size(); k++) {
            LabNode other = nodes.get(k);
            if (other == node) {
                continue;
            }
            // static neighbours: IPv6 neighbour discovery would wait for duplicate address detection (~1 s)
            lines.add("neigh add " + other.underlayV4() + " lladdr " + uplinkMac(k) + " dev " + NODE_UPLINK + " nud permanent");
            lines.add("neigh add " + other.underlayV6() + " lladdr " + uplinkMac(k) + " dev " + NODE_UPLINK + " nud permanent");
            for (IpAddress ip : reachableAt(other)) {
                lines.add("route add " + host(ip) + " via " + (ip.v6() ? other.underlayV6() : other.underlayV4())
                        + " dev " + NODE_UPLINK);
            }
        }
        return lines;
    }

    /** The addresses traffic for which must be sent to {@code node}: its routed pods and its own addresses. */
    private static List<IpAddress> reachableAt(LabNode node) {
        List<IpAddress> out = new ArrayList<>(node.localAddresses());
        node.pods().stream().filter(p -> !p.hostNetwork()).forEach(p -> out.addAll(p.pod().ips()));
        return out;
    }

    private static List<String> podScript(LabPod p) {
        List<String> lines = new ArrayList<>();
        lines.add("link set lo up");
        lines.add("link set " + POD_INTERFACE + " up");
        boolean v4 = false;
        boolean v6 = false;
        for (IpAddress ip : p.pod().ips()) {
            lines.add("addr add " + host(ip) + " dev " + POD_INTERFACE + (ip.v6() ? " nodad" : ""));
            v4 |= !ip.v6();
            v6 |= ip.v6();
        }
        if (v4) {
            lines.add("neigh add " + GATEWAY_V4 + " lladdr " + GATEWAY_MAC + " dev " + POD_INTERFACE + " nud permanent");
            lines.add("route add " + GATEWAY_V4 + "/32 dev " + POD_INTERFACE + " scope link");
            lines.add("route add 0.0.0.0/0 via " + GATEWAY_V4 + " dev " + POD_INTERFACE);
        }
        if (v6) {
            lines.add("neigh add " + GATEWAY_V6 + " lladdr " + GATEWAY_MAC + " dev " + POD_INTERFACE + " nud permanent");
            lines.add("route add ::/0 via " + GATEWAY_V6 + " dev " + POD_INTERFACE);
        }
        return lines;
    }

    private static String host(IpAddress ip) {
        return ip + (ip.v6() ? "/128" : "/32");
    }

    /** The script that removes every namespace of the lab (their links go with them); underlay last. */
    public List<String> removeScript() {
        List<String> names = new ArrayList<>(namespaces());
        java.util.Collections.reverse(names);
        return names.stream().map(ns -> "netns del " + ns).toList();
    }
}
