package dev.netfence.policy.compile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the enforcer's pod path derives from the previous rule set (pods joining, leaving, moving, re-using an
 * address, claiming another pod's address) must equal what a fresh build of the new rule set gives: the content
 * hashes ({@link RuleSetHash#withPods} against {@link NodeRuleSet#contentHash()}) and the verdicts
 * ({@link CompiledVerdicts#withPods} against a new {@link CompiledVerdicts}, on every pair of endpoints).
 */
class PodChangeEquivalenceTest {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4})
    void derivedEqualsFresh(long seed) {
        RandomSnapshots generator = new RandomSnapshots(seed);
        Random random = new Random(seed);
        int changes = 0;
        int differentHashes = 0;
        for (int i = 0; i < 10; i++) {
            ClusterSnapshot snapshot = generator.next();
            CompiledCluster cluster = RuleSetCompiler.compile(snapshot);
            List<Endpoint> endpoints = CompiledVerdictsEquivalenceTest.endpoints(snapshot);
            for (NodeRuleSet rs : cluster.nodes().values()) {
                if (rs.pods().isEmpty()) {
                    continue;
                }
                NodeRuleSet before = rs;
                RuleSetHash hash = RuleSetHash.of(before);
                CompiledVerdicts verdicts = verdicts(cluster, before);
                // now and then enough changes that the verdicts merge their changes into a new index
                int steps = i % 4 == 0 ? 160 : 8;
                for (int step = 0; step < steps; step++) {
                    List<LocalPod> pods = new ArrayList<>(before.pods());
                    List<LocalPod> removed = new ArrayList<>();
                    List<LocalPod> added = new ArrayList<>();
                    int at = random.nextInt(pods.size());
                    LocalPod some = pods.get(at);
                    LocalPod other = pods.get(random.nextInt(pods.size()));
                    // the long runs without shared addresses (those rebuild the index) and mostly joins (new addresses)
                    int kind = steps > 8 ? new int[]{0, 1, 2, 2, 2, 4}[random.nextInt(6)] : random.nextInt(5);
                    switch (kind) {
                        case 0 -> { // leaves
                            if (pods.size() > 1) {
                                removed.add(pods.remove(at));
                            }
                        }
                        case 1 -> { // moves to another pod's policies
                            LocalPod moved = new LocalPod(some.namespace(), some.name(), some.ips(), other.ingressPolicies(),
                                    other.egressPolicies(), other.clusterIngress(), other.clusterEgress());
                            removed.add(pods.set(at, moved));
                            added.add(moved);
                        }
                        case 2 -> { // a new pod with a fresh address
                            LocalPod joining = new LocalPod("joined", "p" + step, List.of("10.0.250." + (step % 250 + 1)),
                                    other.ingressPolicies(), other.egressPolicies(), other.clusterIngress(), other.clusterEgress());
                            pods.add(at, joining);
                            added.add(joining);
                        }
                        case 3 -> { // a new pod re-using (claiming) a present pod's address: two pods, one address
                            LocalPod claiming = new LocalPod("joined", "c" + step, some.ips(), other.ingressPolicies(),
                                    other.egressPolicies(), other.clusterIngress(), other.clusterEgress());
                            pods.add(random.nextBoolean() ? at : at + 1, claiming);
                            added.add(claiming);
                        }
                        default -> { // a pod replaced by another with its address (deleted and re-created)
                            LocalPod again = new LocalPod(some.namespace(), some.name() + "-2", some.ips(),
                                    some.ingressPolicies(), some.egressPolicies(), some.clusterIngress(), some.clusterEgress());
                            removed.add(pods.set(at, again));
                            added.add(again);
                        }
                    }
                    NodeRuleSet after = new NodeRuleSet(before.node(), before.nodeAddresses(), pods, before.policies(),
                            before.addressSets());
                    hash = hash.withPods(removed, added);
                    assertThat(hash.hash()).as("seed %d snapshot %d step %d", seed, i, step).isEqualTo(after.contentHash());
                    ResolvedRuleSet resolved = cluster.forNode(before.node());
                    ResolvedRuleSet resolvedAfter = new ResolvedRuleSet(after, resolved.addressSets());
                    assertThat(hash.withAddressSets(RuleSetHash.addressSets(resolvedAfter.addressSets())))
                            .isEqualTo(resolvedAfter.contentHash());
                    differentHashes += removed.equals(added) ? 0 : before.contentHash().equals(after.contentHash()) ? 0 : 1;
                    verdicts = verdicts.withPods(after, removed, added);
                    CompiledVerdicts fresh = verdicts(cluster, after);
                    for (Endpoint src : endpoints) {
                        for (Endpoint dst : endpoints) {
                            for (Protocol proto : new Protocol[]{Protocol.TCP, Protocol.UDP}) {
                                for (int port : new int[]{53, 80, 443, 8080}) {
                                    check(verdicts, fresh, src.ip(), dst.ip(), proto, port);
                                }
                            }
                        }
                        check(verdicts, fresh, src.ip(), IpAddress.parse("10.0.250." + (step % 250 + 1)), Protocol.TCP, 80);
                        check(verdicts, fresh, IpAddress.parse("10.0.250." + (step % 250 + 1)), src.ip(), Protocol.TCP, 80);
                    }
                    before = after;
                    changes++;
                }
            }
        }
        assertThat(changes).isGreaterThan(100);
        assertThat(differentHashes).as("pod changes that changed the hash").isGreaterThan(changes / 2);
    }

    private static void check(CompiledVerdicts derived, CompiledVerdicts fresh, IpAddress src, IpAddress dst,
                              Protocol proto, int port) {
        assertThat(derived.allowed(src, dst, proto, port)).as("%s -> %s %s %d", src, dst, proto, port)
                .isEqualTo(fresh.allowed(src, dst, proto, port));
        assertThat(derived.wouldDeny(src, dst, proto, port)).as("would-deny %s -> %s %s %d", src, dst, proto, port)
                .isEqualTo(fresh.wouldDeny(src, dst, proto, port));
    }

    /** The verdicts of one node's rule set, as the enforcer's revocation builds them. */
    private static CompiledVerdicts verdicts(CompiledCluster cluster, NodeRuleSet rs) {
        return new CompiledVerdicts(new CompiledCluster(Map.of(rs.node(), rs), cluster.addressSets(), Map.of()));
    }
}
