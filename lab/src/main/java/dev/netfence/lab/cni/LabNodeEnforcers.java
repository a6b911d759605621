package dev.netfence.lab.cni;

import dev.netfence.enforcer.cni.CniEndpoint;
import dev.netfence.enforcer.cni.CniInstaller;
import dev.netfence.enforcer.cni.CniSettings;
import dev.netfence.enforcer.cni.PodAnnouncements;
import dev.netfence.enforcer.datapath.NftablesDatapath;
import dev.netfence.enforcer.flow.FlowLog;
import dev.netfence.enforcer.loop.EnforcerLoop;
import dev.netfence.enforcer.loop.EnforcerObserver;
import dev.netfence.enforcer.loop.EnforcerSettings;
import dev.netfence.enforcer.loop.NewPodSettings;
import dev.netfence.enforcer.loop.StatusSink;
import dev.netfence.enforcer.source.RuleSetSource;
import dev.netfence.lab.Lab;
import dev.netfence.lab.LabException;
import dev.netfence.lab.LabNode;
import dev.netfence.lab.NodeEnforcers;
import dev.netfence.policy.compile.CompiledCluster;
import dev.netfence.policy.compile.ResolvedRuleSet;
import dev.netfence.policy.compile.RuleSetCompiler;
import dev.netfence.policy.model.ClusterSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;

/**
 * One real enforcer per lab node, as the DaemonSet runs them: the enforcer's {@link EnforcerLoop} with
 * the production defaults ({@link EnforcerSettings#defaults}, fail-closed {@link NewPodSettings}),
 * libnftables inside the node's namespace, and its {@link CniEndpoint} on a socket of the run, which the
 * {@code netfence} plugin chained in the node's conflist calls for every pod the lab makes. Rule sets
 * are what the operator would publish: {@link #enforce} compiles a snapshot with the engine's
 * compiler and hands each node its rule set through an in-memory source (the operator path with the
 * API server in between is {@code OperatorToDatapathIT} and the demo's).
 *
 * <p>Each node starts with the rule set of the snapshot the lab is made from, so its pods are named
 * when their ADD arrives (a cluster where the operator already compiled them); a pod made later
 * through {@link CniPods} is held by the fail-closed rule until a rule set names it.
 */
public final class LabNodeEnforcers implements NodeEnforcers, AutoCloseable {
    /** Longest wait for every node to apply a rule set. */
    public static final Duration ENFORCE_TIMEOUT = Duration.ofSeconds(30);

    private final ClusterSnapshot initial;
    private final NewPodSettings newPods;
    private final Path work;
    private final Path plugin;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    /** Each node's flow log, made when the node's enforcer starts (null: none, the lab's default). */
    private volatile BiFunction<Lab, LabNode, FlowLog> flowLogs;

    private record Node(Published source, EnforcerLoop loop, CniEndpoint endpoint) {
    }

    /**
     * @param initial the snapshot the lab is made from
     * @param newPods the new-pod settings (the shared ConfigMap's {@code netfence.cluster.new-pods}, ...)
     */
    public LabNodeEnforcers(ClusterSnapshot initial, NewPodSettings newPods) {
        this.initial = initial;
        this.newPods = newPods;
        try {
            this.work = Files.createTempDirectory("nf-enforcers");
            Path bin = Files.createDirectories(work.resolve("bin"));
            // the plugin binary this build ships in enforcer-core's jar, installed as the DaemonSet installs it
            CniInstaller.installBinary(bin);
            this.plugin = bin.resolve("netfence");
        } catch (IOException | RuntimeException e) {
            throw new LabException("cannot install the netfence CNI plugin for the lab: " + e.getMessage(), e);
        }
    }

    public LabNodeEnforcers(ClusterSnapshot initial) {
        this(initial, NewPodSettings.DEFAULTS);
    }

    /**
     * Gives each node's enforcer loop a flow log ({@link EnforcerLoop#withFlowLog}), made by {@code perNode}
     * when the node starts, as the enforcer application does with its flow-log settings; call before the
     * lab is up.
     */
    public LabNodeEnforcers withFlowLogs(BiFunction<Lab, LabNode, FlowLog> perNode) {
        this.flowLogs = perNode;
        return this;
    }

    @Override
    public Path plugin() {
        return plugin;
    }

    @Override
    public synchronized Path start(Lab lab, LabNode node) {
        CniSettings cni = CniSettings.under(work.resolve(node.name()));
        Published source = new Published(node.name());
        PodAnnouncements announced = PodAnnouncements.persistent(cni.stateDir());
        EnforcerLoop loop = new EnforcerLoop(EnforcerSettings.defaults(node.name()), source,
                new NftablesDatapath(lab.inNode(node.name())), StatusSink.NONE, EnforcerObserver.NONE, newPods, announced);
        BiFunction<Lab, LabNode, FlowLog> logs = flowLogs;
        if (logs != null) {
            loop.withFlowLog(logs.apply(lab, node));
        }
        CniEndpoint endpoint;
        try {
            loop.start();
            endpoint = CniEndpoint.start(cni, loop, announced);
        } catch (RuntimeException e) {
            loop.close();
            throw e;
        }
        nodes.put(node.name(), new Node(source, loop, endpoint));
        ResolvedRuleSet first = RuleSetCompiler.compile(initial).forNode(node.name());
        source.publish(first);
        awaitApplied(Map.of(node.name(), first.contentHash()));
        return cni.socket();
    }

    /** The node's enforcer loop (state, waiting pods). */
    public EnforcerLoop loop(String node) {
        Node n = nodes.get(node);
        if (n == null) {
            throw new LabException("no enforcer on node " + node + "; nodes: " + nodes.keySet());
        }
        return n.loop();
    }

    /** The node's CNI socket, for pods made later with {@link CniPods}. */
    public Path socket(String node) {
        return CniSettings.under(work.resolve(node)).socket();
    }

    /**
     * Publishes the rule sets compiled from {@code snapshot} to every node and returns once every
     * node's kernel table holds its rule set with its address sets (the loop's applied hash).
     */
    public Duration enforce(ClusterSnapshot snapshot) {
        CompiledCluster compiled = RuleSetCompiler.compile(snapshot);
        Map<String, String> wanted = new LinkedHashMap<>();
        long start = System.nanoTime();
        synchronized (this) {
            nodes.forEach((name, n) -> {
                ResolvedRuleSet rs = compiled.forNode(name);
                wanted.put(name, rs.contentHash());
                n.source().publish(rs);
            });
        }
        awaitApplied(wanted);
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private void awaitApplied(Map<String, String> wanted) {
        long deadline = System.nanoTime() + ENFORCE_TIMEOUT.toNanos();
        for (Map.Entry<String, String> e : wanted.entrySet()) {
            EnforcerLoop loop = loop(e.getKey());
            while (!e.getValue().equals(loop.state().appliedHash())) {
                if (System.nanoTime() > deadline) {
                    throw new LabException("node " + e.getKey() + " has not applied its rule set within "
                            + ENFORCE_TIMEOUT.toSeconds() + " s" + Optional.ofNullable(loop.state().lastError())
                            .map(err -> ": " + err).orElse(""));
                }
                try {
                    Thread.sleep(2);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new LabException("interrupted while waiting for node " + e.getKey(), ex);
                }
            }
        }
    }

    /** Stops every enforcer (their tables stay, as a stopped enforcer leaves them) and removes the work directory. */
    @Override
    public synchronized void close() {
        nodes.values().forEach(n -> {
            n.endpoint().close();
            n.loop().close();
        });
        nodes.clear();
        try (var walk = Files.walk(work)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary directory: what is left is harmless
        }
    }

    /** The node's rule set as an operator publishes it: a push, with a change event. */
    private static final class Published implements RuleSetSource {
        private final String node;
        private final AtomicReference<Optional<ResolvedRuleSet>> current = new AtomicReference<>(Optional.empty());
        private final AtomicReference<Runnable> listener = new AtomicReference<>(() -> { });

        Published(String node) {
            this.node = node;
        }

        void publish(ResolvedRuleSet rs) {
            current.set(Optional.of(rs));
            listener.get().run();
        }

        @Override
        public Optional<ResolvedRuleSet> current() {
            return current.get();
        }

        @Override
        public String describe() {
            return "the lab's compiled rule set for node " + node;
        }

        @Override
        public boolean onChange(Runnable l) {
            listener.set(l);
            return true;
        }
    }
}
