package dev.netfence.lab;

import dev.netfence.enforcer.datapath.NftablesDatapath;
import dev.netfence.lab.cni.LabPodNetwork;
import dev.netfence.lab.netns.NamespaceExecutor;
import dev.netfence.lab.netns.NetworkNamespaces;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.ContainerPort;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A cluster on one machine made of network namespaces (see {@link LabPlan} for the topology), with
 * a TCP and a UDP server in every pod on every declared container port. Everything it creates is
 * named {@code nf-<runId>-...} and removed by {@link #close()}, by a JVM shutdown hook (Ctrl-C), and
 * when {@link #up} fails half-way; {@link #downAll} removes what a killed run left behind.
 */
public final class Lab implements AutoCloseable {

    private final LabPlan plan;
    private final LabOptions options;
    private final Map<String, NamespaceExecutor> executors = new LinkedHashMap<>();
    private final PodServers servers = new PodServers();
    private final Set<String> serving = new HashSet<>();
    private final AtomicBoolean removed = new AtomicBoolean();
    private final Object lifecycle = new Object();
    private final Thread shutdownHook;
    /** host-local's leases (one directory per node); removed with the lab. */
    private volatile Path cniWork;
    /** Each node's CNI as the lab made its pods with it, for pods made later (the demo's new pod). */
    private final Map<String, LabPodNetwork> networks = new java.util.concurrent.ConcurrentHashMap<>();

    private Lab(LabPlan plan, LabOptions options) {
        this.plan = plan;
        this.options = options;
        this.shutdownHook = new Thread(this::remove, "lab-" + plan.runId() + "-cleanup");
    }

    public static Lab up(ClusterSnapshot snapshot) {
        return up(snapshot, LabOptions.DEFAULT);
    }

    /** Builds the lab, starts the pod servers and installs {@code options.rules()} on every node. */
    public static Lab up(ClusterSnapshot snapshot, LabOptions options) {
        prerequisitesMissing().ifPresent(reason -> {
            throw new LabException(reason);
        });
        String runId = options.runId() != null ? options.runId() : freshRunId();
        LabPlan plan = LabPlan.of(snapshot, runId, options.topology());
        List<String> existing = namespacesWithPrefix(plan.prefix());
        if (!existing.isEmpty()) {
            throw new LabException("lab run " + runId + " already exists (" + existing.size() + " namespaces "
                    + plan.prefix() + "*): remove it with `netfence lab down " + runId + "` or pick another run id");
        }
        Lab lab = new Lab(plan, options);
        Runtime.getRuntime().addShutdownHook(lab.shutdownHook);
        try {
            lab.build();
            return lab;
        } catch (LabException e) {
            lab.close();
            throw e;
        } catch (RuntimeException | Error e) {
            lab.close();
            throw new LabException("lab " + runId + " could not be built (everything it created was removed): "
                    + e.getMessage(), e);
        }
    }

    private void build() {
        synchronized (lifecycle) {
            checkNotRemoved();
            IpBatch.run(null, plan.createScript(), false);
        }
        ExecutorService launcher = Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<Void>> configured = new ArrayList<>();
            plan.configureScripts().forEach((ns, lines) ->
                    configured.add(CompletableFuture.runAsync(() -> IpBatch.run(ns, lines, false), launcher)));
            joinAll(configured);
        } finally {
            launcher.shutdown();
        }
        synchronized (lifecycle) {
            checkNotRemoved();
            for (String ns : plan.namespaces()) {
                if (!ns.equals(plan.underlayNamespace())) {
                    executors.put(ns, new NamespaceExecutor(ns, 1));
                }
            }
        }
        plan.fdbScripts().forEach((ns, lines) -> IpBatch.bridge(ns, lines));
        List<CompletableFuture<Object>> sysctls = new ArrayList<>();
        for (LabNode node : plan.nodes()) {
            sysctls.add(executors.get(node.namespace()).submit(() -> {
                // /proc/sys/net resolves against the namespace of the calling thread
                Files.writeString(Path.of("/proc/sys/net/ipv4/ip_forward"), "1");
                Files.writeString(Path.of("/proc/sys/net/ipv6/conf/all/forwarding"), "1");
                noDuplicateAddressDetection();
                return null;
            }));
        }
        for (LabPod p : plan.pods()) {
            if (!p.hostNetwork()) {
                sysctls.add(executors.get(p.namespace()).submit(() -> {
                    noDuplicateAddressDetection();
                    return null;
                }));
            }
        }
        joinAll(sysctls);
        makePods();
        List<ServedPort> declared = new ArrayList<>();
        for (LabPod p : plan.pods()) {
            for (ContainerPort cp : p.pod().ports()) {
                if (cp.protocol() != Protocol.SCTP) {
                    declared.add(new ServedPort(p, cp.port(), cp.protocol()));
                }
            }
        }
        serve(declared);
        if (options.rules() != null) {
            installRules(options.rules());
        }
    }

    /**
     * The lab's addresses are unique by plan, and duplicate address detection would make every new
     * IPv6 address (pods' and gateways') unusable for about a second: interfaces created from now on in
     * this namespace skip it.
     */
    private static void noDuplicateAddressDetection() throws IOException {
        Files.writeString(Path.of("/proc/sys/net/ipv6/conf/default/accept_dad"), "0");
        Files.writeString(Path.of("/proc/sys/net/ipv6/conf/all/accept_dad"), "0");
    }

    /**
     * Makes every pod as a runtime does: the node's enforcer (when the lab has enforcers) is started
     * first, then each pod's sandbox gets its network from the node's conflist, run from a thread inside
     * the node's namespace (nodes in parallel, a node's pods one after the other).
     */
    private void makePods() {
        try {
            cniWork = Files.createTempDirectory("nf-" + plan.runId() + "-cni");
        } catch (IOException e) {
            throw new LabException("cannot create the CNI work directory: " + e.getMessage(), e);
        }
        List<CompletableFuture<Object>> made = new ArrayList<>();
        // the runtime's own thread in each node: the node's executor stays free for its enforcer, whose apply
        // the netfence plugin's ADD waits for
        List<NamespaceExecutor> runtimes = new ArrayList<>();
        try {
            for (LabNode node : plan.nodes()) {
                Path socket = options.enforcers() == null ? null : options.enforcers().start(this, node);
                LabPodNetwork network = new LabPodNetwork(plan, node, cniWork.resolve(node.name()),
                        options.enforcers() == null ? null : options.enforcers().plugin(), socket);
                networks.put(node.name(), network);
                // a kubelet starts a node's sandboxes in parallel (host-local serialises its leases with a file lock)
                NamespaceExecutor runtime = new NamespaceExecutor(node.namespace(), 4);
                runtimes.add(runtime);
                for (LabPod p : node.pods()) {
                    if (!p.hostNetwork()) {
                        made.add(runtime.submit(() -> network.add(p)));
                    }
                }
            }
            joinAll(made);
            made.clear();
            for (int i = 0; i < plan.nodes().size(); i++) {
                LabNode node = plan.nodes().get(i);
                made.add(runtimes.get(i).submit(() -> bridgeProxySettings(node)));
            }
            joinAll(made);
        } finally {
            runtimes.forEach(NamespaceExecutor::close);
        }
        for (LabNode node : plan.nodes()) {
            IpBatch.run(node.namespace(), plan.proxyNeighbours(node), false);
        }
    }

    /** Runs inside the node's namespace once its pods exist: the bridge answers for remote pods of its subnet at once. */
    private Object bridgeProxySettings(LabNode node) throws IOException {
        if (!plan.proxyNeighbours(node).isEmpty()) {
            String bridge = LabPlan.POD_BRIDGE;
            Files.writeString(Path.of("/proc/sys/net/ipv6/conf/" + bridge + "/proxy_ndp"), "1");
            Files.writeString(Path.of("/proc/sys/net/ipv4/neigh/" + bridge + "/proxy_delay"), "0");
            Files.writeString(Path.of("/proc/sys/net/ipv6/neigh/" + bridge + "/proxy_delay"), "0");
        }
        return null;
    }

    /** Waits for every future; the first failure is rethrown as is (a LabException keeps its message). */
    private static void joinAll(List<? extends CompletableFuture<?>> futures) {
        for (CompletableFuture<?> f : futures) {
            try {
                f.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw new LabException(e.getCause().getMessage(), e.getCause());
            }
        }
    }

    private void checkNotRemoved() {
        if (removed.get()) {
            throw new LabException("lab " + plan.runId() + " was removed while coming up (JVM shutting down)");
        }
    }

    private static String freshRunId() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        while (true) {
            StringBuilder id = new StringBuilder();
            for (int i = 0; i < 6; i++) {
                id.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
            }
            if (namespacesWithPrefix(LabPlan.runPrefix(id.toString())).isEmpty()) {
                return id.toString();
            }
        }
    }

    /** Why the lab cannot run on this machine (not root, no {@code ip}), or empty when it can. */
    public static Optional<String> prerequisitesMissing() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return Optional.of("the lab needs Linux network namespaces; this is " + System.getProperty("os.name"));
        }
        if (!NetworkNamespaces.isRoot()) {
            return Optional.of("the lab creates network namespaces and needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN): "
                    + "run it as root, e.g. with sudo");
        }
        if (findExecutable("ip").isEmpty() || findExecutable("bridge").isEmpty()) {
            return Optional.of("the lab needs the `ip` and `bridge` commands of iproute2: apt-get install iproute2");
        }
        String cni = LabPodNetwork.prerequisitesMissing();
        if (cni != null) {
            return Optional.of(cni);
        }
        return Optional.empty();
    }

    /** Finds a program on PATH or in the sbin directories (root's tools are there even when PATH lacks them). */
    public static Optional<Path> findExecutable(String name) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        return dirs.stream().filter(d -> !d.isEmpty()).map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst();
    }

    // ---- what the lab is made of

    public String runId() {
        return plan.runId();
    }

    public LabPlan plan() {
        return plan;
    }

    public List<LabNode> nodes() {
        return plan.nodes();
    }

    /** Running pods in namespace/name order. */
    public List<LabPod> pods() {
        return plan.pods();
    }

    public LabNode node(String name) {
        return plan.nodes().stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new LabException("no node " + name + " in lab " + runId() + "; nodes: "
                        + plan.nodes().stream().map(LabNode::name).toList()));
    }

    public LabPod pod(String key) {
        return plan.pods().stream().filter(p -> p.key().equals(key)).findFirst()
                .orElseThrow(() -> new LabException("no running pod " + key + " in lab " + runId()
                        + " (pods need status.podIP and spec.nodeName)"));
    }

    public String nodeNamespace(String node) {
        return node(node).namespace();
    }

    /**
     * A lab node's namespace as the enforcer's datapath sees it: every kernel call of the node's
     * enforcer runs on the lab's setns thread for that node.
     */
    public NftablesDatapath.InNamespace inNode(String node) {
        return new NftablesDatapath.InNamespace() {
            @Override
            public <T> T call(Callable<T> task) {
                return runInNode(node, task);
            }
        };
    }

    /**
     * The node's CNI (its conflist, with the netfence entry when the lab has enforcers, and host-local's
     * leases of the lab's pods), for pods made while the lab runs: {@link LabPodNetwork#addNew}.
     */
    public LabPodNetwork podNetwork(String node) {
        LabPodNetwork n = networks.get(node(node).name());
        if (n == null) {
            throw new LabException("node " + node + " has no CNI yet (the lab is still being made)");
        }
        return n;
    }

    /** The namespace a pod runs in (its node's for a host-network pod). */
    public String podNamespace(String podKey) {
        return pod(podKey).namespace();
    }

    // ---- running things inside

    public <T> T runInNode(String node, Callable<T> task) {
        return call(node(node).namespace(), task);
    }

    public <T> T runInPod(String podKey, Callable<T> task) {
        return call(pod(podKey).namespace(), task);
    }

    private <T> T call(String namespace, Callable<T> task) {
        try {
            return executor(namespace).call(task);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new LabException("task in " + namespace + " failed: " + e.getMessage(), e);
        }
    }

    private NamespaceExecutor executor(String namespace) {
        synchronized (lifecycle) {
            checkNotRemoved();
            NamespaceExecutor e = executors.get(namespace);
            if (e == null) {
                throw new LabException("no namespace " + namespace + " in lab " + runId());
            }
            return e;
        }
    }

    /**
     * Runs {@code installer} for every node, in parallel, each inside its node's namespace. Throws
     * naming every node that failed.
     */
    public void installRules(NodeRulesInstaller installer) {
        Map<LabNode, CompletableFuture<Object>> running = new LinkedHashMap<>();
        for (LabNode node : plan.nodes()) {
            running.put(node, executor(node.namespace()).submit(() -> {
                installer.install(node);
                return null;
            }));
        }
        List<String> failures = new ArrayList<>();
        Throwable first = null;
        for (Map.Entry<LabNode, CompletableFuture<Object>> e : running.entrySet()) {
            try {
                e.getValue().get();
            } catch (ExecutionException ex) {
                failures.add("node " + e.getKey().name() + ": " + ex.getCause().getMessage());
                first = first == null ? ex.getCause() : first;
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new LabException("interrupted while installing rules", ex);
            }
        }
        if (!failures.isEmpty()) {
            throw new LabException("installing rules failed on " + String.join("; ", failures), first);
        }
    }

    // ---- servers and probes

    private record ServedPort(LabPod pod, int port, Protocol protocol) {
    }

    /** Makes sure every pod serves {@code port} on {@code protocol} (TCP: accept; UDP: echo). */
    public void serve(int port, Protocol protocol) {
        if (protocol == Protocol.SCTP) {
            throw new LabException("the lab cannot serve SCTP: " + SCTP_REASON);
        }
        serve(plan.pods().stream().map(p -> new ServedPort(p, port, protocol)).toList());
    }

    /** Synchronized: a second caller must not probe a port whose sockets the first is still binding. */
    private synchronized void serve(List<ServedPort> ports) {
        Map<String, List<ServedPort>> byNamespace = new LinkedHashMap<>();
        for (ServedPort sp : ports) {
            if (sp.port() < 1 || sp.port() > 65535) {
                throw new LabException("pod " + sp.pod().key() + ": port " + sp.port() + " is not in 1-65535");
            }
            byNamespace.computeIfAbsent(sp.pod().namespace(), k -> new ArrayList<>()).add(sp);
        }
        List<CompletableFuture<List<SelectableChannel>>> opened = new ArrayList<>();
        byNamespace.forEach((ns, list) -> {
            List<ServedPort> fresh = new ArrayList<>();
            List<IpAddress> freshIps = new ArrayList<>();
            synchronized (serving) {
                for (ServedPort sp : list) {
                    for (IpAddress ip : sp.pod().pod().ips()) {
                        if (serving.add(ns + "|" + ip + "|" + sp.port() + "|" + sp.protocol())) {
                            fresh.add(sp);
                            freshIps.add(ip);
                        }
                    }
                }
            }
            if (!fresh.isEmpty()) {
                opened.add(executor(ns).submit(() -> openServers(fresh, freshIps)));
            }
        });
        for (CompletableFuture<List<SelectableChannel>> f : opened) {
            try {
                f.join().forEach(servers::add);
            } catch (CompletionException e) {
                throw new LabException("cannot start pod servers: " + e.getCause().getMessage(), e.getCause());
            }
        }
    }

    /** Runs inside the pod's namespace: binds one socket per address so replies leave from the probed address. */
    private static List<SelectableChannel> openServers(List<ServedPort> ports, List<IpAddress> ips) throws IOException {
        List<SelectableChannel> out = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) {
            ServedPort sp = ports.get(i);
            IpAddress ip = ips.get(i);
            InetSocketAddress at = new InetSocketAddress(InetAddress.getByName(ip.toString()), sp.port());
            var family = ip.v6() ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
            try {
                if (sp.protocol() == Protocol.TCP) {
                    ServerSocketChannel tcp = ServerSocketChannel.open(family);
                    out.add(tcp);
                    tcp.bind(at, 1024);
                    tcp.configureBlocking(false);
                } else {
                    DatagramChannel udp = DatagramChannel.open(family);
                    out.add(udp);
                    udp.bind(at);
                    udp.configureBlocking(false);
                }
            } catch (IOException e) {
                for (SelectableChannel c : out) {
                    c.close();
                }
                throw new IOException("pod " + sp.pod().key() + ": cannot listen on " + sp.protocol() + " " + at
                        + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    static final String SCTP_REASON = "SCTP rules are rendered and loaded, but SCTP packets cannot be sent on this "
            + "kernel (no sctp module), so reachability over SCTP is not measured";

    /**
     * Measures the full matrix on {@code port}, as {@code netfence simulate} evaluates it: each
     * pair over IPv4 when both pods have IPv4, else over IPv6 when both have IPv6 (a pair with no
     * family in common is not reached). Servers are started on that port in every pod first. SCTP
     * gives {@link ProbeResult.Unprobeable}.
     */
    public ProbeResult probe(int port, Protocol protocol) {
        return probe(port, protocol, null);
    }

    /** Like {@link #probe(int, Protocol)} over one family: each destination's address of that family (else its first). */
    public ProbeResult probe(int port, Protocol protocol, boolean ipv6) {
        return probe(port, protocol, Boolean.valueOf(ipv6));
    }

    private ProbeResult probe(int port, Protocol protocol, Boolean ipv6) {
        if (protocol == Protocol.SCTP) {
            return new ProbeResult.Unprobeable(protocol, port, SCTP_REASON);
        }
        serve(port, protocol);
        long start = System.nanoTime();
        ReachabilityMatrix matrix = new MatrixProber(plan.pods(), p -> executor(p.namespace()), options.timings())
                .probe(port, protocol, ipv6);
        return new ProbeResult.Measured(matrix, Duration.ofNanos(System.nanoTime() - start));
    }

    /** Like {@link #probe} but returns the matrix, failing when the protocol cannot be probed. */
    public ReachabilityMatrix measure(int port, Protocol protocol) {
        ProbeResult r = probe(port, protocol);
        if (r instanceof ProbeResult.Measured m) {
            return m.matrix();
        }
        throw new LabException(((ProbeResult.Unprobeable) r).reason());
    }

    // ---- removal

    @Override
    public void close() {
        remove();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook is running or has run
        }
    }

    private void remove() {
        synchronized (lifecycle) {
            if (!removed.compareAndSet(false, true)) {
                return;
            }
            servers.close();
            executors.values().forEach(NamespaceExecutor::close);
            executors.clear();
            IpBatch.run(null, plan.removeScript(), true);
            List<String> left = namespacesWithPrefix(plan.prefix());
            if (!left.isEmpty()) {
                IpBatch.run(null, left.stream().map(ns -> "netns del " + ns).toList(), true);
            }
            removeCniWork();
        }
    }

    /**
     * Leaves the lab's namespaces, links, routes and rules in place when this JVM ends, for
     * exploration with {@code ip netns exec}; its servers and threads stop now (the namespaces stay
     * reachable, nothing answers in them). Remove it later with {@code netfence lab down RUN_ID}
     * ({@link #downAll}). Returns the run id.
     */
    public String keep() {
        synchronized (lifecycle) {
            if (!removed.compareAndSet(false, true)) {
                throw new LabException("lab " + runId() + " was already removed");
            }
            servers.close();
            executors.values().forEach(NamespaceExecutor::close);
            executors.clear();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook found the lab marked removed and did nothing
        }
        return runId();
    }

    private void removeCniWork() {
        Path dir = cniWork;
        if (dir == null) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary directory: what is left is harmless
        }
    }

    /** Whether {@link #close()} (or the shutdown hook) has removed the lab. */
    public boolean isRemoved() {
        return removed.get();
    }

    /** The existing network namespaces whose names start with {@code prefix}. */
    public static List<String> namespacesWithPrefix(String prefix) {
        return NetworkNamespaces.list().stream().filter(n -> n.startsWith(prefix)).toList();
    }

    /** The run ids of the labs on this machine (running or left behind). */
    public static List<String> runs() {
        return NetworkNamespaces.list().stream()
                .filter(n -> n.startsWith(LabPlan.PREFIX) && n.endsWith("-underlay"))
                .map(n -> n.substring(LabPlan.PREFIX.length(), n.length() - "-underlay".length()))
                .toList();
    }

    /**
     * Removes every network namespace whose name starts with {@code prefix} (which must start with
     * {@code nf-}: the lab never touches anything else) and returns their names. For leftovers of
     * killed runs: {@code downAll("nf-<runId>-")} for one run, {@code downAll("nf-")} for all.
     */
    public static List<String> downAll(String prefix) {
        if (prefix == null || !prefix.startsWith(LabPlan.PREFIX)) {
            throw new LabException("refusing to remove namespaces with prefix \"" + prefix + "\": lab namespaces start with "
                    + LabPlan.PREFIX);
        }
        List<String> doomed = new ArrayList<>(namespacesWithPrefix(prefix));
        // underlays last, so a half-removed run is still listed by runs()
        doomed.sort((a, b) -> Boolean.compare(a.endsWith("-underlay"), b.endsWith("-underlay")));
        IpBatch.run(null, doomed.stream().map(ns -> "netns del " + ns).toList(), true);
        List<String> left = namespacesWithPrefix(prefix);
        if (!left.isEmpty()) {
            throw new LabException("could not remove " + left + ": try `ip netns del NAME` as root");
        }
        return doomed;
    }
}
