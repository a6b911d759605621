package dev.netfence.enforcer.app;

import dev.netfence.enforcer.SampleClusters;
import dev.netfence.enforcer.kernel.NetNs;
import dev.netfence.enforcer.source.RuleSetYaml;
import dev.netfence.policy.compile.RuleSetCompiler;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Gives the enforcer app under test a namespace of its own to program ({@code nf-enforcer-app})
 * and a rules directory holding node n1's rule set, so the test never touches the machine's
 * nftables. Without root the app starts with enforcement disabled and the test is skipped.
 */
public class EnforcerNamespaceResource implements QuarkusTestResourceLifecycleManager {
    static final String NS = "nf-enforcer-app";
    static Path rules;
    static Path run;

    @Override
    public Map<String, String> start() {
        try {
            rules = Files.createTempDirectory("netfence-rules");
            run = Files.createTempDirectory("netfence-run");
            Files.writeString(rules.resolve("n1.yaml"), RuleSetYaml.write(RuleSetCompiler.compile(SampleClusters.shop()).forNode("n1")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        boolean kernel = NetNs.unavailableReason() == null;
        if (kernel) {
            NetNs.delete(NS);
            NetNs.add(NS);
        }
        // short intervals, set through the app's own keys: the test sees a file change, a retry and the
        // counters in the metrics within seconds instead of the defaults (2 s, 1 s, 5 min)
        // the CNI endpoint in a directory of the test's own, never the host's /run/netfence
        return Map.of("netfence.enforcer.cni.socket", run.resolve("cni.sock").toString(),
                "netfence.enforcer.cni.state-dir", run.resolve("pods").toString(),
                "netfence.enforcer.node-name", "n1",
                "netfence.enforcer.rules-path", rules.toString(),
                "netfence.enforcer.network-namespace", NS,
                "netfence.enforcer.poll-interval", "100ms",
                "netfence.enforcer.retry-initial", "100ms",
                "netfence.enforcer.counter-interval", "200ms",
                "netfence.enforcer.enabled", String.valueOf(kernel));
    }

    @Override
    public void stop() {
        if (NetNs.root()) {
            NetNs.delete(NS);
        }
    }
}
