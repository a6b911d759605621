package dev.netfence.policy.compile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.eval.Flow;
import dev.netfence.policy.eval.PolicyEngine;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The compiled model must decide every flow exactly as the engine does: for seeded random
 * clusters, every pair of endpoints (pods of both families, host-network pods, node addresses, an
 * external address, the NodeLocal DNS address) on every protocol and a spread of ports.
 */
class CompiledVerdictsEquivalenceTest {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void compiledModelDecidesLikeTheEngine(long seed) {
        RandomSnapshots generator = new RandomSnapshots(seed);
        int flows = 0;
        int allowed = 0;
        int wouldDenies = 0;
        java.util.EnumMap<dev.netfence.policy.eval.DecidingTier, Integer> deciders = new java.util.EnumMap<>(
                dev.netfence.policy.eval.DecidingTier.class);
        int passes = 0;
        for (int i = 0; i < 60; i++) {
            ClusterSnapshot snapshot = generator.next();
            PolicyEngine engine = new PolicyEngine(snapshot);
            dev.netfence.policy.eval.AuditEvaluation audit = new dev.netfence.policy.eval.AuditEvaluation(snapshot);
            CompiledVerdicts compiled = new CompiledVerdicts(RuleSetCompiler.compile(snapshot));
            List<Endpoint> endpoints = endpoints(snapshot);
            for (Endpoint src : endpoints) {
                for (Endpoint dst : endpoints) {
                    if (src.ip().v6() != dst.ip().v6()) {
                        continue;
                    }
                    for (Protocol proto : Protocol.values()) {
                        for (int port : new int[]{53, 80, 81, 443, 5353, 8080, 9999}) {
                            Flow flow = new Flow(src, dst, proto, port);
                            boolean expected = engine.allowed(flow);
                            assertThat(compiled.allowed(src.ip(), dst.ip(), proto, port))
                                    .as("seed %d snapshot %d: %s%n%s", seed, i, flow.describe(), engine.evaluate(flow))
                                    .isEqualTo(expected);
                            // audited policies: the datapath logs as would-deny exactly what the engine calls it
                            boolean wouldDeny = audit.evaluate(flow).wouldDeny();
                            assertThat(compiled.wouldDeny(src.ip(), dst.ip(), proto, port))
                                    .as("would-deny, seed %d snapshot %d: %s%n%s", seed, i, flow.describe(), audit.evaluate(flow))
                                    .isEqualTo(wouldDeny);
                            wouldDenies += wouldDeny ? 1 : 0;
                            dev.netfence.policy.eval.Verdict verdict = engine.evaluate(flow);
                            for (dev.netfence.policy.eval.SideVerdict side : List.of(verdict.egress(), verdict.ingress())) {
                                deciders.merge(side.decidedBy(), 1, Integer::sum);
                                passes += side.tierMatches().stream()
                                        .anyMatch(m -> m.action() == dev.netfence.policy.model.RuleAction.PASS) ? 1 : 0;
                            }
                            flows++;
                            allowed += expected ? 1 : 0;
                        }
                    }
                }
            }
        }
        // the generator must exercise both outcomes, or the comparison proves little
        assertThat(allowed).isGreaterThan(flows / 10).isLessThan(flows);
        assertThat(wouldDenies).as("would-deny flows of %d", flows).isPositive();
        // and both tiers must decide sides, and Pass rules match, or the tiers were not compared
        assertThat(deciders.getOrDefault(dev.netfence.policy.eval.DecidingTier.ADMIN, 0)).as("Admin-decided sides").isPositive();
        assertThat(deciders.getOrDefault(dev.netfence.policy.eval.DecidingTier.BASELINE, 0)).as("Baseline-decided sides").isPositive();
        assertThat(passes).as("sides where a Pass rule matched").isPositive();
    }

    static List<Endpoint> endpoints(ClusterSnapshot snapshot) {
        List<Endpoint> out = new ArrayList<>();
        for (Pod p : snapshot.podsWithIps()) {
            out.add(Endpoint.of(p, false));
            if (p.ips().stream().anyMatch(IpAddress::v6)) {
                out.add(Endpoint.of(p, true));
            }
        }
        for (Node n : snapshot.nodes()) {
            n.ips().forEach(ip -> out.add(new Endpoint.Host(ip, n.name(), null)));
        }
        out.add(new Endpoint.Host(IpAddress.parse("10.0.200.1"), null, null));
        out.add(new Endpoint.Host(IpAddress.parse("203.0.113.7"), null, null));
        out.add(new Endpoint.Host(IpAddress.parse("169.254.20.10"), null, null));
        out.add(new Endpoint.Host(IpAddress.parse("fd00:10:9::1"), null, null));
        return out;
    }
}
