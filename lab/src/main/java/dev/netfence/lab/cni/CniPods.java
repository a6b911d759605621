package dev.netfence.lab.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netfence.lab.Lab;
import dev.netfence.lab.LabException;
import dev.netfence.lab.netns.NamespaceExecutor;
import dev.netfence.policy.net.Cidr;
import dev.netfence.policy.net.IpAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pods of one lab node made the way a container runtime makes them: a network namespace for the
 * sandbox, then the node's conflist run through {@link CniRuntime} from a thread inside the lab
 * node's namespace — Debian's {@code ptp} with {@code host-local} (routed, as Calico or the AWS VPC
 * CNI) chained with the {@code netfence} plugin, which announces the pod to the node's enforcer.
 *
 * <p>Sandboxes are namespaces named {@code nf-<run>-cni-<n>} (removed by {@link #close()}, or by
 * {@link Lab#downAll} with the run's prefix); host-local keeps its leases under {@code workDir}.
 */
public final class CniPods implements AutoCloseable {
    public static final Path DEBIAN_PLUGINS = Path.of("/usr/lib/cni");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Lab lab;
    private final String node;
    private final CniRuntime runtime;
    private final String conflist;
    private final NamespaceExecutor inNode;
    private final AtomicInteger next = new AtomicInteger();
    private final Map<String, CniPod> pods = new LinkedHashMap<>();

    /** A pod made through CNI: its sandbox namespace, the addresses host-local gave it, the runtime's result. */
    public record CniPod(String namespace, String name, String containerId, String netns, List<IpAddress> ips,
                         JsonNode result) {
        public String key() {
            return namespace + "/" + name;
        }

        public Path netnsPath() {
            return Path.of("/run/netns", netns);
        }
    }

    /**
     * @param netfencePlugin the plugin binary ({@code enforcer-core/target/cni/netfence})
     * @param socket         the node's enforcer socket ({@code CniSettings.socket()})
     * @param range          the node's pod CIDR for host-local (its first address is the ptp gateway)
     */
    public CniPods(Lab lab, String node, Path netfencePlugin, Path socket, Cidr range, Path workDir) {
        this.lab = lab;
        this.node = node;
        this.conflist = routedConflist(lab.runId() + "-" + node, range, workDir.resolve("host-local"), socket);
        this.runtime = new CniRuntime(List.of(DEBIAN_PLUGINS, netfencePlugin.toAbsolutePath().getParent()), conflist);
        this.inNode = new NamespaceExecutor(lab.nodeNamespace(node), 2);
    }

    /** What is missing to make pods through CNI here, or null. */
    public static String prerequisitesMissing(Path netfencePlugin) {
        for (String p : List.of("ptp", "host-local")) {
            if (!Files.isExecutable(DEBIAN_PLUGINS.resolve(p))) {
                return "needs Debian's containernetworking-plugins (" + DEBIAN_PLUGINS.resolve(p) + " is missing):"
                        + " apt-get install containernetworking-plugins";
            }
        }
        if (!Files.isExecutable(netfencePlugin)) {
            return "needs the netfence plugin binary " + netfencePlugin + " (built by enforcer-core's compile phase with gcc)";
        }
        return null;
    }

    /**
     * The conflist of a routed node: {@code ptp} (a veth per pod, the host end in the node, a /32 route
     * to the pod) with {@code host-local} addresses from {@code range}, then {@code netfence}.
     */
    public static String routedConflist(String name, Cidr range, Path ipamDir, Path socket) {
        ObjectNode list = JSON.createObjectNode();
        list.put("cniVersion", "1.0.0");
        list.put("name", name);
        ArrayNode plugins = list.putArray("plugins");
        ObjectNode ptp = plugins.addObject();
        ptp.put("type", "ptp");
        ptp.put("ipMasq", false);
        ObjectNode ipam = ptp.putObject("ipam");
        ipam.put("type", "host-local");
        ipam.put("dataDir", ipamDir.toString());
        ObjectNode r = ipam.putArray("ranges").addArray().addObject();
        r.put("subnet", range.toString());
        ipam.putArray("routes").addObject().put("dst", range.v6() ? "::/0" : "0.0.0.0/0");
        ObjectNode netfence = plugins.addObject();
        netfence.put("type", "netfence");
        netfence.put("socket", socket.toString());
        return list.toPrettyString();
    }

    public String conflist() {
        return conflist;
    }

    /** Creates the sandbox namespace only (a runtime's RunPodSandbox before it calls CNI). */
    public String sandbox() {
        String netns = lab.plan().prefix() + "cni-" + next.incrementAndGet();
        ip("netns", "add", netns);
        return netns;
    }

    /** CNI ADD of a pod into {@code netns} (from {@link #sandbox()}); on failure the sandbox stays for the caller to remove. */
    public CniPod add(String netns, String namespace, String name) {
        String containerId = netns.replace('-', '0') + "0" + Integer.toHexString(name.hashCode());
        CniRuntime.Sandbox s = new CniRuntime.Sandbox(containerId, Path.of("/run/netns", netns), "eth0", namespace, name);
        JsonNode result;
        try {
            result = inNode.call(() -> runtime.add(s));
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new LabException("CNI ADD of " + namespace + "/" + name + " failed: " + e.getMessage(), e);
        }
        List<IpAddress> ips = new ArrayList<>();
        result.path("ips").forEach(ip -> {
            String a = ip.get("address").asText();
            ips.add(IpAddress.parse(a.substring(0, a.indexOf('/'))));
        });
        CniPod pod = new CniPod(namespace, name, containerId, netns, ips, result);
        synchronized (pods) {
            pods.put(pod.key(), pod);
        }
        return pod;
    }

    /** CNI DEL (through every plugin, in reverse), then the sandbox namespace is removed. */
    public void delete(CniPod pod) {
        synchronized (pods) {
            pods.remove(pod.key());
        }
        try {
            inNode.call(() -> {
                runtime.del(new CniRuntime.Sandbox(pod.containerId(), pod.netnsPath(), "eth0", pod.namespace(), pod.name()));
                return null;
            });
        } catch (Exception e) {
            throw new LabException("CNI DEL of " + pod.key() + " failed: " + e.getMessage(), e);
        } finally {
            removeSandbox(pod.netns());
        }
    }

    /** Calls one plugin as the runtime would (for the plugin's own checks: malformed input, unknown pods). */
    public CniRuntime runtime() {
        return runtime;
    }

    public void removeSandbox(String netns) {
        try {
            ip("netns", "del", netns);
        } catch (LabException e) {
            // already gone
        }
    }

    @Override
    public void close() {
        List<CniPod> left;
        synchronized (pods) {
            left = new ArrayList<>(pods.values());
        }
        for (CniPod p : left) {
            try {
                delete(p);
            } catch (LabException e) {
                removeSandbox(p.netns());
            }
        }
        for (int i = 1; i <= next.get(); i++) {
            removeSandbox(lab.plan().prefix() + "cni-" + i);
        }
        inNode.close();
    }

    private static void ip(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("ip");
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new LabException(String.join(" ", cmd) + " failed: " + out.strip());
            }
        } catch (IOException e) {
            throw new LabException(String.join(" ", cmd) + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted", e);
        }
    }
}
