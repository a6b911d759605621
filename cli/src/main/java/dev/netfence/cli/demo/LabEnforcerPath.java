package dev.netfence.cli.demo;

import dev.netfence.lab.Lab;
import dev.netfence.lab.LabEnforcer;
import dev.netfence.policy.model.ClusterSnapshot;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.List;

/**
 * The compiler, renderer and libnftables applier called directly: the snapshot is compiled into
 * per-node rule sets and each node applies its own inside its network namespace ({@link LabEnforcer}).
 * No API server, operator or enforcer loop: the objects of a step matter only through the snapshot.
 */
final class LabEnforcerPath implements RulePath {

    private final LabEnforcer enforcer;

    LabEnforcerPath(Lab lab) {
        this.enforcer = new LabEnforcer(lab);
    }

    @Override
    public String description() {
        return "compiler -> renderer -> libnftables in each node's namespace";
    }

    @Override
    public Duration enforce(ClusterSnapshot expected, List<HasMetadata> objects) {
        long start = System.nanoTime();
        enforcer.enforce(expected);
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
