package dev.netfence.enforcer.nft;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
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
            assertThat(drop).isLessThan(indexOf(rules, " vmap @"));
            // also before the path of packets someone else marked, which leaves the chain by goto
            assertThat(drop).isLessThan(indexOf(rules, "goto " + chain + "_marked"));
        }
    }

    @Test
    void withPodCidrsAKnownAddressSkipsTheDropsAndAnUnknownOneIsDroppedBeforeThePodLookups() throws IOException {
        RenderedTable base = NftablesRenderer.render(NftablesRendererTest.shopN1());
        RenderedTable held = FailClosedRules.add(base, List.of("10.77.0.9"), List.of("10.77.0.0/24", "fd77::/64"),
                List.of("10.77.0.1", "10.77.0.2", "10.77.0.3", "fd77::1", "fd77::2"));
        NftablesRendererTest.assertGolden("shop-n1-fail-closed-cidr.nft", held.text());
        List<String> egress = held.chains().stream().filter(c -> c.name().equals("egress")).findFirst().orElseThrow().rules();
        List<String> pod = held.chains().stream().filter(c -> c.name().equals("egress_pod")).findFirst().orElseThrow().rules();
        // a known address (never a waiting one) goes straight to the pod lookups; anything else meets both drops first
        assertThat(indexOf(egress, "ip saddr @known_v4 goto egress_pod")).isLessThan(indexOf(egress, "@waiting_v4 counter drop"));
        assertThat(indexOf(egress, "ip saddr @podcidr_v4 counter drop")).isLessThan(egress.size() - 1);
        assertThat(egress.get(egress.size() - 1)).isEqualTo("goto egress_pod");
        // the pod lookups (and the marked path) are in egress_pod only, as the renderer wrote them
        assertThat(egress).noneMatch(r -> r.contains("vmap") || r.contains("_marked"));
        List<String> rendered = base.chains().stream().filter(c -> c.name().equals("egress")).findFirst().orElseThrow().rules();
        assertThat(pod).isEqualTo(rendered.subList(rendered.indexOf("meta mark != 0x00000000 goto egress_marked"), rendered.size()));
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
