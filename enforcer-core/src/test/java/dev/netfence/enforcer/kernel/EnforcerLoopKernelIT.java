package dev.netfence.enforcer.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netfence.enforcer.datapath.NamespaceThread;
import dev.netfence.enforcer.datapath.NftablesDatapath;
import dev.netfence.enforcer.loop.EnforcerLoop;
import dev.netfence.enforcer.loop.EnforcerObserver;
import dev.netfence.enforcer.loop.EnforcerSettings;
import dev.netfence.enforcer.loop.StatusSink;
import dev.netfence.enforcer.nft.Nftables;
import dev.netfence.enforcer.source.RuleSetSource;
import dev.netfence.enforcer.validate.HostileRuleSets;
import dev.netfence.policy.compile.ResolvedRuleSet;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The core loop against a real kernel, in a network namespace of its own: drift made by another
 * tool (the table deleted, {@code nft flush ruleset}, an accept rule inserted) is repaired within one
 * resync, and every hostile rule set leaves the ruleset exactly as the valid rule set made it.
 */
class EnforcerLoopKernelIT {
    private static final String NS = "nf-loop-it-" + ProcessHandle.current().pid();
    /**
     * One second instead of the default 30 s, set through the same settings the app binds
     * ({@code netfence.enforcer.resync-interval}): the test waits for one resync, not for the default.
     */
    private static final Duration RESYNC = Duration.ofSeconds(1);

    private NamespaceThread thread;
    private EnforcerLoop loop;
    private final MutableSource source = new MutableSource();

    @BeforeEach
    void createNamespace() {
        String reason = NetNs.unavailableReason();
        Assumptions.assumeTrue(reason == null, reason);
        NetNs.delete(NS);
        NetNs.add(NS);
        thread = new NamespaceThread(NS);
        source.current = HostileRuleSets.valid();
        loop = new EnforcerLoop(EnforcerSettings.defaults("n1").withResyncInterval(RESYNC), source,
                new NftablesDatapath(thread), StatusSink.NONE, EnforcerObserver.NONE).start();
        await().atMost(Duration.ofSeconds(10)).until(() -> loop.state().ruleSetHash() != null);
    }

    @AfterEach
    void removeNamespace() {
        if (loop != null) {
            loop.close();
        }
        if (thread != null) {
            thread.close();
        }
        if (NetNs.root()) {
            NetNs.delete(NS);
        }
    }

    private static String ruleset() {
        return NetNs.call(NS, () -> new Nftables().stateless("list ruleset"));
    }

    @Test
    void driftIsRepairedWithinOneResync() {
        String applied = ruleset();
        assertThat(applied).contains("table inet netfence").contains("NetworkPolicy shop/web-from-api spec.ingress[0]");
        for (String drift : new String[]{"flush ruleset", "delete table inet netfence",
                "insert rule inet netfence ingress accept", "flush chain inet netfence egress",
                "add element inet netfence ingress_pods_v4 { 10.77.0.250 : 0x00000001 }"}) {
            long repairs = loop.repairs();
            NetNs.call(NS, () -> new Nftables().run(drift));
            assertThat(ruleset()).as(drift).isNotEqualTo(applied);
            await(drift).atMost(RESYNC.multipliedBy(3)).pollInterval(Duration.ofMillis(50))
                    .until(() -> ruleset().equals(applied));
            assertThat(loop.repairs()).as(drift).isEqualTo(repairs + 1);
        }
    }

    @Test
    void hostileRuleSetsLeaveExactlyTheValidRules() {
        String applied = ruleset();
        for (HostileRuleSets.Case c : HostileRuleSets.cases()) {
            source.current = c.apply(HostileRuleSets.valid());
            source.fire();
            await().atMost(Duration.ofSeconds(5)).until(() -> loop.state().lastError() != null);
            assertThat(loop.state().lastError()).as(c.name()).contains(c.field());
            assertThat(ruleset()).as(c.name()).isEqualTo(applied);
            // the valid rule set again: the next case starts from a clean state
            source.current = HostileRuleSets.valid();
            source.fire();
            await().atMost(Duration.ofSeconds(5)).until(() -> loop.state().lastError() == null);
            assertThat(ruleset()).as(c.name()).isEqualTo(applied);
        }
    }

    private static final class MutableSource implements RuleSetSource {
        volatile ResolvedRuleSet current;
        volatile Runnable listener = () -> { };

        void fire() {
            listener.run();
        }

        @Override
        public Optional<ResolvedRuleSet> current() {
            return Optional.of(current);
        }

        @Override
        public String describe() {
            return "test";
        }

        @Override
        public boolean onChange(Runnable l) {
            listener = l;
            return true;
        }
    }
}
