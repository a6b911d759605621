package dev.netfence.lab;

import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.net.Cidr;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The topology of one lab run, computed from a snapshot without touching the system: namespace
 * and interface names, addresses, host-local ranges, and the {@code ip -batch} scripts that build
 * the nodes and the underlay. Pods are not made here: the node's CNI plugins make them
 * ({@link dev.netfence.lab.cni.LabPodNetwork}), as a container runtime would.
 *
 * <p>{@link LabTopology#ROUTED}: {@code ptp} gives each pod a veth whose host end holds the range's
 * gateway; nodes reach each other's pods over an underlay bridge that lives in its own namespace,
 * with one route per remote address. {@link LabTopology#BRIDGED_VXLAN}: the node's pods share
 * {@code cni0}; nodes reach each other's pods through a VXLAN device {@code vx0} over the same
 * underlay, with static neighbour and FDB entries (what Flannel's daemon writes). Nothing is created
 * in the machine's own namespace, and no namespace of the lab has a default route.
 */
public final class LabPlan {

    /** Every namespace of every lab starts with this. */
    public static final String PREFIX = "nf-";
    /** The lab's own underlay ranges (RFC 2544 benchmarking range; a ULA): never pod addresses. */
    public static final Cidr UNDERLAY_V4 = Cidr.parse("198.18.0.0/16");
    public static final Cidr UNDERLAY_V6 = Cidr.parse("fd00:6e66::/64");
    /** The VXLAN devices' own addresses (bridged topology), from the same RFC 2544 range. */
    public static final Cidr VTEP_V4 = Cidr.parse("198.19.0.0/16");
    public static final Cidr VTEP_V6 = Cidr.parse("fd00:6e67::/64");
    /** Flannel's VNI and port for its vxlan backend. */
    static final int VXLAN_ID = 1;
    static final int VXLAN_PORT = 8472;
    static final String UNDERLAY_BRIDGE = "br0";
    static final String NODE_UPLINK = "ul0";
    static final String VXLAN_DEVICE = "vx0";
    public static final String POD_BRIDGE = "cni0";
    static final String POD_INTERFACE = "eth0";

    private static final Pattern READABLE = Pattern.compile("[a-z0-9][a-z0-9.-]*");
    private static final Pattern RUN_ID = Pattern.compile("[a-z0-9]{1,12}");
    private static final int MAX_READABLE_NAME = 64;
    private static final Cidr LINK_LOCAL_V4 = Cidr.parse("169.254.0.0/16");
    private static final Cidr LINK_LOCAL_V6 = Cidr.parse("fe80::/10");

    private final String runId;
    private final LabTopology topology;
    private final List<LabNode> nodes;
    private final List<LabPod> pods;

    private LabPlan(String runId, LabTopology topology, List<LabNode> nodes, List<LabPod> pods) {
        this.runId = runId;
        this.topology = topology;
        this.nodes = List.copyOf(nodes);
        this.pods = List.copyOf(pods);
    }

    public static LabPlan of(ClusterSnapshot snapshot, String runId) {
        return of(snapshot, runId, LabTopology.ROUTED);
    }

    /**
     * Plans a lab for the pods of {@code snapshot} that have an IP (pods without one are not
     * running and take part in no flow). Every such pod needs {@code spec.nodeName}.
     */
    public static LabPlan of(ClusterSnapshot snapshot, String runId, LabTopology topology) {
        if (!RUN_ID.matcher(runId).matches()) {
            throw new LabException("invalid lab run id \"" + runId + "\": use 1-12 lowercase letters or digits");
        }
        String prefix = runPrefix(runId);
        List<Pod> running = snapshot.podsWithIps();
        TreeSet<String> nodeNames = new TreeSet<>();
        snapshot.nodes().forEach(n -> nodeNames.add(n.name()));
        Map<IpAddress, String> routedOwners = new HashMap<>();
        Set<IpAddress> taken = new HashSet<>();
        for (Pod p : running) {
            if (p.nodeName() == null || p.nodeName().isEmpty()) {
                throw new LabException("pod " + p.key() + " (status.podIP " + p.ips().get(0) + "): spec.nodeName is "
                        + "empty; the lab places every running pod on its node: set spec.nodeName");
            }
            nodeNames.add(p.nodeName());
            for (IpAddress ip : p.ips()) {
                checkUsable(ip, "pod " + p.key() + " status.podIPs");
                taken.add(ip);
                String previous = p.hostNetwork() ? null : routedOwners.putIfAbsent(ip, p.key());
                if (previous != null) {
                    throw new LabException("pod " + p.key() + " status.podIPs: " + ip + " is already the IP of "
                            + previous + "; every pod that is not host-network needs its own IP");
                }
            }
        }
        snapshot.nodes().forEach(n -> taken.addAll(n.ips()));
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
                lp = new LabPod(p, nodeNamespaces.get(p.nodeName()));
            } else {
                lp = new LabPod(p, readableOr(prefix + "pod-" + p.namespace() + "." + p.name(), prefix + "pod" + index));
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
            labNodes.add(new LabNode(name, e.getValue(), nth(UNDERLAY_V4, n), nth(UNDERLAY_V6, n), local, here,
                    podRanges(name, here, taken)));
        }
        return new LabPlan(runId, topology, labNodes, labPods);
    }

    /**
     * host-local's ranges for a node: per family, the smallest subnet (at most /24, /112) holding every
     * pod address of that family on the node, so that each pod gets exactly its planned addresses (a
     * runtime asks for them with the {@code ips} capability) and {@code bridge} needs one address of a
     * family on {@code cni0}.
     */
    static List<PodRange> podRanges(String node, List<LabPod> pods, Set<IpAddress> taken) {
        List<PodRange> out = new ArrayList<>();
        for (boolean v6 : new boolean[] {false, true}) {
            List<IpAddress> ips = pods.stream().filter(p -> !p.hostNetwork()).flatMap(p -> p.pod().ips().stream())
                    .filter(ip -> ip.v6() == v6).toList();
            if (ips.isEmpty()) {
                continue;
            }
            int prefix = v6 ? 112 : 24;
            while (prefix > 0 && !sharePrefix(ips, prefix)) {
                prefix--;
            }
            Cidr subnet = new Cidr(ips.get(0).mask(prefix), prefix);
            for (IpAddress ip : ips) {
                if (!v6 && (ip.equals(subnet.first()) || ip.equals(subnet.last()))) {
                    throw new LabException("node " + node + ": pod address " + ip + " is the network or broadcast address of "
                            + subnet + ", which host-local never hands out: give the pod another address");
                }
            }
            IpAddress gateway = subnet.last().previous();
            while (taken.contains(gateway) && subnet.contains(gateway.previous())) {
                gateway = gateway.previous();
            }
            out.add(new PodRange(subnet, gateway));
        }
        return out;
    }

    private static boolean sharePrefix(List<IpAddress> ips, int prefix) {
        IpAddress first = ips.get(0).mask(prefix);
        return ips.stream().allMatch(ip -> ip.mask(prefix).equals(first));
    }

    private static void checkUsable(IpAddress ip, String where) {
        for (Cidr own : ip.v6() ? List.of(UNDERLAY_V6, VTEP_V6) : List.of(UNDERLAY_V4, VTEP_V4)) {
            if (own.contains(ip)) {
                throw new LabException(where + ": " + ip + " is inside the lab's own underlay range " + own
                        + "; use addresses outside it");
            }
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

    public LabTopology topology() {
        return topology;
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
     * briefly, outside the lab. Pod interfaces are made later by CNI, inside the nodes.
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
        int self = nodes.indexOf(node);
        List<String> lines = new ArrayList<>();
        lines.add("link set lo up");
        lines.add("link set " + NODE_UPLINK + " up");
        lines.add("addr add " + node.underlayV4() + "/" + UNDERLAY_V4.prefix() + " dev " + NODE_UPLINK);
        lines.add("addr add " + node.underlayV6() + "/" + UNDERLAY_V6.prefix() + " dev " + NODE_UPLINK + " nodad");
        for (IpAddress ip : node.localAddresses()) {
            lines.add("addr add " + host(ip) + " dev lo" + (ip.v6() ? " nodad" : ""));
        }
        boolean vxlan = topology == LabTopology.BRIDGED_VXLAN;
        if (vxlan) {
            // Flannel's VTEP: one VXLAN device, no learning; its daemon writes a neighbour and an FDB entry per node
            lines.add("link add " + VXLAN_DEVICE + " address " + vtepMac(self) + " type vxlan id " + VXLAN_ID
                    + " local " + node.underlayV4() + " dev " + NODE_UPLINK + " dstport " + VXLAN_PORT + " nolearning");
            lines.add("addr add " + nth(VTEP_V4, self + 1) + "/32 dev " + VXLAN_DEVICE);
            lines.add("addr add " + nth(VTEP_V6, self + 1) + "/128 dev " + VXLAN_DEVICE + " nodad");
            lines.add("link set " + VXLAN_DEVICE + " up");
        }
        for (int k = 0; k < nodes.size(); k++) {
            LabNode other = nodes.get(k);
            if (other == node) {
                continue;
            }
            // static neighbours: IPv6 neighbour discovery would wait for duplicate address detection (~1 s)
            lines.add("neigh add " + other.underlayV4() + " lladdr " + uplinkMac(k) + " dev " + NODE_UPLINK + " nud permanent");
            lines.add("neigh add " + other.underlayV6() + " lladdr " + uplinkMac(k) + " dev " + NODE_UPLINK + " nud permanent");
            if (vxlan) {
                IpAddress vtep4 = nth(VTEP_V4, k + 1);
                IpAddress vtep6 = nth(VTEP_V6, k + 1);
                lines.add("neigh add " + vtep4 + " lladdr " + vtepMac(k) + " dev " + VXLAN_DEVICE + " nud permanent");
                lines.add("neigh add " + vtep6 + " lladdr " + vtepMac(k) + " dev " + VXLAN_DEVICE + " nud permanent");
                for (IpAddress ip : reachableAt(other)) {
                    lines.add("route add " + host(ip) + " via " + (ip.v6() ? vtep6 : vtep4) + " dev " + VXLAN_DEVICE + " onlink");
                }
            } else {
                for (IpAddress ip : reachableAt(other)) {
                    lines.add("route add " + host(ip) + " via " + (ip.v6() ? other.underlayV6() : other.underlayV4())
                            + " dev " + NODE_UPLINK);
                }
            }
        }
        return lines;
    }

    /**
     * The bridged topology's FDB entries ({@code bridge -n NODE -batch -}): each remote VTEP's MAC is
     * sent to that node's underlay address. Empty for the routed topology.
     */
    public Map<String, List<String>> fdbScripts() {
        Map<String, List<String>> scripts = new LinkedHashMap<>();
        if (topology != LabTopology.BRIDGED_VXLAN) {
            return scripts;
        }
        for (LabNode node : nodes) {
            List<String> lines = new ArrayList<>();
            for (int k = 0; k < nodes.size(); k++) {
                if (nodes.get(k) != node) {
                    lines.add("fdb append " + vtepMac(k) + " dev " + VXLAN_DEVICE + " dst " + nodes.get(k).underlayV4());
                }
            }
            scripts.put(node.namespace(), lines);
        }
        return scripts;
    }

    /**
     * The bridged topology's proxy neighbour entries on {@code cni0}, run once the node's pods exist.
     * The lab's snapshots may put one subnet on two nodes (the e2e model does: x/a on node-1, x/c on
     * node-2), which Flannel never does (one pod CIDR per node); a pod then resolves a remote pod of its
     * subnet on its own link, and the node answers for it (the route to it leaves by {@code vx0}).
     */
    public List<String> proxyNeighbours(LabNode node) {
        List<String> lines = new ArrayList<>();
        if (topology != LabTopology.BRIDGED_VXLAN) {
            return lines;
        }
        for (LabNode other : nodes) {
            if (other == node) {
                continue;
            }
            for (IpAddress ip : reachableAt(other)) {
                if (node.podRanges().stream().anyMatch(r -> r.subnet().contains(ip))) {
                    lines.add("neigh add proxy " + ip + " dev " + POD_BRIDGE);
                }
            }
        }
        return lines;
    }

    private static String vtepMac(int nodeIndex) {
        int v = nodeIndex + 1;
        return String.format("02:6e:68:%02x:%02x:%02x", (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
    }

    /** The addresses traffic for which must be sent to {@code node}: its routed pods and its own addresses. */
    private static List<IpAddress> reachableAt(LabNode node) {
        List<IpAddress> out = new ArrayList<>(node.localAddresses());
        node.pods().stream().filter(p -> !p.hostNetwork()).forEach(p -> out.addAll(p.pod().ips()));
        return out;
    }

    /** A sandbox before CNI: only its loopback is up (containerd does that itself, before the conflist). */
    private static List<String> podScript(LabPod p) {
        return List.of("link set lo up");
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
