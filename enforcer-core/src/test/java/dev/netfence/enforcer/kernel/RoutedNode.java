package dev.netfence.enforcer.kernel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node of a test lab: a namespace with forwarding on and one namespace per pod, each pod joined
 * by a veth pair and routed (no bridge), its default route via the link-local gateway
 * 169.254.1.1 / fe80::1 that every host-side veth carries, as Calico lays pods out. Nothing is
 * connected to the machine's interfaces. {@link #close()} removes every namespace, also after a
 * failure.
 */
public final class RoutedNode implements AutoCloseable {
    private final String prefix;
    private final String node;
    private final Map<String, String> pods = new LinkedHashMap<>();
    private final List<String> namespaces = new ArrayList<>();

    /**
     * A node named {@code nf-<tag>-<pid>-node} with the given addresses on its loopback. The process id
     * keeps the names of checkouts that run the same test at once apart (a fixed name let one run delete
     * another's namespaces).
     */
    public RoutedNode(String tag, String... nodeAddresses) {
        this.prefix = "nf-" + tag + "-" + ProcessHandle.current().pid() + "-";
        NetNs.deleteAll(prefix);
        this.node = prefix + "node";
        try {
            NetNs.add(node);
            namespaces.add(node);
            NetNs.sh("ip", "netns", "exec", node, "sysctl", "-qw", "net.ipv4.ip_forward=1",
                    "net.ipv6.conf.all.forwarding=1", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0");
            for (String a : nodeAddresses) {
                NetNs.sh("ip", "-n", node, "addr", "add", a + (a.contains(":") ? "/128" : "/32"), "dev", "lo");
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public String nodeNamespace() {
        return node;
    }

    /** The namespace of a pod added with {@link #addPod}. */
    public String pod(String name) {
        return pods.get(name);
    }

    /** Adds a pod namespace {@code nf-<tag>-<pid>-<name>} with these addresses, routed through the node. */
    public String addPod(String name, String... ips) {
        String ns = prefix + name;
        String hostSide = "nfv" + pods.size();
        try {
            NetNs.add(ns);
            namespaces.add(ns);
            pods.put(name, ns);
            NetNs.sh("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0",
                    "net.ipv6.conf.default.accept_dad=0");
            NetNs.sh("ip", "-n", node, "link", "add", hostSide, "type", "veth", "peer", "name", "eth0", "netns", ns);
            NetNs.sh("ip", "-n", node, "addr", "add", "169.254.1.1/32", "dev", hostSide);
            NetNs.sh("ip", "-n", node, "addr", "add", "fe80::1/64", "dev", hostSide, "nodad");
            NetNs.sh("ip", "-n", node, "link", "set", hostSide, "up");
            NetNs.sh("ip", "-n", ns, "link", "set", "eth0", "up");
            NetNs.sh("ip", "-n", ns, "route", "add", "169.254.1.1", "dev", "eth0", "scope", "link");
            NetNs.sh("ip", "-n", ns, "route", "add", "default", "via", "169.254.1.1", "dev", "eth0");
            NetNs.sh("ip", "-n", ns, "-6", "route", "add", "default", "via", "fe80::1", "dev", "eth0");
            for (String ip : ips) {
                boolean v6 = ip.contains(":");
                if (v6) {
                    NetNs.sh("ip", "-n", ns, "addr", "add", ip + "/128", "dev", "eth0", "nodad");
                } else {
                    NetNs.sh("ip", "-n", ns, "addr", "add", ip + "/32", "dev", "eth0");
                }
                NetNs.sh("ip", "-n", node, "route", "add", ip + (v6 ? "/128" : "/32"), "dev", hostSide);
            }
            return ns;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public void close() {
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            NetNs.delete(namespaces.get(i));
        }
        namespaces.clear();
        NetNs.deleteAll(prefix);
    }
}
