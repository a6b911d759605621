package dev.netfence.operator;

import dev.netfence.operator.cluster.ClusterInformers;
import dev.netfence.operator.cluster.ClusterState;
import dev.netfence.operator.publish.KubernetesObjectWriter;
import dev.netfence.operator.publish.Publisher;
import dev.netfence.operator.publish.RuleSetHashes;
import dev.netfence.operator.status.DefaultDenyRealizations;
import dev.netfence.operator.status.RealizationReporter;
import dev.netfence.operator.work.LeaderGate;
import dev.netfence.operator.work.SyncWorker;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * One running operator: informers feeding the cluster state, the leader gate, and the sync worker
 * (which leaves DefaultDeny realizations for the status reconciler, see {@link DefaultDenyRealizations}).
 * Plain class (no CDI) so tests can stop one and start a fresh one against the same API server,
 * as a restarted pod would.
 */
public final class OperatorRuntime {
    private final ClusterState state = new ClusterState();
    private final ClusterInformers informers;
    private final SyncWorker worker;
    private final LeaderGate gate;
    private final DefaultDenyRealizations defaultDenies;

    /** A runtime whose DefaultDeny realizations nobody turns into statuses (no status reconciler: tests of publishing). */
    public OperatorRuntime(KubernetesClient client, OperatorConfig config, MeterRegistry registry) {
        this(client, config, registry, new DefaultDenyRealizations());
    }

    /**
     * @param defaultDenies where each sync leaves the DefaultDenies' realization for the
     *                      {@link dev.netfence.operator.status.DefaultDenyStatusReconciler}
     */
    public OperatorRuntime(KubernetesClient client, OperatorConfig config, MeterRegistry registry,
                           DefaultDenyRealizations defaultDenies) {
        this.defaultDenies = defaultDenies;
        SyncWorker[] w = new SyncWorker[1];
        informers = new ClusterInformers(client, state, () -> w[0].signal(), () -> w[0].signalStatus(), () -> w[0].signalDrift());
        OperatorConfig.LeaderElection le = config.leaderElection();
        gate = le.enabled()
                ? LeaderGate.elect(client, le.leaseNamespace().orElse(env("POD_NAMESPACE", "netfence-system")),
                        le.leaseName(), le.identity().orElse(env("HOSTNAME", "netfence-operator")), le.leaseDuration(),
                        le.renewDeadline(), le.retryPeriod(), () -> {
                            // a new leader announces every DefaultDeny: nobody wrote statuses while it waited
                            defaultDenies.forget();
                            w[0].signal();
                        })
                : LeaderGate.always();
        RuleSetHashes hashes = new RuleSetHashes();
        worker = new SyncWorker(state, informers, new Publisher(new LazyWriter(client, informers, registry), hashes),
                new RealizationReporter(client, informers, hashes, state, defaultDenies), gate::isLeader, config.debounce(), config.retryInitial(),
                config.retryMax(), config.statusResync(), registry);
        w[0] = worker;
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    public void start() {
        defaultDenies.attach(gate::isLeader);
        informers.start();
        worker.start();
        gate.start();
        worker.signal();
    }

    public void stop() {
        gate.close();
        worker.stop();
        informers.stop();
        defaultDenies.detach();
    }

    public boolean ready() {
        return informers.synced();
    }

    public boolean live() {
        return worker.healthy();
    }

    public boolean leader() {
        return gate.isLeader();
    }

    public SyncWorker worker() {
        return worker;
    }

    /** The writer needs the informers' stores, which exist once they started. */
    private static final class LazyWriter implements dev.netfence.operator.publish.ObjectWriter {
        private final KubernetesClient client;
        private final ClusterInformers informers;
        private final MeterRegistry registry;
        private KubernetesObjectWriter delegate;

        LazyWriter(KubernetesClient client, ClusterInformers informers, MeterRegistry registry) {
            this.client = client;
            this.informers = informers;
            this.registry = registry;
        }

        private KubernetesObjectWriter w() {
            if (delegate == null) {
                delegate = new KubernetesObjectWriter(client, informers.ruleSetStore(), informers.addressSetStore(), registry);
            }
            return delegate;
        }

        @Override
        public void write(dev.netfence.crds.NodeRuleSet ruleSet) {
            w().write(ruleSet);
        }

        @Override
        public void write(dev.netfence.crds.AddressSet part) {
            w().write(part);
        }

        @Override
        public void deleteNodeRuleSet(String name) {
            w().deleteNodeRuleSet(name);
        }

        @Override
        public void deleteAddressSet(String name) {
            w().deleteAddressSet(name);
        }
    }
}
