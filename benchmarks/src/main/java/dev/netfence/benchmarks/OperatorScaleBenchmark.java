package dev.netfence.benchmarks;

import dev.netfence.crds.AddressSet;
import dev.netfence.crds.AddressSetSpec;
import dev.netfence.crds.NodeRuleSet;
import dev.netfence.cluster.ChangeCollector;
import dev.netfence.cluster.ClusterModel;
import dev.netfence.cluster.ClusterSettings;
import dev.netfence.crds.adapter.ModelAdapter;
import dev.netfence.operator.publish.ObjectWriter;
import dev.netfence.operator.work.CoalescingRunner;
import dev.netfence.operator.work.OperatorSync;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import dev.netfence.operator.publish.PublishedObjects;
import dev.netfence.operator.publish.Publisher;
import dev.netfence.policy.compile.RuleSetCompiler;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.PolicyPort;
import dev.netfence.policy.model.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator core at the Kubernetes scale limits ({@link ScaleLimitCluster}: 5,000 nodes, 150,000
 * pods, 10,000 NetworkPolicies), through the production classes as {@code OperatorRuntime} wires
 * them: the {@link ClusterModel} filled as the informers' handlers fill it, its {@link ChangeCollector},
 * and {@link OperatorSync} (snapshot by {@code ClusterSnapshot.apply}, {@code IncrementalCompiler.update(next,
 * delta)}, publish of what the compiler changed) against an in-memory API server that counts writes.
 * Measured: the first sync (full compile and publish), a full repair pass over an unchanged cluster,
 * one pod label change end to end (the informer's Pod object -> ModelAdapter -> model -> keyed change
 * -> incremental compile -> publish), one policy change, and a standby replica's cost per event (its
 * runner inactive). After the pod changes the incremental result is checked equal to a full compile.
 *
 * <pre>
 * ./mvnw -q -pl benchmarks -am package -DskipTests
 * java -Xmx2g -cp benchmarks/target/benchmarks.jar dev.netfence.benchmarks.OperatorScaleBenchmark [nodes namespaces podsPerNamespace policiesPerNamespace]
 * </pre>
 */
public final class OperatorScaleBenchmark {

    /** An API server stand-in: keeps what was written, counts writes. */
    static final class InMemoryApi implements ObjectWriter, PublishedObjects {
        final Map<String, NodeRuleSet> ruleSets = new HashMap<>();
        /** The hash of each stored rule set's content: known for the operator's own writes, else recomputed once. */
        final Map<String, String> hashes = new HashMap<>();
        final Map<String, AddressSet> addressSets = new HashMap<>();
        int writes;

        @Override
        public void write(NodeRuleSet ruleSet) {
            ruleSets.put(ruleSet.getMetadata().getName(), ruleSet);
            // what the operator wrote itself is not hashed again (PublishedInformers.wrote)
            hashes.put(ruleSet.getMetadata().getName(), ruleSet.getSpec().contentHash);
            writes++;
        }

        @Override
        public void write(AddressSet part) {
            addressSets.put(part.getMetadata().getName(), part);
            writes++;
        }

        @Override
        public void deleteNodeRuleSet(String name) {
            ruleSets.remove(name);
            writes++;
        }

        @Override
        public void deleteAddressSet(String name) {
            addressSets.remove(name);
            writes++;
        }

        @Override
        public String nodeRuleSetHash(String name) {
            NodeRuleSet rs = ruleSets.get(name);
            if (rs == null) {
                return null;
            }
            return hashes.computeIfAbsent(name, n -> {
                String h = dev.netfence.crds.ruleset.NodeRuleSetConverter.toModel(rs).contentHash();
                return h.equals(rs.getSpec().contentHash) ? h : "";
            });
        }

        @Override
        public Collection<String> nodeRuleSetNames() {
            return ruleSets.keySet();
        }

        @Override
        public AddressSetSpec addressSetPart(String name) {
            AddressSet a = addressSets.get(name);
            return a == null ? null : a.getSpec();
        }

        @Override
        public Collection<String> addressSetNames() {
            return addressSets.keySet();
        }
    }

    public static void main(String[] args) throws Exception {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int namespaces = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int podsPerNamespace = args.length > 2 ? Integer.parseInt(args[2]) : 150;
        int policiesPerNamespace = args.length > 3 ? Integer.parseInt(args[3]) : 10;

        long t = now();
        ClusterSnapshot generated = ScaleLimitCluster.build(nodes, namespaces, podsPerNamespace, policiesPerNamespace);
        ms("generate the cluster", t);
        long heapBase = usedHeap();

        // the operator's cluster model, filled as its informers' handlers fill it
        t = now();
        ClusterModel model = new ClusterModel(ClusterSettings.DEFAULTS);
        generated.namespaces().forEach(model::putNamespace);
        generated.nodes().forEach(model::putNode);
        generated.pods().forEach(model::putPod);
        generated.policies().forEach(model::putPolicy);
        generated.defaultDenies().forEach(d -> model.putDefaultDeny(d, 1));
        ClusterSnapshot snapshot = model.snapshot();
        ms("cluster model (" + snapshot.pods().size() + " pods, " + snapshot.policies().size() + " policies, "
                + snapshot.nodes().size() + " nodes) and its snapshot", t);

        // the operator core's sync, as OperatorRuntime wires it, against an in-memory API server
        InMemoryApi api = new InMemoryApi();
        ChangeCollector changes = new ChangeCollector(() -> { });
        model.addListener(changes);
        OperatorSync sync = new OperatorSync(model, () -> true, api, changes, new Publisher(api), c -> { },
                new SimpleMeterRegistry());
        t = now();
        sync.run(false);
        ms("first sync: full compile (" + sync.compiled().nodes().size() + " NodeRuleSets, "
                + sync.compiled().addressSets().size() + " AddressSets) and first publish (" + api.writes + " writes)", t);
        System.out.printf("heap retained by the model, its snapshot, the incremental compiler and the published copies: %d MB"
                + " (max heap %d MB)%n", (usedHeap() - heapBase) >> 20, Runtime.getRuntime().maxMemory() >> 20);
        largest(api);

        t = now();
        int before = api.writes;
        sync.run(true);
        ms("full repair pass over an unchanged cluster (" + (api.writes - before) + " writes)", t);
        api.hashes.clear();   // as after a restart: every stored rule set hashed from its content once
        t = now();
        sync.run(true);
        ms("full repair pass hashing every stored NodeRuleSet from its content (after a restart) (" + (api.writes - before)
                + " writes)", t);

        // one pod label change end to end: the informer's event (a full Pod object) -> ModelAdapter -> model ->
        // keyed change -> incremental compile -> publish of what the compiler changed
        Pod pod = snapshot.pod(ScaleLimitCluster.namespaceName(7), "pod-3").orElseThrow();
        io.fabric8.kubernetes.api.model.Pod event = fabric8(pod);
        endToEnd("one pod label change, first time", model, sync, api, event, "app-4", 1);
        endToEnd("one pod label change, warm (30 runs after 30)", model, sync, api, event, null, 60);
        phases(model, event);

        NetworkPolicy np = snapshot.policiesInNamespace(ScaleLimitCluster.namespaceName(12)).get(3);
        warmPolicy(model, sync, api, np);
        realization(sync, model.snapshot());
        standby(model, event);
    }

    /** The Pod as the API server sends it: what the informer hands the handler. */
    private static io.fabric8.kubernetes.api.model.Pod fabric8(Pod p) {
        var b = new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withNamespace(p.namespace()).withName(p.name())
                .withLabels(p.labels()).withUid("uid-" + p.name()).withResourceVersion("1").endMetadata()
                .withNewSpec().withNodeName(p.nodeName()).addNewContainer().withName("app").withImage("app:1");
        for (var cp : p.ports()) {
            b = b.addNewPort().withName(cp.name()).withContainerPort(cp.port()).withProtocol(cp.protocol().name()).endPort();
        }
        return b.endContainer().endSpec().withNewStatus().withPodIP(p.ips().get(0).toString())
                .addNewPodIP().withIp(p.ips().get(0).toString()).endPodIP().endStatus().build();
    }

    private static void relabel(io.fabric8.kubernetes.api.model.Pod event, String app) {
        Map<String, String> l = new HashMap<>(event.getMetadata().getLabels());
        l.put("app", app);
        event.getMetadata().setLabels(l);
    }

    /**
     * {@code runs} pod label changes through the handler path and the sync; thread CPU of each
     * (handler + sync together), median and max of the second half when {@code runs > 1}.
     */
    private static void endToEnd(String what, ClusterModel model, OperatorSync sync, InMemoryApi api,
                                 io.fabric8.kubernetes.api.model.Pod event, String fixedApp, int runs) {
        List<Long> cpu = new ArrayList<>();
        List<Long> wall = new ArrayList<>();
        int writes = 0;
        for (int i = 0; i < runs; i++) {
            relabel(event, fixedApp != null ? fixedApp : i % 2 == 0 ? "app-3" : "app-4");
            int w0 = api.writes;
            long t = System.nanoTime();
            long c = cpu();
            model.putPod(ModelAdapter.pod(event));      // ClusterInformers' handler
            sync.run(false);                             // the runner's next run
            long dc = cpu() - c;
            long dt = System.nanoTime() - t;
            if (runs == 1 || i >= runs / 2) {
                cpu.add(dc);
                wall.add(dt);
                writes = api.writes - w0;
            }
        }
        cpu.sort(null);
        wall.sort(null);
        System.out.printf("%s: cpu median %.2f ms, max %.2f ms; wall median %.2f ms, max %.2f ms; writes per change: %d%n", what,
                cpu.get(cpu.size() / 2) / 1e6, cpu.get(cpu.size() - 1) / 1e6, wall.get(wall.size() / 2) / 1e6,
                wall.get(wall.size() - 1) / 1e6, writes);
        if (!sync.compiled().equals(RuleSetCompiler.compile(model.snapshot()))) {
            throw new IllegalStateException(what + ": the incremental compile differs from a full compile");
        }
    }

    /**
     * Where the CPU of one pod label change goes: the same steps as {@link OperatorSync#run} (which
     * has no per-phase clock), taken one by one with their own consumer, compiler and publisher.
     */
    private static void phases(ClusterModel model, io.fabric8.kubernetes.api.model.Pod event) {
        ChangeCollector changes = new ChangeCollector(() -> { });
        model.addListener(changes);
        dev.netfence.policy.compile.IncrementalCompiler compiler = new dev.netfence.policy.compile.IncrementalCompiler();
        InMemoryApi api = new InMemoryApi();
        Publisher publisher = new Publisher(api);
        publisher.publish(compiler.full(model.update(changes).snapshot()), api);
        long[] sum = new long[4];
        for (int i = 0; i < 60; i++) {
            relabel(event, i % 2 == 0 ? "app-3" : "app-4");
            long c0 = cpu();
            model.putPod(ModelAdapter.pod(event));
            long c1 = cpu();
            ClusterModel.Update u = model.update(changes);
            var delta = u.delta();
            long c2 = cpu();
            var compiled = compiler.update(u.snapshot(), delta);
            long c3 = cpu();
            publisher.publishChanges(compiled, compiler.lastChanges(), api);
            long c4 = cpu();
            if (i >= 30) {
                sum[0] += c1 - c0;
                sum[1] += c2 - c1;
                sum[2] += c3 - c2;
                sum[3] += c4 - c3;
            }
        }
        model.removeListener(changes);
        System.out.printf("one pod label change by phase (mean cpu of 30 warm runs): handler (ModelAdapter + model) %.2f ms,"
                        + " snapshot apply + delta %.2f ms, incremental compile %.2f ms, publish of what it changed %.2f ms%n",
                sum[0] / 30e6, sum[1] / 30e6, sum[2] / 30e6, sum[3] / 30e6);
    }

    /**
     * One realization report as the operator's report runner makes it (at most once a second, on its
     * own thread): the summary of every policy from every rule set and status, and each policy's line.
     */
    private static void realization(OperatorSync sync, ClusterSnapshot snapshot) {
        dev.netfence.operator.publish.RuleSetHashes hashes = new dev.netfence.operator.publish.RuleSetHashes();
        sync.compiled().nodes().values().forEach(hashes::of);
        List<Long> cpu = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            long c = cpu();
            var summary = new dev.netfence.operator.status.RealizationSummary(sync.compiled(), n -> null, hashes::of);
            int lines = 0;
            for (NetworkPolicy p : snapshot.policies()) {
                lines += summary.of("NetworkPolicy", p.namespace(), p.name()).summary().length();
            }
            if (lines < 0) {
                throw new IllegalStateException();
            }
            cpu.add(cpu() - c);
        }
        cpu.sort(null);
        System.out.printf("one realization report (summary of %d policies over %d rule sets), off the sync thread:"
                + " cpu median %.1f ms, max %.1f ms%n", snapshot.policies().size(), sync.compiled().nodes().size(),
                cpu.get(5) / 1e6, cpu.get(9) / 1e6);
    }

    private static void warmPolicy(ClusterModel model, OperatorSync sync, InMemoryApi api, NetworkPolicy np) {
        List<Long> cpu = new ArrayList<>();
        int writes = 0;
        for (int i = 0; i < 60; i++) {
            List<PolicyRule> in = new ArrayList<>(np.ingress());
            List<PolicyPort> p = new ArrayList<>(in.get(0).ports());
            p.add(PolicyPort.tcp(9000 + i));
            in.set(0, new PolicyRule(in.get(0).peers(), p));
            int w0 = api.writes;
            long c = cpu();
            model.putPolicy(new NetworkPolicy(np.namespace(), np.name(), np.podSelector(), np.policyTypes(), in, np.egress(),
                    np.annotations()));
            sync.run(false);
            if (i >= 30) {
                cpu.add(cpu() - c);
                writes = api.writes - w0;
            }
        }
        cpu.sort(null);
        System.out.printf("one policy change (a port added), warm (30 runs after 30): cpu median %.2f ms, max %.2f ms;"
                + " writes per change: %d%n", cpu.get(15) / 1e6, cpu.get(29) / 1e6, writes);
    }

    /**
     * A standby replica: the same model kept warm by the handlers, its runner inactive. Its cost is
     * the handlers' work per event (the runner schedules nothing), measured here per event and
     * expressed for an event rate; plus the runner thread's CPU, which must be zero.
     */
    private static void standby(ClusterModel model, io.fabric8.kubernetes.api.model.Pod event) throws Exception {
        CoalescingRunner runner = new CoalescingRunner("standby", periodic -> {
            throw new IllegalStateException("a standby must not run");
        }, java.time.Duration.ofMillis(100), java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(60),
                java.time.Duration.ofSeconds(60));
        ChangeCollector changes = new ChangeCollector(runner::request);
        model.addListener(changes);
        long c = cpu();
        int events = 20_000;
        for (int i = 0; i < events; i++) {
            relabel(event, i % 2 == 0 ? "app-3" : "app-4");
            model.putPod(ModelAdapter.pod(event));
        }
        double perEvent = (cpu() - c) / (double) events;
        Thread.sleep(2000);
        long runnerCpu = runner.thread() == null ? 0 : ManagementFactory.getThreadMXBean().getThreadCpuTime(runner.thread().getId());
        System.out.printf("standby replica: %.1f us CPU per pod event in the handler (adapter + model + change set);"
                        + " at 50 events/s %.3f%% of a core, at 1,000 events/s %.2f%%; sync runs %d, runner thread CPU %d ms%n",
                perEvent / 1e3, perEvent * 50 / 1e9 * 100, perEvent * 1000 / 1e9 * 100, runner.runs(), runnerCpu / 1_000_000);
        runner.close();
    }

    /** CPU time of this thread: on a shared, loaded machine wall time overstates the work. */
    private static long cpu() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    private static void largest(InMemoryApi api) {
        int maxRs = 0;
        String maxRsName = null;
        for (NodeRuleSet rs : api.ruleSets.values()) {
            int size = Serialization.asJson(rs).getBytes(StandardCharsets.UTF_8).length;
            if (size > maxRs) {
                maxRs = size;
                maxRsName = rs.getMetadata().getName();
            }
        }
        int maxAs = 0;
        int parts = 0;
        for (AddressSet a : api.addressSets.values()) {
            maxAs = Math.max(maxAs, Serialization.asJson(a).getBytes(StandardCharsets.UTF_8).length);
            parts = Math.max(parts, a.getSpec().parts);
        }
        System.out.printf("largest NodeRuleSet: %d KiB (%s); largest AddressSet part: %d KiB; most parts of one set: %d%n",
                maxRs >> 10, maxRsName, maxAs >> 10, parts);
    }

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long cpuStart;
    private static long gcStart;

    private static void ms(String what, long start) {
        long cpu = cpu();
        System.out.printf("%s: %d ms (cpu %d ms, gc %d ms)%n", what, (System.nanoTime() - start) / 1_000_000,
                (cpu - cpuStart) / 1_000_000, gc() - gcStart);
        cpuStart = cpu();
        gcStart = gc();
    }

    private static long now() {
        cpuStart = cpu();
        gcStart = gc();
        return System.nanoTime();
    }

    /** Total collection time of all collectors so far, ms (GC threads' CPU is not in the thread's CPU time). */
    private static long gc() {
        long t = 0;
        for (var b : ManagementFactory.getGarbageCollectorMXBeans()) {
            t += Math.max(0, b.getCollectionTime());
        }
        return t;
    }
}
