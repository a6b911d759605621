package dev.netfence.lab.flow;

import static org.awaitility.Awaitility.await;

import dev.netfence.enforcer.datapath.NftablesDatapath;
import dev.netfence.enforcer.flow.FlowLog;
import dev.netfence.enforcer.flow.FlowLogReader;
import dev.netfence.enforcer.flow.FlowLogSettings;
import dev.netfence.enforcer.flow.FlowRecord;
import dev.netfence.enforcer.loop.EnforcerLoop;
import dev.netfence.enforcer.loop.EnforcerObserver;
import dev.netfence.enforcer.loop.EnforcerSettings;
import dev.netfence.enforcer.loop.StatusSink;
import dev.netfence.enforcer.source.FileRuleSetSource;
import dev.netfence.enforcer.source.RuleSetYaml;
import dev.netfence.lab.Lab;
import dev.netfence.lab.LabNode;
import dev.netfence.policy.compile.CompiledCluster;
import dev.netfence.policy.compile.RuleSetCompiler;
import dev.netfence.policy.model.ClusterSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One real enforcer per lab node, as the DaemonSet runs it: the production {@link EnforcerLoop}
 * with its file source (production poll interval) applying into the node's namespace, with the flow
 * log's rules, and a {@link FlowLogReader} bound to the NFLOG group inside that namespace. Each lab
 * run has its own namespaces, so the groups of parallel runs never meet.
 */
final class FlowLogNodes implements AutoCloseable {
    private final Lab lab;
    private final Path rules;
    private final Map<String, EnforcerLoop> loops = new LinkedHashMap<>();
    private final Map<String, FlowLog> logs = new LinkedHashMap<>();
    private final List<FlowLogReader> readers = new ArrayList<>();

    FlowLogNodes(Lab lab, FlowLogSettings settings) throws IOException {
        this.lab = lab;
        this.rules = Files.createTempDirectory("nf-flowlog-rules");
        for (LabNode node : lab.nodes()) {
            String name = node.name();
            EnforcerSettings s = new EnforcerSettings(name, EnforcerSettings.Source.FILE, rules,
                    EnforcerSettings.DEFAULT_POLL_INTERVAL, EnforcerSettings.DEFAULT_RETRY_INITIAL,
                    EnforcerSettings.DEFAULT_RETRY_MAX, Optional.empty(), EnforcerSettings.DEFAULT_RESYNC_INTERVAL,
                    EnforcerSettings.DEFAULT_COUNTER_INTERVAL, EnforcerSettings.DEFAULT_COALESCE_DELAY);
            FlowLog log = new FlowLog(name, settings).jsonLines(false);
            logs.put(name, log);
            readers.add(FlowLogReader.start(log, Optional.of(lab.nodeNamespace(name))));
            loops.put(name, new EnforcerLoop(s, new FileRuleSetSource(rules, name), new NftablesDatapath(lab.inNode(name)),
                    StatusSink.NONE, EnforcerObserver.NONE).withFlowLog(log).start());
        }
    }

    /** Publishes the compiled rule sets of {@code snapshot} and waits until every node applied its own. */
    void enforce(ClusterSnapshot snapshot) {
        CompiledCluster compiled = RuleSetCompiler.compile(snapshot);
        for (String node : loops.keySet()) {
            try {
                Path tmp = rules.resolve("." + node + ".tmp");
                Files.writeString(tmp, RuleSetYaml.write(compiled.forNode(node)));
                Files.move(tmp, rules.resolve(node + ".yaml"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        loops.forEach((node, loop) -> {
            String expected = compiled.forNode(node).contentHash();
            await().atMost(Duration.ofSeconds(60)).until(() -> expected.equals(loop.state().appliedHash()));
        });
    }

    FlowLog log(String node) {
        return logs.get(node);
    }

    /** Every node's records after {@code since} (sequence numbers per node), in node order. */
    List<FlowRecord> records(Map<String, Long> since) {
        List<FlowRecord> out = new ArrayList<>();
        logs.forEach((node, log) -> out.addAll(log.query(since.getOrDefault(node, 0L), null, null, null, Integer.MAX_VALUE)));
        return out;
    }

    /** Where each node's log is now: pass it to {@link #records} to see only what came after. */
    Map<String, Long> mark() {
        Map<String, Long> out = new LinkedHashMap<>();
        logs.forEach((node, log) -> out.put(node, log.nextSeq() - 1));
        return out;
    }

    @Override
    public void close() {
        loops.values().forEach(EnforcerLoop::close);
        readers.forEach(FlowLogReader::close);
        try (var files = Files.list(rules)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(rules);
        } catch (IOException e) {
            // a temporary directory
        }
    }
}
