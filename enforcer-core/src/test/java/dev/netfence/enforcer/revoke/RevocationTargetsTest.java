package dev.netfence.enforcer.revoke;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.enforcer.SampleClusters;
import dev.netfence.enforcer.nft.Conntrack;
import dev.netfence.policy.compile.CompiledCluster;
import dev.netfence.policy.compile.CompiledVerdicts;
import dev.netfence.policy.compile.ResolvedRuleSet;
import dev.netfence.policy.compile.RuleSetCompiler;
import dev.netfence.policy.model.ClusterNetworkPolicy;
import dev.netfence.policy.model.ClusterPeer;
import dev.netfence.policy.model.ClusterPort;
import dev.netfence.policy.model.ClusterRule;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.ClusterSubject;
import dev.netfence.policy.model.RuleAction;
import dev.netfence.policy.model.Tier;
import dev.netfence.policy.model.ContainerPort;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.PolicyPort;
import dev.netfence.policy.model.PolicyRule;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

/**
 * The targets of a revocation, pure: named cases, and a randomized differential check that no flow the
 * old rules allowed and the new ones deny (both judged by {@link CompiledVerdicts}, the datapath's
 * decision) belongs to a pod that is not a target, while pods whose rules did not change are none.
 */
class RevocationTargetsTest {
    private static final String[] IPS = {"10.77.0.1", "10.77.0.2", "10.77.0.3", "10.77.0.4", "fd77::5"};
    private static final String[] APPS = {"web", "api", "db"};
    /** Addresses of other nodes' pods and of the outside, as peers. */
    private static final String[] REMOTE = {"10.77.1.1", "10.77.1.2", "172.16.1.9", "fd77:1::9"};

    @Test
    void anUnchangedRuleSetHasNoTargets() {
        ResolvedRuleSet rs = node(SampleClusters.shop());
        assertThat(RevocationTargets.between(rs, rs)).isEmpty();
    }

    @Test
    void theFirstApplyTargetsEveryIsolatedPodOnce() {
        ResolvedRuleSet rs = node(SampleClusters.shop());
        // web (2 addresses) and db for ingress, db for egress; api is not isolated
        assertThat(RevocationTargets.between(null, rs)).extracting(t -> t.pod() + " " + t.direction())
                .containsExactlyInAnyOrder("shop/web INGRESS", "shop/web INGRESS", "shop/db INGRESS", "shop/db EGRESS");
    }

    @Test
    void aRemovedPolicyTargetsOnlyThePodsItSelected() {
        ClusterSnapshot before = SampleClusters.shop();
        ClusterSnapshot after = before.toBuilder().removePolicy("shop", "db-ingress").policy(new NetworkPolicy("shop",
                "db-ingress", LabelSelector.of("app", "db"), List.of("Ingress"), List.of(), null, Map.of())).build();
        assertThat(RevocationTargets.between(node(before), node(after)))
                .containsExactly(new RevocationTarget(IpAddress.parse("10.77.0.3"), Direction.INGRESS, "shop/db"));
    }

    @Test
    void anAddedPolicyIsOnlyAGainAndTargetsNobody() {
        ClusterSnapshot before = SampleClusters.shop();
        ClusterSnapshot after = before.toBuilder().policy(new NetworkPolicy("shop", "db-more", LabelSelector.of("app", "db"),
                List.of("Ingress"), List.of(new PolicyRule(List.of(Peer.ipBlock("10.0.0.0/8")), List.of())), null,
                Map.of())).build();
        assertThat(RevocationTargets.between(node(before), node(after))).isEmpty();
    }

    @Test
    void aPeerThatLeftAnAddressSetTargetsThePodsWhosePoliciesReferToIt() {
        ClusterSnapshot before = SampleClusters.shop();
        // web no longer carries app=web: db-ingress's peer set loses 10.77.0.1; web itself is no longer isolated
        ClusterSnapshot after = before.toBuilder().pod(SampleClusters.pod("shop", "web", "n1", Map.of("app", "other"),
                List.of(new ContainerPort("http", 8080, Protocol.TCP)), "10.77.0.1", "fd77::1")).build();
        assertThat(RevocationTargets.between(node(before), node(after)))
                .containsExactly(new RevocationTarget(IpAddress.parse("10.77.0.3"), Direction.INGRESS, "shop/db"));
    }

    @RepeatedTest(400)
    void everyFlowThatLostItsAllowBelongsToATarget(RepetitionInfo info) {
        Random r = new Random(info.getCurrentRepetition());
        ClusterSnapshot before = randomCluster(r);
        ClusterSnapshot after = mutate(before, r);
        ResolvedRuleSet old = node(before);
        ResolvedRuleSet now = node(after);
        List<RevocationTarget> targets = RevocationTargets.between(old, now);
        Set<String> hit = new HashSet<>();
        targets.forEach(t -> hit.add(t.address() + " " + t.direction()));
        CompiledVerdicts was = verdicts(old);
        CompiledVerdicts is = verdicts(now);
        RevocationVerdicts revocation = new RevocationVerdicts(now);
        List<String> peers = new ArrayList<>(List.of(IPS));
        peers.addAll(List.of(REMOTE));
        for (String src : peers) {
            for (String dst : peers) {
                if (src.equals(dst) || src.contains(":") != dst.contains(":")) {
                    continue;
                }
                for (int port : new int[]{80, 8080, 5432}) {
                    IpAddress s = IpAddress.parse(src);
                    IpAddress d = IpAddress.parse(dst);
                    boolean lost = was.allowed(s, d, Protocol.TCP, port) && !is.allowed(s, d, Protocol.TCP, port);
                    Conntrack.Entry e = new Conntrack.Entry(6, s, 40000, d, port, 1, 0, new byte[0]);
                    assertThat(revocation.denied(e)).isEqualTo(!is.allowed(s, d, Protocol.TCP, port));
                    if (lost) {
                        assertThat(hit.contains(s + " EGRESS") || hit.contains(d + " INGRESS"))
                                .as("%s -> %s:%d lost its allow but neither side is a target (%s)", src, dst, port, targets)
                                .isTrue();
                    }
                }
            }
        }
    }

    private static ClusterSnapshot randomCluster(Random r) {
        ClusterSnapshot.Builder b = ClusterSnapshot.builder().namespace(new Namespace("shop", Map.of()))
                .node(new Node("n1", List.of(IpAddress.parse("10.77.255.1"))))
                .node(new Node("n2", List.of(IpAddress.parse("10.77.255.2"))));
        for (int i = 0; i < IPS.length; i++) {
            b.pod(SampleClusters.pod("shop", "p" + i, "n1", Map.of("app", APPS[r.nextInt(APPS.length)]),
                    List.of(new ContainerPort("http", 8080, Protocol.TCP)), IPS[i]));
        }
        b.pod(SampleClusters.pod("shop", "remote1", "n2", Map.of("app", "api"), List.of(), REMOTE[0]));
        b.pod(SampleClusters.pod("shop", "remote2", "n2", Map.of("app", "db"), List.of(), REMOTE[1]));
        int policies = 1 + r.nextInt(4);
        for (int i = 0; i < policies; i++) {
            b.policy(randomPolicy(r, "np" + i));
        }
        int cluster = r.nextInt(3);
        for (int i = 0; i < cluster; i++) {
            b.clusterPolicy(randomClusterPolicy(r, "cnp" + i));
        }
        return b.build();
    }

    /** A ClusterNetworkPolicy of either tier with one or two rules of any action (Deny and Pass take allows away). */
    private static ClusterNetworkPolicy randomClusterPolicy(Random r, String name) {
        boolean ingress = r.nextBoolean();
        List<ClusterRule> rules = new ArrayList<>();
        int n = 1 + r.nextInt(2);
        for (int i = 0; i < n; i++) {
            ClusterPeer peer = switch (r.nextInt(3)) {
                case 0 -> new ClusterPeer.Pods(LabelSelector.ALL, LabelSelector.of("app", APPS[r.nextInt(APPS.length)]));
                case 1 -> new ClusterPeer.Namespaces(LabelSelector.ALL);
                default -> ingress ? new ClusterPeer.Namespaces(LabelSelector.ALL) : new ClusterPeer.Networks(List.of("10.77.0.0/24"));
            };
            List<ClusterPort> ports = switch (r.nextInt(3)) {
                case 0 -> List.of();
                case 1 -> List.of(ClusterPort.port(Protocol.TCP, 80));
                default -> List.of(ClusterPort.named("http"));
            };
            rules.add(new ClusterRule("r" + i, RuleAction.values()[r.nextInt(RuleAction.values().length)], List.of(peer), ports));
        }
        ClusterSubject subject = r.nextBoolean() ? ClusterSubject.namespaces(LabelSelector.ALL)
                : ClusterSubject.pods(LabelSelector.ALL, LabelSelector.of("app", APPS[r.nextInt(APPS.length)]));
        return new ClusterNetworkPolicy(name, r.nextBoolean() ? Tier.ADMIN : Tier.BASELINE, r.nextInt(3), subject,
                ingress ? rules : List.of(), ingress ? List.of() : rules);
    }

    private static NetworkPolicy randomPolicy(Random r, String name) {
        String subject = APPS[r.nextInt(APPS.length)];
        boolean ingress = r.nextBoolean();
        List<PolicyRule> rules = new ArrayList<>();
        int n = r.nextInt(3);
        for (int i = 0; i < n; i++) {
            Peer peer = switch (r.nextInt(3)) {
                case 0 -> Peer.pods(LabelSelector.of("app", APPS[r.nextInt(APPS.length)]));
                case 1 -> Peer.ipBlock("172.16.0.0/16", "172.16.1.0/24");
                default -> Peer.ipBlock("10.77.0.0/16");
            };
            List<PolicyPort> ports = switch (r.nextInt(3)) {
                case 0 -> List.of();
                case 1 -> List.of(PolicyPort.of(Protocol.TCP, 80));
                default -> List.of(PolicyPort.named(Protocol.TCP, "http"));
            };
            rules.add(new PolicyRule(List.of(peer), ports));
        }
        return new NetworkPolicy("shop", name, LabelSelector.of("app", subject), List.of(ingress ? "Ingress" : "Egress"),
                ingress ? rules : List.of(), ingress ? null : rules, Map.of());
    }

    /**
     * One to three changes: a policy removed or replaced, a pod relabelled (peer sets change), a policy added, a
     * ClusterNetworkPolicy removed, replaced or added.
     */
    private static ClusterSnapshot mutate(ClusterSnapshot s, Random r) {
        ClusterSnapshot.Builder b = s.toBuilder();
        int changes = 1 + r.nextInt(3);
        for (int i = 0; i < changes; i++) {
            switch (r.nextInt(6)) {
                case 4 -> b.removeClusterPolicy("cnp" + r.nextInt(3));
                case 5 -> b.clusterPolicy(randomClusterPolicy(r, "cnp" + r.nextInt(3)));
                case 0 -> b.removePolicy("shop", "np" + r.nextInt(4));
                case 1 -> b.policy(randomPolicy(r, "np" + r.nextInt(4)));
                case 2 -> {
                    int p = r.nextInt(IPS.length);
                    b.pod(SampleClusters.pod("shop", "p" + p, "n1", Map.of("app", APPS[r.nextInt(APPS.length)]),
                            List.of(new ContainerPort("http", 8080, Protocol.TCP)), IPS[p]));
                }
                default -> b.pod(SampleClusters.pod("shop", "remote1", "n2", Map.of("app", APPS[r.nextInt(APPS.length)]),
                        List.of(), REMOTE[0]));
            }
        }
        return b.build();
    }

    private static ResolvedRuleSet node(ClusterSnapshot s) {
        return RuleSetCompiler.compile(s).forNode("n1");
    }

    private static CompiledVerdicts verdicts(ResolvedRuleSet rs) {
        Map<String, dev.netfence.policy.compile.AddressSet> sets = new java.util.HashMap<>();
        rs.addressSets().forEach(a -> sets.put(a.name(), a));
        return new CompiledVerdicts(new CompiledCluster(Map.of("n1", rs.ruleSet()), sets, Map.of()));
    }
}
