package dev.netfence.policy.property;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.policy.analysis.FlowFix;
import dev.netfence.policy.eval.DecidingTier;
import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.eval.SideVerdict;
import dev.netfence.policy.eval.Verdict;
import dev.netfence.policy.eval.Flow;
import dev.netfence.policy.eval.PolicyEngine;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.PolicyRule;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import dev.netfence.policy.validate.PolicyValidator;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A suggested fix opens exactly the flow it was asked for. On random clusters ({@link RandomCluster}),
 * for denied pod-to-pod flows: compute the reachability matrix of the port (every pair of pods with
 * an address, brute force through the engine), apply the fixes {@link FlowFix} suggests for the
 * denying sides the way a user pastes them (append the rule to the named policy's list as it is now,
 * or create the new policy), and compute the matrix again. The cells that changed must be the
 * asked flow, now allowed, plus at most the flows between the pods' twins (same namespace, same
 * labels but generated ones: replicas, which no label selector tells apart), and nothing closed.
 * Flows a ClusterNetworkPolicy denies get no NetworkPolicy fix (checked), and are not picked.
 */
class FlowFixPropertyTest {

    static final long MASTER_SEED = 0x6669786573L;   // "fixes"
    static final int CASES = 200;
    static final int[] PORTS = {53, 80, 81, 8080};
    static final long[] TOTALS = new long[6];   // flows fixed, extended, created, exactly one cell, cases run, CNP-denied sides

    static Stream<Arguments> seeds() {
        Random master = new Random(MASTER_SEED);
        return IntStream.range(0, CASES).mapToObj(i -> {
            long seed = master.nextLong();
            return Arguments.of(Named.of("case " + i + " (seed " + seed + ")", seed));
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("seeds")
    void applyingTheFixChangesOnlyTheAskedCell(long seed) {
        Random r = new Random(seed);
        ClusterSnapshot s = RandomCluster.generate(r).snapshot();
        List<Pod> pods = s.podsWithIps();
        for (int attempt = 0; attempt < 4; attempt++) {
            Protocol protocol = r.nextBoolean() ? Protocol.TCP : Protocol.UDP;
            int port = PORTS[r.nextInt(PORTS.length)];
            boolean[][] before = matrix(s, pods, protocol, port);
            List<int[]> denied = new ArrayList<>();
            for (int i = 0; i < pods.size(); i++) {
                for (int j = 0; j < pods.size(); j++) {
                    if (!before[i][j] && !pods.get(i).hostNetwork() && !pods.get(j).hostNetwork()
                            && between(pods.get(i), pods.get(j)).isPresent()) {
                        Endpoint[] ends = between(pods.get(i), pods.get(j)).orElseThrow();
                        Flow f = new Flow(ends[0], ends[1], protocol, port);
                        Verdict v = new PolicyEngine(s).evaluate(f);
                        boolean byClusterPolicy = false;
                        for (Direction d : Direction.values()) {
                            SideVerdict side = d == Direction.EGRESS ? v.egress() : v.ingress();
                            if (!side.allowed() && side.decidedBy() != DecidingTier.NETWORK_POLICY) {
                                byClusterPolicy = true;
                                // a ClusterNetworkPolicy's Deny: no NetworkPolicy fix is offered for that side
                                assertThat(FlowFix.of(s, f, d)).as("seed %d: %s", seed, f.describe()).isEmpty();
                                TOTALS[5]++;
                            }
                        }
                        if (!byClusterPolicy) {
                            denied.add(new int[] {i, j});
                        }
                    }
                }
            }
            if (denied.isEmpty()) {
                continue;
            }
            int[] cell = denied.get(r.nextInt(denied.size()));
            Pod src = pods.get(cell[0]);
            Pod dst = pods.get(cell[1]);
            Endpoint[] ends = between(src, dst).orElseThrow();
            Flow flow = new Flow(ends[0], ends[1], protocol, port);
            ClusterSnapshot fixed = s;
            for (Direction d : Direction.values()) {
                Optional<FlowFix> fix = FlowFix.of(s, flow, d);   // both computed on the cluster as explained
                if (fix.isPresent()) {
                    assertThat(PolicyValidator.validate(fix.get().result())).as("seed %d: %s", seed, fix.get()).isEmpty();
                    fixed = apply(fixed, fix.get());
                    TOTALS[fix.get().createsPolicy() ? 2 : 1]++;
                }
            }
            boolean[][] after = matrix(fixed, pods, protocol, port);
            String where = "seed " + seed + ": fix for " + flow.describe();
            assertThat(after[cell[0]][cell[1]]).as(where + " allows it").isTrue();
            int changed = 0;
            for (int i = 0; i < pods.size(); i++) {
                for (int j = 0; j < pods.size(); j++) {
                    if (before[i][j] != after[i][j]) {
                        changed++;
                        assertThat(after[i][j]).as(where + " closes nothing: " + pods.get(i).key() + " -> " + pods.get(j).key())
                                .isTrue();
                        assertThat(FlowFix.twins(pods.get(i), src) && FlowFix.twins(pods.get(j), dst))
                                .as(where + " opens only between twins of the pods, not " + pods.get(i).key() + " -> "
                                        + pods.get(j).key())
                                .isTrue();
                    }
                }
            }
            boolean noTwins = s.pods().stream().noneMatch(p -> !p.hostNetwork() && !p.equals(src) && FlowFix.twins(p, src))
                    && s.pods().stream().noneMatch(p -> !p.hostNetwork() && !p.equals(dst) && FlowFix.twins(p, dst));
            if (noTwins) {
                assertThat(changed).as(where + ": exactly one cell").isEqualTo(1);
                TOTALS[3]++;
            }
            TOTALS[0]++;
        }
        TOTALS[4]++;
    }

    @AfterAll
    static void casesExerciseEveryKindOfFix() {
        if (TOTALS[4] == CASES) {
            assertThat(TOTALS[0]).as("flows fixed").isGreaterThan(CASES);
            assertThat(TOTALS[1]).as("fixes extending a narrow policy").isPositive();
            assertThat(TOTALS[2]).as("fixes creating a policy").isPositive();
            assertThat(TOTALS[3]).as("fixes checked to change exactly one cell").isGreaterThan(CASES / 4);
            assertThat(TOTALS[5]).as("sides denied by a ClusterNetworkPolicy, with no fix").isPositive();
        }
    }

    /** What a user does with the suggestion: append the rule to the policy as it is now, or create the new one. */
    static ClusterSnapshot apply(ClusterSnapshot s, FlowFix fix) {
        if (fix.createsPolicy()) {
            assertThat(s.policiesInNamespace(fix.result().namespace())).extracting(NetworkPolicy::name)
                    .doesNotContain(fix.result().name());
            return s.toBuilder().policy(fix.result()).build();
        }
        NetworkPolicy np = s.policiesInNamespace(fix.extended().namespace()).stream()
                .filter(p -> p.name().equals(fix.extended().name())).findFirst().orElseThrow();
        List<PolicyRule> rules = new ArrayList<>(np.rules(fix.direction()));
        rules.add(fix.rule());
        NetworkPolicy changed = fix.direction() == Direction.EGRESS
                ? new NetworkPolicy(np.namespace(), np.name(), np.podSelector(), np.policyTypes(), np.ingress(), rules, np.annotations())
                : new NetworkPolicy(np.namespace(), np.name(), np.podSelector(), np.policyTypes(), rules, np.egress(), np.annotations());
        return s.toBuilder().removePolicy(np.namespace(), np.name()).policy(changed).build();
    }

    static boolean[][] matrix(ClusterSnapshot s, List<Pod> pods, Protocol protocol, int port) {
        PolicyEngine engine = new PolicyEngine(s);
        boolean[][] m = new boolean[pods.size()][pods.size()];
        for (int i = 0; i < pods.size(); i++) {
            for (int j = 0; j < pods.size(); j++) {
                Optional<Endpoint[]> ends = between(pods.get(i), pods.get(j));
                m[i][j] = ends.isPresent() && engine.allowed(new Flow(ends.get()[0], ends.get()[1], protocol, port));
            }
        }
        return m;
    }

    /** The endpoints of two pods over a family both have (IPv4 first), or empty. */
    static Optional<Endpoint[]> between(Pod a, Pod b) {
        for (boolean v6 : new boolean[] {false, true}) {
            if (a.ips().stream().anyMatch(ip -> ip.v6() == v6) && b.ips().stream().anyMatch(ip -> ip.v6() == v6)) {
                return Optional.of(new Endpoint[] {endpoint(a, v6), endpoint(b, v6)});
            }
        }
        return Optional.empty();
    }

    private static Endpoint endpoint(Pod p, boolean v6) {
        IpAddress ip = p.ips().stream().filter(a -> a.v6() == v6).findFirst().orElseThrow();
        return p.hostNetwork() ? new Endpoint.Host(ip, p.nodeName(), p) : new Endpoint.PodEndpoint(p, ip);
    }
}
