package dev.netfence.policy.property;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.eval.Flow;
import dev.netfence.policy.eval.PolicyEngine;
import dev.netfence.policy.eval.SideVerdict;
import dev.netfence.policy.eval.Verdict;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.ObjectRef;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import dev.netfence.policy.validate.PolicyValidator;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine against {@link SpecReading}, a brute-force reading of the same policies, on random
 * clusters ({@link RandomCluster}): every pair of endpoints of one address family (pods, host-network
 * pods, nodes with and without their name, addresses outside the cluster) on a few protocol/port
 * combinations. Seeded: a failure names its case seed; rerun one with -Dproperty.seed=SEED.
 */
class PolicyEnginePropertyTest {

    static final long MASTER_SEED = 0x6e6574666e6365L;   // "netfnce"
    static final int CASES = 300;
    static final int[] PORTS = {53, 80, 81, 100, 8080, 9999};

    static Stream<Arguments> seeds() {
        String only = System.getProperty("property.seed");
        if (only != null) {
            return Stream.of(Arguments.of(Named.of("seed " + only, Long.parseLong(only))));
        }
        Random master = new Random(MASTER_SEED);
        return IntStream.range(0, CASES).mapToObj(i -> {
            long seed = master.nextLong();
            return Arguments.of(Named.of("case " + i + " (seed " + seed + ")", seed));
        });
    }

    record Probe(Endpoint engineEnd, SpecReading.End specEnd) {
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("seeds")
    void engineAgreesWithTheSpecReading(long seed) {
        Random r = new Random(seed);
        RandomCluster cluster = RandomCluster.generate(r);
        ClusterSnapshot s = cluster.snapshot();
        for (NetworkPolicy np : s.policies()) {
            assertThat(PolicyValidator.validate(np)).as("generated policy must be valid: %s", np).isEmpty();
        }
        for (DefaultDeny dd : s.defaultDenies()) {
            assertThat(PolicyValidator.validate(dd)).isEmpty();
        }
        for (var cnp : s.clusterPolicies()) {
            assertThat(dev.netfence.policy.validate.ClusterPolicyValidator.validate(cnp)).as("generated %s", cnp).isEmpty();
        }
        PolicyEngine engine = new PolicyEngine(s);
        SpecReading spec = new SpecReading(s);
        int flows = 0;
        int[] allowedFlows = {0};
        int[] deniedFlows = {0};
        for (boolean v6 : new boolean[] {false, true}) {
            List<Probe> probes = probes(s, v6 ? cluster.v6Addresses() : cluster.v4Addresses(), v6, r);
            for (Probe from : probes) {
                for (Probe to : probes) {
                    for (int k = 0; k < 3; k++) {
                        Protocol protocol = Protocol.values()[r.nextInt(3)];
                        int port = PORTS[r.nextInt(PORTS.length)];
                        Flow flow = new Flow(from.engineEnd(), to.engineEnd(), protocol, port);
                        boolean expected = spec.allowed(from.specEnd(), to.specEnd(), protocol, port);
                        Verdict verdict = engine.evaluate(flow);
                        boolean agrees = verdict.allowed() == expected && engine.allowed(flow) == expected
                                && names(verdict.egress()).equals(spec.isolatedBy(Direction.EGRESS, from.specEnd()))
                                && names(verdict.ingress()).equals(spec.isolatedBy(Direction.INGRESS, to.specEnd()));
                        if (!agrees) {
                            throw new AssertionError("seed " + seed + ": " + flow.describe() + "\n  spec reading: "
                                    + (expected ? "allowed" : "denied") + ", egress isolated by "
                                    + spec.isolatedBy(Direction.EGRESS, from.specEnd()) + ", ingress isolated by "
                                    + spec.isolatedBy(Direction.INGRESS, to.specEnd()) + "\n  engine: " + verdict
                                    + "\n  allowed(): " + engine.allowed(flow) + "\ncluster:\n" + describe(s));
                        }
                        (expected ? allowedFlows : deniedFlows)[0]++;
                        for (SideVerdict side : List.of(verdict.egress(), verdict.ingress())) {
                            TIERS.merge(side.decidedBy() + (side.allowed() ? " allowed" : " denied"), 1L, Long::sum);
                            if (side.tierMatches().stream().anyMatch(m -> m.action() == dev.netfence.policy.model.RuleAction.PASS)) {
                                TIERS.merge("passed", 1L, Long::sum);
                            }
                        }
                        flows++;
                    }
                }
            }
        }
        assertThat(flows).isEqualTo(allowedFlows[0] + deniedFlows[0]).isPositive();
        TOTALS[0] += allowedFlows[0];
        TOTALS[1] += deniedFlows[0];
        TOTALS[2]++;
    }

    /** Allowed and denied flows over all cases: both must be common, or the cases prove little. */
    static final long[] TOTALS = new long[3];   // allowed flows, denied flows, cases run
    /** Sides per deciding tier and verdict ("ADMIN denied"), and sides where a Pass rule matched. */
    static final java.util.Map<String, Long> TIERS = new java.util.concurrent.ConcurrentHashMap<>();

    @org.junit.jupiter.api.AfterAll
    static void casesExerciseBothVerdicts() {
        if (TOTALS[2] == CASES) {   // all cases ran (not one seed, not a filtered subset)
            long all = TOTALS[0] + TOTALS[1];
            assertThat(TOTALS[0]).as("allowed flows of %s", all).isGreaterThan(all / 5);
            assertThat(TOTALS[1]).as("denied flows of %s", all).isGreaterThan(all / 20);
            // every tier must decide both ways in a fair share of the sides, or the tier cases prove little
            long sides = 2 * all;
            for (String key : List.of("ADMIN allowed", "ADMIN denied", "BASELINE allowed", "BASELINE denied",
                    "NETWORK_POLICY allowed", "NETWORK_POLICY denied", "passed")) {
                assertThat(TIERS.getOrDefault(key, 0L)).as("%s sides of %s (%s)", key, sides, TIERS).isGreaterThan(sides / 1000);
            }
        }
    }

    /** Pods with an address of the family, nodes (named or as bare addresses) and the other addresses. */
    static List<Probe> probes(ClusterSnapshot s, List<String> addresses, boolean v6, Random r) {
        List<Probe> out = new ArrayList<>();
        List<String> podAddresses = new ArrayList<>();
        for (Pod p : s.pods()) {
            if (p.ips().stream().anyMatch(ip -> ip.v6() == v6)) {
                Endpoint e = Endpoint.of(p, v6);
                out.add(new Probe(e, new SpecReading.End(e.ip().toString(), p, null)));
                podAddresses.add(e.ip().toString());
            }
        }
        for (Node n : s.nodes()) {
            for (IpAddress ip : n.ips()) {
                if (ip.v6() == v6 && !podAddresses.contains(ip.toString())) {
                    boolean named = r.nextBoolean();
                    out.add(new Probe(new Endpoint.Host(ip, named ? n.name() : null, null),
                            new SpecReading.End(ip.toString(), null, named ? n.name() : null)));
                    podAddresses.add(ip.toString());
                }
            }
        }
        for (String a : addresses) {
            if (!podAddresses.contains(a) && s.nodeByIp(IpAddress.parse(a)).isEmpty() && s.podByIp(IpAddress.parse(a)).isEmpty()) {
                out.add(new Probe(new Endpoint.Host(IpAddress.parse(a), null, null), new SpecReading.End(a, null, null)));
                podAddresses.add(a);
            }
        }
        return out;
    }

    static TreeSet<String> names(SideVerdict side) {
        TreeSet<String> out = new TreeSet<>();
        side.isolatedBy().stream().map(ObjectRef::toString).forEach(out::add);
        return out;
    }

    static String describe(ClusterSnapshot s) {
        StringBuilder sb = new StringBuilder();
        s.namespaces().forEach(n -> sb.append("  ").append(n).append('\n'));
        s.pods().forEach(p -> sb.append("  ").append(p).append('\n'));
        s.policies().forEach(p -> sb.append("  ").append(p).append('\n'));
        s.defaultDenies().forEach(d -> sb.append("  ").append(d).append('\n'));
        s.clusterPolicies().forEach(c -> sb.append("  ").append(c).append('\n'));
        sb.append("  ").append(s.dns());
        return sb.toString();
    }
}
