package dev.netfence.benchmarks;

import dev.netfence.crds.AddressSet;
import dev.netfence.crds.AddressSetSpec;
import dev.netfence.crds.NodeRuleSet;
import dev.netfence.operator.publish.ObjectWriter;
import dev.netfence.operator.publish.PublishResult;
import dev.netfence.operator.publish.PublishedObjects;
import dev.netfence.operator.publish.Publisher;
import dev.netfence.policy.compile.CompiledCluster;
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
 * The operator's compile and publish at the Kubernetes scale limits ({@link ScaleLimitCluster}: 5,000
 * nodes, 150,000 pods, 10,000 NetworkPolicies): time and retained heap of the first full compile,
 * the writes of the first publish, then time and writes for one pod label change and one policy
 * change, as the operator's worker does them (snapshot of the maintained state, compile, diff
 * against what is published). Writes go to a counting in-memory writer. Also the largest object.
 *
 * <pre>
 * ./mvnw -q -pl benchmarks -am package -DskipTests
 * java -Xmx1g -cp benchmarks/target/benchmarks.jar dev.netfence.benchmarks.OperatorScaleBenchmark [nodes namespaces podsPerNamespace policiesPerNamespace]
 * </pre>
 */
public final class OperatorScaleBenchmark {

    /** An API server stand-in: keeps what was written, counts writes. */
    static final class InMemoryApi implements ObjectWriter, PublishedObjects {
        final Map<String, NodeRuleSet> ruleSets = new HashMap<>();
        final Map<String, AddressSet> addressSets = new HashMap<>();
        int writes;

        @Override
        public void write(NodeRuleSet ruleSet) {
            ruleSets.put(ruleSet.getMetadata().getName(), ruleSet);
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
            return rs == null ? null : rs.getSpec().contentHash;
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

    public static void main(String[] args) {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int namespaces = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int podsPerNamespace = args.length > 2 ? Integer.parseInt(args[2]) : 150;
        int policiesPerNamespace = args.length > 3 ? Integer.parseInt(args[3]) : 10;

        long t = now();
        ClusterSnapshot.Builder state = ScaleLimitCluster.build(nodes, namespaces, podsPerNamespace, policiesPerNamespace).toBuilder();
        ms("generate the cluster", t);
        long heapBase = usedHeap();

        t = now();
        ClusterSnapshot snapshot = state.build();
        ms("snapshot (index " + snapshot.pods().size() + " pods, " + snapshot.policies().size() + " policies, "
                + snapshot.nodes().size() + " nodes)", t);
        t = now();
        CompiledCluster compiled = RuleSetCompiler.compile(snapshot);
        ms("first full compile (" + compiled.nodes().size() + " NodeRuleSets, " + compiled.addressSets().size()
                + " AddressSets)", t);
        System.out.printf("heap retained by snapshot + compiled output: %d MB (max heap %d MB)%n",
                (usedHeap() - heapBase) >> 20, Runtime.getRuntime().maxMemory() >> 20);

        InMemoryApi api = new InMemoryApi();
        Publisher publisher = new Publisher(api);
        t = now();
        PublishResult first = publisher.publish(compiled, api);
        ms("first publish (" + first.writes() + " writes)", t);
        largest(api);

        t = now();
        PublishResult again = publisher.publish(compiled, api);
        ms("publish of an unchanged compile (" + again.writes() + " writes)", t);

        // one pod label change: pod-3 of ns-7 moves from app-3 to app-4
        Pod pod = snapshot.pod(ScaleLimitCluster.namespaceName(7), "pod-3").orElseThrow();
        Map<String, String> labels = new HashMap<>(pod.labels());
        labels.put("app", "app-4");
        state.pod(pod.withLabels(labels));
        compiled = change("one pod label change", state, publisher, api);

        // one policy change: a port added to one policy
        NetworkPolicy np = snapshot.policiesInNamespace(ScaleLimitCluster.namespaceName(12)).get(3);
        List<PolicyRule> ingress = new ArrayList<>(np.ingress());
        List<PolicyPort> ports = new ArrayList<>(ingress.get(0).ports());
        ports.add(PolicyPort.tcp(8443));
        ingress.set(0, new PolicyRule(ingress.get(0).peers(), ports));
        state.policy(new NetworkPolicy(np.namespace(), np.name(), np.podSelector(), np.policyTypes(), ingress, np.egress(),
                np.annotations()));
        change("one policy change", state, publisher, api);
    }

    private static CompiledCluster change(String what, ClusterSnapshot.Builder state, Publisher publisher, InMemoryApi api) {
        long t0 = System.nanoTime();
        long c0 = cpu();
        long g0 = gc();
        ClusterSnapshot s = state.build();
        long t1 = System.nanoTime();
        long c1 = cpu();
        CompiledCluster c = RuleSetCompiler.compile(s);
        long t2 = System.nanoTime();
        long c2 = cpu();
        PublishResult r = publisher.publish(c, api);
        long t3 = System.nanoTime();
        long c3 = cpu();
        System.out.printf("%s: snapshot %d ms (cpu %d) + compile %d ms (cpu %d) + publish %d ms (cpu %d) = %d ms (cpu %d, gc %d);"
                        + " writes: %d NodeRuleSets, %d AddressSet parts, %d deleted (%d unchanged objects not written)%n", what,
                (t1 - t0) / 1_000_000, (c1 - c0) / 1_000_000, (t2 - t1) / 1_000_000, (c2 - c1) / 1_000_000,
                (t3 - t2) / 1_000_000, (c3 - c2) / 1_000_000, (t3 - t0) / 1_000_000, (c3 - c0) / 1_000_000, gc() - g0,
                r.nodeRuleSetsWritten(), r.addressSetsWritten(), r.nodeRuleSetsDeleted() + r.addressSetsDeleted(), r.unchanged());
        return c;
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
