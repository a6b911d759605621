package dev.netfence.enforcer.nft;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fail-closed rule as the enforcer adds it to the rendered table (golden; loaded into a kernel by EnforcerLoopKernelIT). */
class FailClosedRulesTest {

    @Test
    void holdsTheWaitingAddressesBeforeThePodLookupsInBothBaseChains() throws IOException {
        RenderedTable base = NftablesRenderer.render(NftablesRendererTest.shopN1());
        RenderedTable held = FailClosedRules.add(base, List.of("fd77::9", "10.77.0.9", "10.77.0.8"));
        NftablesRendererTest.assertGolden("shop-n1-fail-closed.nft", held.text());
        for (String chain : List.of("egress", "ingress")) {
            List<String> rules = held.chains().stream().filter(c -> c.name().equals(chain)).findFirst().orElseThrow().rules();
            int drop = indexOf(rules, "@waiting_v4 counter drop");
            assertThat(drop).isGreaterThan(indexOf(rules, "ct state established,related accept"));
            assertThat(drop).isGreaterThan(indexOf(rules, "@node_v4 accept"));
            // before the pod chains (the lookups, and the path of packets someone else marked), reached by goto
            assertThat(drop).isLessThan(indexOf(rules, "goto " + chain + "_pod_v4"));
            assertThat(rules).noneMatch(r -> r.contains("vmap") || r.contains("_marked"));
        }
    }

    @Test
    void withPodCidrsAKnownAddressSkipsTheDropsAndAnUnknownOneIsDroppedBeforeThePodLookups() throws IOException {
        RenderedTable base = NftablesRenderer.render(NftablesRendererTest.shopN1());
        RenderedTable held = FailClosedRules.add(base, List.of("10.77.0.9"), List.of("10.77.0.0/24", "fd77::/64"),
                List.of("10.77.0.1", "10.77.0.2", "10.77.0.3", "fd77::1", "fd77::2"));
        NftablesRendererTest.assertGolden("shop-n1-fail-closed-cidr.nft", held.text());
        List<String> egress = rules(held, "egress");
        // a known address (never a waiting one) goes straight to its family's pod chain, before even the node's addresses;
        // anything else meets the node test and both drops first, IPv6 in a chain of its own (no IPv6 rule for IPv4)
        String waiting = "counter drop comment \"" + FailClosedRules.COMMENT_EGRESS + "\"";
        String unknown = "counter drop comment \"" + FailClosedRules.COMMENT_CIDR_EGRESS + "\"";
        assertThat(egress).containsExactly("ct state established,related accept", "ct state invalid drop",
                "ip saddr @known_v4 goto egress_pod_v4", "meta nfproto ipv6 goto egress_v6", "ip daddr @node_v4 accept",
                "ip saddr @waiting_v4 " + waiting, "ip saddr @podcidr_v4 " + unknown, "goto egress_pod_v4");
        assertThat(rules(held, "egress_v6")).containsExactly("ip6 saddr @known_v6 goto egress_pod_v6",
                "ip6 daddr @node_v6 accept", "ip6 saddr @waiting_v6 " + waiting, "ip6 saddr @podcidr_v6 " + unknown,
                "goto egress_pod_v6");
        // the pod lookups (and the marked path) are in the pod chains only, as the renderer wrote them, with the node's
        // addresses tested after the accept of a pod nothing isolates (so an isolated pod still reaches the node)
        assertThat(egress).noneMatch(r -> r.contains("vmap") || r.contains("_marked"));
        for (String family : List.of("v4", "v6")) {
            List<String> pod = rules(held, "egress_pod_" + family);
            List<String> rendered = new ArrayList<>(rules(base, "egress_pod_" + family));
            rendered.add(1, (family.equals("v4") ? "ip" : "ip6") + " daddr @node_" + family + " accept");
            assertThat(pod).isEqualTo(rendered);
        }
        // without pod CIDRs the pod chains stay as rendered
        RenderedTable waitingOnly = FailClosedRules.add(base, List.of("10.77.0.9"));
        assertThat(rules(waitingOnly, "ingress_pod_v4")).isEqualTo(rules(base, "ingress_pod_v4"));
    }

    private static List<String> rules(RenderedTable t, String chain) {
        return t.chains().stream().filter(c -> c.name().equals(chain)).findFirst().orElseThrow().rules();
    }

    @Test
    void aPodAnnouncedOrNamedIsAnElementDeltaNotANewTable() {
        RenderedTable base = NftablesRenderer.render(NftablesRendererTest.shopN1());
        RenderedTable none = FailClosedRules.add(base, List.of());
        RenderedTable one = FailClosedRules.add(base, List.of("10.77.0.9"));
        assertThat(one.deltaFrom(none)).contains("add element inet netfence waiting_v4 {\n\t10.77.0.9\n}\n");
        assertThat(none.deltaFrom(one)).contains("delete element inet netfence waiting_v4 {\n\t10.77.0.9\n}\n");
    }

    private static int indexOf(List<String> rules, String part) {
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).contains(part)) {
                return i;
            }
        }
        throw new AssertionError("no rule with " + part + " in " + rules);
    }
}
