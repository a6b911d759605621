package dev.netfence.cli.demo;

import dev.netfence.enforcer.cni.CniEndpoint;
import dev.netfence.enforcer.cni.CniInstaller;
import dev.netfence.enforcer.cni.CniSettings;
import dev.netfence.enforcer.cni.PodAnnouncements;
import dev.netfence.enforcer.kube.KubernetesEnforcer;
import dev.netfence.enforcer.loop.NewPodSettings;
import dev.netfence.lab.NodeEnforcers;
import dev.netfence.enforcer.loop.EnforcerLoop;
import dev.netfence.enforcer.loop.EnforcerObserver;
import dev.netfence.enforcer.loop.EnforcerSettings;
import dev.netfence.crds.NodeRuleSet;
import dev.netfence.lab.Lab;
import dev.netfence.lab.LabNode;
import dev.netfence.operator.OperatorSettings;
import dev.netfence.operator.status.DefaultDenyRealizations;
import dev.netfence.operator.status.DefaultDenyStatusController;
import dev.netfence.operator.OperatorRuntime;
import dev.netfence.policy.compile.CompiledCluster;
import dev.netfence.policy.compile.RuleSetCompiler;
import dev.netfence.policy.model.ClusterSnapshot;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The path rules take in a cluster: objects are written to a Kubernetes API (here the embedded mock
 * server), the real operator compiles them and publishes NodeRuleSets and AddressSets, and one real
 * enforcer per lab node picks up its NodeRuleSet, applies it inside the node's namespace and reports
 * the applied hash in the NodeRuleSet's status. Enforced means: every node's status reports the
 * rule set that the engine compiles from the same objects.
 *
 * <p>As on a cluster, the Nodes exist before their pods and each node's enforcer (host-network, made
 * without CNI) runs before the pods it guards: the lab calls {@link #start(Lab, LabNode)} for each
 * node before making its pods, whose conflists end with the {@code netfence} plugin answered by that
 * enforcer's CNI endpoint. The operator has published the node's NodeRuleSet from its Node; the pods
 * are not in the API yet, so each is held by the fail-closed rule from its ADD until step 1 applies it.
 */
final class OperatorPath implements RulePath, NodeEnforcers {

    static final Duration ENFORCE_TIMEOUT = Duration.ofSeconds(30);
    /** How long start() waits for the operator and every enforcer to be up (listed, leading, first sync run). */
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final EmbeddedApiServer api;
    private final OperatorRuntime operator;
    private final DefaultDenyStatusController status;
    private final List<EnforcerLoop> enforcers = new ArrayList<>();
    private final List<CniEndpoint> endpoints = new ArrayList<>();
    private final List<String> nodes = new ArrayList<>();
    private final Path work;
    /**
     * The NodeRuleSets as a watch delivers them, so that waiting for "enforced" reads memory and wakes on events,
     * like {@code kubectl wait}: polling each node's object every 5 ms put two GETs per 5 ms on the same two cores
     * (and the same mock API server) that the operator and the enforcers being measured run on.
     */
    private SharedIndexInformer<NodeRuleSet> ruleSets;
    private final Semaphore ruleSetEvents = new Semaphore(0);
    private String lastTiming = "";

    /** Each node's flow log, as the enforcer application starts it with its default settings (denials logged). */
    private final NodeFlowLogs flowLogs;

    private OperatorPath(EmbeddedApiServer api, OperatorRuntime operator, DefaultDenyStatusController status, Path work,
                         NodeFlowLogs flowLogs) {
        this.api = api;
        this.flowLogs = flowLogs;
        this.operator = operator;
        this.status = status;
        this.work = work;
    }

    /**
     * Starts the API server and the operator, applies {@code nodes} (the cluster's Node objects, so the
     * operator publishes their NodeRuleSets) and waits until the operator leads and the NodeRuleSet watch has
     * listed. The enforcers start when the lab makes its nodes ({@link #start(Lab, LabNode)}). Call from
     * outside every lab namespace.
     */
    static OperatorPath start(Path crdDirectory, List<HasMetadata> nodes, NodeFlowLogs flowLogs) {
        EmbeddedApiServer api = EmbeddedApiServer.start(crdDirectory);
        OperatorRuntime operator = null;
        DefaultDenyStatusController status = null;
        OperatorPath path = null;
        try {
            Path work = Files.createTempDirectory("nf-demo-enforcers");
            // the plugin binary of enforcer-core's jar, installed as the DaemonSet installs it
            CniInstaller.installBinary(Files.createDirectories(work.resolve("bin")));
            // the operator core as a cluster runs it: the production defaults, leader election included (a Lease in the
            // embedded API server); nothing here is tuned for the demo
            DefaultDenyRealizations realizations = new DefaultDenyRealizations();
            operator = new OperatorRuntime(api.client(), OperatorSettings.DEFAULTS, new SimpleMeterRegistry(), realizations);
            operator.start();
            // DefaultDeny statuses by the same JOSDK reconciler the operator application registers (without server-side
            // apply: the embedded mock server has none)
            status = DefaultDenyStatusController.start(api.client(), realizations, false);
            path = new OperatorPath(api, operator, status, work, flowLogs);
            OperatorPath p = path;
            path.ruleSets = api.client().resources(NodeRuleSet.class).inform(new ResourceEventHandler<>() {
                @Override
                public void onAdd(NodeRuleSet obj) {
                    p.ruleSetEvents.release();
                }

                @Override
                public void onUpdate(NodeRuleSet oldObj, NodeRuleSet newObj) {
                    p.ruleSetEvents.release();
                }

                @Override
                public void onDelete(NodeRuleSet obj, boolean deletedFinalStateUnknown) {
                    p.ruleSetEvents.release();
                }
            });
            path.awaitReady();
            nodes.forEach(api::apply);
            return path;
        } catch (IOException | RuntimeException e) {
            if (path != null && path.ruleSets != null) {
                path.ruleSets.stop();
            }
            if (status != null) {
                status.close();
            }
            if (operator != null) {
                operator.stop();
            }
            api.close();
            throw e instanceof RuntimeException re ? re : new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * For a lab whose pods already exist (made without netfence): the API server, the operator and one
     * enforcer per lab node, each up and synced once when this returns.
     */
    static OperatorPath start(Lab lab, Path crdDirectory) {
        OperatorPath path = start(crdDirectory, List.of(), new NodeFlowLogs());
        try {
            lab.nodes().forEach(n -> path.startEnforcer(lab, n));
            path.awaitReady();
            return path;
        } catch (RuntimeException e) {
            path.close();
            throw e;
        }
    }

    @Override
    public Path plugin() {
        return work.resolve("bin").resolve("netfence");
    }

    /**
     * The node's enforcer with its CNI endpoint; returns the socket once the enforcer has applied the node's
     * first NodeRuleSet (published from its Node), so that the node's pods' ADDs are held at once.
     */
    @Override
    public Path start(Lab lab, LabNode node) {
        EnforcerLoop enforcer = startEnforcer(lab, node);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (enforcer.state().appliedHash() == null) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("node " + node.name() + " applied no NodeRuleSet within "
                        + START_TIMEOUT.toSeconds() + " s (is it among the demo's Nodes?)");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while node " + node.name() + " started");
            }
        }
        return CniSettings.under(work.resolve(node.name())).socket();
    }

    /**
     * The enforcer's core loop with the DaemonSet's defaults: informer events, status written on change,
     * fail-closed new pods, libnftables inside the node's namespace (the lab's setns thread for that node),
     * and its CNI endpoint.
     */
    private synchronized EnforcerLoop startEnforcer(Lab lab, LabNode node) {
        CniSettings cni = CniSettings.under(work.resolve(node.name()));
        PodAnnouncements announced = PodAnnouncements.persistent(cni.stateDir());
        EnforcerLoop enforcer = KubernetesEnforcer.create(EnforcerSettings.defaults(node.name()), api.client(),
                "netfence-enforcer-" + node.name(), lab.inNode(node.name()), EnforcerObserver.NONE, NewPodSettings.DEFAULTS,
                announced);
        // the enforcer application's default flow log (netfence.enforcer.flow-log.denied=true): its rules in every table
        enforcer.withFlowLog(flowLogs.start(lab, node));
        enforcers.add(enforcer);
        nodes.add(node.name());
        enforcer.start();
        endpoints.add(CniEndpoint.start(cni, enforcer, announced));
        return enforcer;
    }

    @Override
    public String description() {
        return "kubectl apply -> API server (embedded, " + api.url() + ") -> operator -> NodeRuleSets + AddressSets"
                + " -> one enforcer per node (libnftables inside the node's namespace); DefaultDeny statuses by the JOSDK"
                + " reconciler\n  operator settings (production defaults): "
                + operator.settings().describe()
                + "\n  enforcer settings (production defaults): informer events coalesced "
                + EnforcerSettings.DEFAULT_COALESCE_DELAY.toMillis() + " ms, kernel table verified every "
                + EnforcerSettings.DEFAULT_RESYNC_INTERVAL.toSeconds() + " s, counters every "
                + EnforcerSettings.DEFAULT_COUNTER_INTERVAL.toSeconds() + " s";
    }

    /**
     * Until the components are up as a cluster's would be before anyone applies: the operator has listed and
     * leads, every enforcer has run its first sync, the NodeRuleSet watch has listed. Without it step 1 raced
     * the start (the JOSDK controller and the enforcers' informers were still starting when its objects arrived).
     */
    private void awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!(operator.ready() && operator.leader() && ruleSets.hasSynced()
                && enforcers.stream().allMatch(e -> e.running() && e.syncs() > 0))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the operator and the enforcers did not start within "
                        + START_TIMEOUT.toSeconds() + " s (operator ready " + operator.ready() + ", leader " + operator.leader() + ")");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the operator and the enforcers start");
            }
        }
    }

    @Override
    public Duration enforce(ClusterSnapshot expected, List<HasMetadata> objects) throws InterruptedException {
        CompiledCluster compiled = RuleSetCompiler.compile(expected);
        Map<String, String> wanted = new LinkedHashMap<>();
        nodes.forEach(n -> wanted.put(n, compiled.forNode(n).ruleSet().contentHash()));
        long start = System.nanoTime();
        objects.forEach(api::apply);
        long stored = System.nanoTime();
        long deadline = start + ENFORCE_TIMEOUT.toNanos();
        while (true) {
            ruleSetEvents.drainPermits();   // events from here on wake the wait below; the check reads the watch's store
            Optional<String> waiting = notYetEnforced(wanted);
            if (waiting.isEmpty()) {
                long end = System.nanoTime();
                lastTiming = " (the API server had stored the " + objects.size() + " objects after "
                        + (stored - start) / 1_000_000 + " ms; enforced " + (end - stored) / 1_000_000 + " ms after the last)";
                return Duration.ofNanos(end - start);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new NotEnforcedException("not enforced after " + ENFORCE_TIMEOUT.toSeconds() + " s: " + waiting.get());
            }
            ruleSetEvents.tryAcquire(left, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public NodeFlowLogs flowLogs() {
        return flowLogs;
    }

    @Override
    public String lastTiming() {
        return lastTiming;
    }

    /** Why the cluster is not enforced yet (the first node that lags), or empty once it is. */
    private Optional<String> notYetEnforced(Map<String, String> wanted) {
        for (Map.Entry<String, String> e : wanted.entrySet()) {
            NodeRuleSet rs = ruleSets.getStore().getByKey(e.getKey());
            if (rs == null || rs.getSpec() == null) {
                return Optional.of("the operator has not published NodeRuleSet " + e.getKey());
            }
            if (!e.getValue().equals(rs.getSpec().contentHash)) {
                return Optional.of("NodeRuleSet " + e.getKey() + " has spec.contentHash " + rs.getSpec().contentHash
                        + ", the engine compiles " + e.getValue());
            }
            String applied = rs.getStatus() == null ? null : rs.getStatus().appliedHash;
            if (!e.getValue().equals(applied)) {
                String error = rs.getStatus() == null ? null : rs.getStatus().error;
                return Optional.of("node " + e.getKey() + " has applied " + applied + ", not " + e.getValue()
                        + (error == null ? "" : " (error: " + error + ")"));
            }
        }
        return Optional.empty();
    }

    /** Deletes an object from the API server (the pod benchmark removes the pods it created). */
    void delete(HasMetadata object) {
        api.client().resource(object).delete();
    }

    @Override
    public void close() {
        if (ruleSets != null) {
            ruleSets.stop();
        }
        endpoints.forEach(CniEndpoint::close);
        enforcers.forEach(EnforcerLoop::close);
        flowLogs.close();
        status.close();
        operator.stop();
        api.close();
        try (var walk = Files.walk(work)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary directory: what is left is harmless
        }
    }
}
