package dev.netfence.lab;

import dev.netfence.enforcer.nft.ApplyResult;
import dev.netfence.enforcer.nft.Nftables;
import dev.netfence.enforcer.nft.RuleSetApplier;
import dev.netfence.policy.compile.CompiledCluster;
import dev.netfence.policy.compile.RuleSetCompiler;
import dev.netfence.policy.model.ClusterSnapshot;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Netfence's real datapath inside a lab: compiles a snapshot into per-node rule sets, renders
 * each node's {@code inet netfence} table and applies it through libnftables on the node's
 * namespace thread, exactly as the enforcer does on a real node. One applier per node is kept,
 * so a later snapshot that only changes set members is applied as an element delta.
 */
public final class LabEnforcer {

    private final Lab lab;
    private final Map<String, RuleSetApplier> appliers = new ConcurrentHashMap<>();

    public LabEnforcer(Lab lab) {
        this.lab = lab;
    }

    /** Why rules cannot be applied here (libnftables missing), or empty. */
    public static Optional<String> unavailableReason() {
        return Nftables.available() ? Optional.empty()
                : Optional.of("libnftables.so.1 cannot be loaded: apt-get install libnftables1");
    }

    /**
     * Applies the rules compiled from {@code snapshot} on every node of the lab (in parallel) and
     * returns what each node's apply did, by node name. The snapshot's pods should be the lab's;
     * its policies and DefaultDenies may change from call to call.
     */
    public Map<String, ApplyResult> enforce(ClusterSnapshot snapshot) {
        CompiledCluster compiled = RuleSetCompiler.compile(snapshot);
        Map<String, ApplyResult> results = new ConcurrentHashMap<>();
        lab.installRules(node -> {
            RuleSetApplier applier = appliers.computeIfAbsent(node.name(), n -> new RuleSetApplier(new Nftables()));
            results.put(node.name(), applier.apply(compiled.forNode(node.name())));
        });
        return new TreeMap<>(results);
    }

    /** The libnftables handle for listing a node's table or counters; call it inside {@link Lab#runInNode}. */
    public static Nftables nftables() {
        return new Nftables();
    }
}
