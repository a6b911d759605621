package dev.netfence.operator.work;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.cluster.ChangeCollector;
import dev.netfence.cluster.ClusterModel;
import dev.netfence.cluster.ClusterSettings;
import dev.netfence.crds.AddressSet;
import dev.netfence.crds.AddressSetSpec;
import dev.netfence.crds.NodeRuleSet;
import dev.netfence.crds.ruleset.NodeRuleSetConverter;
import dev.netfence.operator.publish.ObjectWriter;
import dev.netfence.operator.publish.PublishedObjects;
import dev.netfence.operator.publish.Publisher;
import dev.netfence.policy.compile.RuleSetCompiler;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.PolicyPort;
import dev.netfence.policy.model.PolicyRule;
import dev.netfence.policy.net.IpAddress;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The operator's sync (cluster model -> keyed changes -> incremental compile -> publish of what the
 * compiler changed) against an in-memory API, differentially: after every random change, what is
 * published equals what a full compile of the same cluster, published from scratch, gives; and a
 * sync with nothing new writes nothing.
 */
class OperatorSyncTest {

    /** Keeps what was written, as the API server would, and counts writes. */
    static final class InMemoryApi implements ObjectWriter, PublishedObjects {
        final Map<String, NodeRuleSet> ruleSets = new TreeMap<>();
        final Map<String, AddressSet> addressSets = new TreeMap<>();
        int writes;

        @Override
        public void write(NodeRuleSet ruleSet) {
            ruleSets.put(ruleSet.getMetadata().getName(), Serialization.clone(ruleSet));
            writes++;
        }

        @Override
        public void write(AddressSet part) {
            addressSets.put(part.getMetadata().getName(), Serialization.clone(part));
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
            String h = NodeRuleSetConverter.toModel(rs).contentHash();
            return h.equals(rs.getSpec().contentHash) ? h : null;
        }

        @Override
        public Collection<String> nodeRuleSetNames() {
            return List.copyOf(ruleSets.keySet());
        }

        @Override
        public AddressSetSpec addressSetPart(String name) {
            AddressSet a = addressSets.get(name);
            return a == null ? null : a.getSpec();
        }

        @Override
        public Collection<String> addressSetNames() {
            return List.copyOf(addressSets.keySet());
        }

        Map<String, String> contents() {
            Map<String, String> out = new TreeMap<>();
            ruleSets.forEach((k, v) -> out.put("NodeRuleSet/" + k, Serialization.asJson(v.getSpec())));
            addressSets.forEach((k, v) -> out.put("AddressSet/" + k, Serialization.asJson(v.getSpec())));
            return out;
        }
    }

    private static final List<String> APPS = List.of("web", "api", "db");

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void publishingWhatTheCompilerChangedEqualsAFullCompilePublishedFromScratch(long seed) throws Exception {
        Random random = new Random(seed);
        ClusterModel model = new ClusterModel(ClusterSettings.DEFAULTS);
        ChangeCollector changes = new ChangeCollector(() -> { });
        model.addListener(changes);
        InMemoryApi api = new InMemoryApi();
        OperatorSync sync = new OperatorSync(model, () -> true, api, changes, new Publisher(api), c -> { },
                new SimpleMeterRegistry());
        for (int n = 0; n < 4; n++) {
            model.putNode(new Node("n" + n, List.of(IpAddress.parse("192.168.0." + (n + 1)))));
        }
        for (int i = 0; i < 3; i++) {
            model.putNamespace(new Namespace("ns" + i, Map.of("team", "t" + (i % 2))));
        }
        model.putPod(new Pod("kube-system", "coredns", Map.of("k8s-app", "kube-dns"), List.of(IpAddress.parse("10.9.0.1")), "n0",
                false, List.of()));
        for (int step = 0; step < 120; step++) {
            change(random, model);
            if (random.nextInt(3) == 0) {
                change(random, model);   // two changes in one sync
            }
            sync.run(false);
            InMemoryApi fresh = new InMemoryApi();
            new Publisher(fresh).publish(RuleSetCompiler.compile(model.snapshot()), fresh);
            assertThat(api.contents()).as("seed %d step %d", seed, step).isEqualTo(fresh.contents());
            int writes = api.writes;
            sync.run(false);
            assertThat(api.writes).as("a sync without changes writes nothing").isEqualTo(writes);
        }
        // the periodic full pass finds nothing to repair
        int writes = api.writes;
        sync.run(true);
        assertThat(api.writes).isEqualTo(writes);
    }

    private static void change(Random r, ClusterModel model) {
        String ns = "ns" + r.nextInt(3);
        switch (r.nextInt(6)) {
            case 0, 1 -> {
                int i = r.nextInt(12);
                if (r.nextInt(5) == 0) {
                    model.removePod(ns, "p" + i);
                } else {
                    model.putPod(new Pod(ns, "p" + i, Map.of("app", APPS.get(r.nextInt(3))),
                            List.of(IpAddress.parse("10.1." + ns.charAt(2) + "." + (i + 1))), "n" + r.nextInt(4), false,
                            List.of()));
                }
            }
            case 2, 3 -> {
                String name = "np" + r.nextInt(4);
                if (r.nextInt(4) == 0) {
                    model.removePolicy(ns, name);
                } else {
                    Peer peer = r.nextBoolean() ? Peer.pods(LabelSelector.of("app", APPS.get(r.nextInt(3))))
                            : Peer.podsInNamespaces(LabelSelector.of("app", APPS.get(r.nextInt(3))),
                            LabelSelector.of("team", "t" + r.nextInt(2)));
                    model.putPolicy(new NetworkPolicy(ns, name, LabelSelector.of("app", APPS.get(r.nextInt(3))),
                            List.of("Ingress"), List.of(new PolicyRule(List.of(peer), List.of(PolicyPort.tcp(80 + r.nextInt(3))))),
                            List.of(), Map.of()));
                }
            }
            case 4 -> {
                if (r.nextBoolean()) {
                    model.removeDefaultDeny(ns, "dd");
                } else {
                    model.putDefaultDeny(new DefaultDeny(ns, "dd", Set.of(Direction.EGRESS), r.nextBoolean(), r.nextBoolean(), null), 1);
                }
            }
            default -> model.putNamespace(new Namespace(ns, Map.of("team", "t" + r.nextInt(2))));
        }
    }
}
