package dev.netfence.enforcer.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.enforcer.flow.FlowLogSettings;
import dev.netfence.enforcer.nft.FlowLogCounter;
import dev.netfence.enforcer.nft.FlowLogRules;
import dev.netfence.enforcer.nft.Nftables;
import dev.netfence.enforcer.nft.NftablesRenderer;
import dev.netfence.enforcer.nft.RuleSetApplier;
import dev.netfence.policy.compile.ResolvedRuleSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The flow log's rules load into a real kernel (a fresh namespace per run) and list back as rendered:
 * the named limit and lost counter, the logging rules of the profiles and, when asked, of the policy
 * chains; the lost counter reads through netlink (0 before any packet).
 */
class FlowLogRulesKernelIT {
    private static final String NS = "nf-flowlog-" + ProcessHandle.current().pid();

    @BeforeEach
    void createNamespace() {
        String reason = NetNs.unavailableReason();
        Assumptions.assumeTrue(reason == null, reason);
        NetNs.delete(NS);
        NetNs.add(NS);
    }

    @AfterEach
    void removeNamespace() {
        if (NetNs.root()) {
            NetNs.delete(NS);
        }
    }

    @Test
    void theLoggingTableLoadsAndListsBack() throws Exception {
        ResolvedRuleSet rs = NftablesApplierIT.shop();
        for (FlowLogSettings settings : new FlowLogSettings[] {FlowLogSettings.DEFAULTS, FlowLogSettings.DEFAULTS.withAllowed(true)}) {
            FlowLogRules.Result logged = FlowLogRules.add(NftablesRenderer.render(rs), rs.ruleSet(), settings);
            String listing = NetNs.call(NS, () -> {
                Nftables nft = new Nftables();
                new RuleSetApplier(nft).apply(logged.table());
                return nft.run("list table inet netfence");
            });
            assertThat(listing).contains("limit flowlog {", "rate 300/second burst 300 packets", "counter flowlog_lost {");
            for (String prefix : logged.deciders().keySet()) {
                assertThat(listing).contains("log prefix \"" + prefix + "\" group 2718");
            }
            assertThat(NetNs.call(NS, FlowLogCounter::lost)).isZero();
        }
    }
}
