package dev.netfence.lab.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netfence.lab.LabException;
import dev.netfence.lab.LabNode;
import dev.netfence.lab.LabPlan;
import dev.netfence.lab.LabPod;
import dev.netfence.lab.LabTopology;
import dev.netfence.lab.PodRange;
import dev.netfence.policy.net.IpAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The CNI of one lab node: its conflist and the runtime that runs it. The conflist is what a node of
 * that kind has in {@code /etc/cni/net.d}: {@code ptp} (routed) or {@code bridge} on {@code cni0}
 * (Flannel's), both with {@code host-local} over the node's {@link PodRange}s (given by the runtime), then {@code netfence}
 * when the node has an enforcer. A pod is added as a runtime adds it (CNI_* environment, the
 * configuration on stdin, the previous result chained), with its planned addresses asked for through
 * the {@code ips} and {@code ipRanges} capabilities ({@code runtimeConfig}, which host-local honours), so the lab's pods
 * keep the addresses their manifests report. Call {@link #add} on a thread inside the node's namespace:
 * {@code ptp} and {@code bridge} put the host side there.
 */
public final class LabPodNetwork {
    public static final Path DEBIAN_PLUGINS = CniPods.DEBIAN_PLUGINS;
    /** Flannel's MTU over a 1500-byte underlay: 50 bytes of VXLAN, UDP, IP and Ethernet headers. */
    static final int VXLAN_MTU = 1450;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LabNode node;
    private final String conflist;
    private final CniRuntime runtime;

    /**
     * @param netfencePlugin the netfence binary, or null for a conflist of Debian's plugins only
     * @param socket         the node's enforcer socket (with {@code netfencePlugin})
     */
    public LabPodNetwork(LabPlan plan, LabNode node, Path ipamDir, Path netfencePlugin, Path socket) {
        this.node = node;
        this.conflist = conflist(plan.runId() + "-" + node.name(), plan.topology(), node.podRanges(), ipamDir, socket);
        List<Path> path = new ArrayList<>(List.of(DEBIAN_PLUGINS));
        if (netfencePlugin != null) {
            path.add(netfencePlugin.toAbsolutePath().getParent());
        }
        this.runtime = new CniRuntime(path, conflist);
    }

    /** What is missing on this machine to make the lab's pods, or null. */
    public static String prerequisitesMissing() {
        for (String p : List.of("ptp", "bridge", "host-local")) {
            if (!Files.isExecutable(DEBIAN_PLUGINS.resolve(p))) {
                return "the lab makes its pods with Debian's CNI plugins and " + DEBIAN_PLUGINS.resolve(p) + " is missing: "
                        + "apt-get install containernetworking-plugins";
            }
        }
        return null;
    }

    /**
     * The node's conflist. {@code socket} null: no netfence entry.
     */
    public static String conflist(String name, LabTopology topology, List<PodRange> ranges, Path ipamDir, Path socket) {
        ObjectNode list = JSON.createObjectNode();
        list.put("cniVersion", "1.0.0");
        list.put("name", name);
        ArrayNode plugins = list.putArray("plugins");
        ObjectNode main = plugins.addObject();
        if (topology == LabTopology.ROUTED) {
            main.put("type", "ptp");
            main.put("ipMasq", false);
        } else {
            main.put("type", "bridge");
            main.put("bridge", LabPlan.POD_BRIDGE);
            main.put("isGateway", true);
            main.put("ipMasq", false);
            main.put("hairpinMode", false);
            main.put("mtu", VXLAN_MTU);
        }
        main.putObject("capabilities").put("ips", true).put("ipRanges", true);
        ObjectNode ipam = main.putObject("ipam");
        ipam.put("type", "host-local");
        ipam.put("dataDir", ipamDir.toString());
        // no "ranges": the runtime hands the node's ranges over with the ipRanges capability, as containerd and
        // CRI-O do with the Node's spec.podCIDRs (host-local puts runtimeConfig.ipRanges before configured ranges)
        ArrayNode routes = ipam.putArray("routes");
        for (PodRange r : ranges) {
            routes.addObject().put("dst", r.subnet().v6() ? "::/0" : "0.0.0.0/0");
        }
        if (socket != null) {
            ObjectNode netfence = plugins.addObject();
            netfence.put("type", "netfence");
            netfence.put("socket", socket.toString());
        }
        return list.toPrettyString();
    }

    public String conflist() {
        return conflist;
    }

    public CniRuntime runtime() {
        return runtime;
    }

    /** The container id the lab's runtime gives a pod's sandbox (CNI: letters, digits, '_', '.', '-'). */
    public static String containerId(LabPod pod) {
        return "nf" + Integer.toHexString(pod.namespace().hashCode()) + "-" + pod.key().replace('/', '.');
    }

    /**
     * The pod's sandbox with its addresses asked for: {@code ips} (host-local takes each from the range
     * set holding it) and {@code ipRanges}, the node's range sets of the pod's families only (else a
     * single-stack pod on a dual-stack node would get an address of the other family too).
     */
    public CniRuntime.Sandbox sandbox(LabPod pod) {
        ArrayNode ips = JSON.createArrayNode();
        pod.pod().ips().forEach(ip -> ips.add(ip.toString()));
        ArrayNode ranges = JSON.createArrayNode();
        for (PodRange r : node.podRanges()) {
            if (pod.pod().ips().stream().anyMatch(ip -> ip.v6() == r.subnet().v6())) {
                ObjectNode range = ranges.addArray().addObject();
                range.put("subnet", r.subnet().toString());
                range.put("gateway", r.gateway().toString());
            }
        }
        return new CniRuntime.Sandbox(containerId(pod), Path.of("/run/netns", pod.namespace()), "eth0",
                pod.pod().namespace(), pod.pod().name(), Map.of("ips", ips, "ipRanges", ranges));
    }

    /**
     * CNI ADD of {@code pod} (on a thread inside the node's namespace); fails unless the plugins gave it
     * exactly its planned addresses.
     */
    public JsonNode add(LabPod pod) {
        JsonNode result;
        try {
            result = runtime.add(sandbox(pod));
        } catch (CniRuntime.CniException e) {
            throw new LabException("node " + node.name() + ": CNI ADD of pod " + pod.key() + " failed: " + e.getMessage(), e);
        }
        Set<IpAddress> got = new HashSet<>();
        result.path("ips").forEach(ip -> {
            String a = ip.path("address").asText();
            got.add(IpAddress.parse(a.contains("/") ? a.substring(0, a.indexOf('/')) : a));
        });
        if (!got.equals(new HashSet<>(pod.pod().ips()))) {
            throw new LabException("node " + node.name() + ": CNI gave pod " + pod.key() + " the addresses " + got
                    + ", not its status.podIPs " + pod.pod().ips());
        }
        return result;
    }

    /**
     * CNI ADD of a pod the lab did not plan, into the sandbox {@code netns} (a namespace the caller made),
     * as a runtime adds a new pod: only the node's ranges are passed ({@code ipRanges}), host-local picks
     * the next free address next to the leases of the lab's pods. Call on a thread inside the node's
     * namespace that is not the node enforcer's (the netfence plugin's ADD waits for that enforcer).
     *
     * @return the addresses the plugins gave the pod
     */
    public List<IpAddress> addNew(String containerId, String netns, String namespace, String name) {
        ArrayNode ranges = JSON.createArrayNode();
        for (PodRange r : node.podRanges()) {
            ObjectNode range = ranges.addArray().addObject();
            range.put("subnet", r.subnet().toString());
            range.put("gateway", r.gateway().toString());
        }
        JsonNode result;
        try {
            result = runtime.add(new CniRuntime.Sandbox(containerId, Path.of("/run/netns", netns), "eth0", namespace, name,
                    Map.of("ipRanges", ranges)));
        } catch (CniRuntime.CniException e) {
            throw new LabException("node " + node.name() + ": CNI ADD of pod " + namespace + "/" + name + " failed: "
                    + e.getMessage(), e);
        }
        List<IpAddress> got = new ArrayList<>();
        result.path("ips").forEach(ip -> {
            String a = ip.path("address").asText();
            got.add(IpAddress.parse(a.contains("/") ? a.substring(0, a.indexOf('/')) : a));
        });
        return got;
    }

    /** CNI DEL of a pod made with {@link #addNew} (idempotent, as the spec's DEL). */
    public void deleteNew(String containerId, String netns, String namespace, String name) {
        runtime.del(new CniRuntime.Sandbox(containerId, Path.of("/run/netns", netns), "eth0", namespace, name));
    }
}
