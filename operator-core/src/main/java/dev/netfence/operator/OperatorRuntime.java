package dev.netfence.operator;

import dev.netfence.cluster.ChangeCollector;
import dev.netfence.cluster.ClusterInformers;
import dev.netfence.cluster.ClusterModel;
import dev.netfence.operator.publish.KubernetesObjectWriter;
import dev.netfence.operator.publish.PublishResult;
import dev.netfence.operator.publish.PublishedInformers;
import dev.netfence.operator.publish.Publisher;
import dev.netfence.operator.publish.RuleSetHashes;
import dev.netfence.operator.status.DefaultDenyRealizations;
import dev.netfence.operator.status.RealizationReporter;
import dev.netfence.operator.work.CoalescingRunner;
import dev.netfence.operator.work.LeaderGate;
import dev.netfence.operator.work.OperatorSync;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * One running operator: the cluster model fed by its informers, the informers on what it publishes,
 * the leader gate, and the sync on a {@link CoalescingRunner} that runs only while this replica
 * leads (it leaves DefaultDeny realizations for the status reconciler, see
 * {@link DefaultDenyRealizations}). Plain class: the Quarkus application, the demo, the lab's
 * end-to-end test and the tests construct it the same way, and can stop one and start a fresh one
 * against the same API server, as a restarted pod would.
 */
public final class OperatorRuntime {
    private final OperatorSettings settings;
    private final ClusterModel model;
    private final ClusterInformers informers;
    private final PublishedInformers published;
    private final OperatorSync sync;
    private final CoalescingRunner runner;
    private final CoalescingRunner reportRunner;
    /** Realization (NetworkPolicy annotations, DefaultDeny statuses) is reported at most this often. */
    public static final java.time.Duration REPORT_INTERVAL = java.time.Duration.ofSeconds(1);
    private final LeaderGate gate;
    private final DefaultDenyRealizations defaultDenies;
    private final RealizationReporter reporter;

    /** A runtime whose DefaultDeny realizations nobody turns into statuses (no status reconciler: tests of publishing). */
    public OperatorRuntime(KubernetesClient client, OperatorSettings settings, MeterRegistry registry) {
        this(client, settings, registry, new DefaultDenyRealizations());
    }

    /**
     * @param defaultDenies where each sync leaves the DefaultDenies' realization for the
     *                      {@link dev.netfence.operator.status.DefaultDenyStatusReconciler}
     */
    public OperatorRuntime(KubernetesClient client, OperatorSettings settings, MeterRegistry registry,
                           DefaultDenyRealizations defaultDenies) {
        this.settings = settings;
        this.defaultDenies = defaultDenies;
        this.model = new ClusterModel(settings.cluster());
        this.informers = new ClusterInformers(client, model, ClusterInformers.OPERATOR_KINDS);
        OperatorSync[] s = new OperatorSync[1];
        CoalescingRunner[] r = new CoalescingRunner[1];
        ChangeCollector changes = new ChangeCollector(() -> r[0].request());
        model.addListener(changes);
        this.published = new PublishedInformers(client, name -> {
            s[0].ruleSetDrifted(name);
            r[0].request();
        }, name -> {
            s[0].addressSetDrifted(name);
            r[0].request();
        }, () -> {
            s[0].statusChanged();
            r[0].request();
        });
        RuleSetHashes hashes = new RuleSetHashes();
        this.reporter = new RealizationReporter(client, informers::policyStore, informers::clusterPolicyStore,
                published::ruleSetStore, hashes, model, defaultDenies);
        CoalescingRunner[] report = new CoalescingRunner[1];
        this.sync = new OperatorSync(model, () -> informers.synced() && published.synced(), published, changes,
                new Publisher(new KubernetesObjectWriter(client, published, registry), hashes), c -> report[0].request(), registry);
        s[0] = sync;
        // realization is reported on its own thread, at most once per REPORT_INTERVAL: it walks every rule set and
        // policy of the cluster, and must not delay the next compile and publish
        this.reportRunner = new CoalescingRunner("netfence-report", periodic -> {
            if (sync.compiled() != null) {
                reporter.update(sync.compiled());
            }
            return true;
        }, REPORT_INTERVAL, settings.retryInitial(), settings.retryMax(), settings.resync());
        report[0] = reportRunner;
        OperatorSettings.LeaderElection le = settings.leaderElection();
        String identity = le.identity().orElse(env("HOSTNAME", "netfence-operator"));
        this.runner = new CoalescingRunner("netfence-sync-" + identity, sync, settings.debounce(), settings.retryInitial(),
                settings.retryMax(), settings.resync());
        r[0] = runner;
        Runnable onLeading = () -> {
            // a new leader announces every DefaultDeny (nobody wrote statuses while it waited) and compares everything
            defaultDenies.forget();
            sync.leading();
            runner.activate();
            reportRunner.activate();
        };
        this.gate = le.enabled()
                ? LeaderGate.elect(client, le.leaseNamespace().orElse(env("POD_NAMESPACE", "netfence-system")), le.leaseName(),
                        identity, le.leaseDuration(), le.renewDeadline(), le.retryPeriod(), onLeading, this::standBy)
                : LeaderGate.always(onLeading, this::standBy);
        registry.gauge("netfence_sync_failures", runner, CoalescingRunner::failures);
        registry.gauge("netfence_annotation_failures", reporter, RealizationReporter::annotationFailures);
        registry.gauge("netfence_cluster_policy_status_failures", reporter, RealizationReporter::clusterPolicyStatusFailures);
    }

    private void standBy() {
        runner.deactivate();
        reportRunner.deactivate();
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    public void start() {
        defaultDenies.attach(gate::isLeader);
        informers.start();
        published.start();
        gate.start();
    }

    public void stop() {
        gate.close();
        runner.close();
        reportRunner.close();
        reporter.close();
        published.stop();
        informers.stop();
        defaultDenies.detach();
    }

    public OperatorSettings settings() {
        return settings;
    }

    /** Informers have listed (the cluster model and the published objects are complete). */
    public boolean ready() {
        return informers.synced() && published.synced();
    }

    /**
     * The sync runner is alive. Not whether the last sync succeeded: a sync fails while the API
     * server is unreachable, and a restart would not help (failures are retried with backoff and
     * counted in {@code netfence_sync_failures}).
     */
    public boolean live() {
        return runner.alive();
    }

    public boolean leader() {
        return gate.isLeader();
    }

    public boolean lastSyncFailed() {
        return runner.lastFailed();
    }

    public ClusterModel model() {
        return model;
    }

    public OperatorSync sync() {
        return sync;
    }

    public CoalescingRunner runner() {
        return runner;
    }

    public PublishResult lastPublish() {
        return sync.lastPublish();
    }

    public RealizationReporter reporter() {
        return reporter;
    }

    /** What the start-up check found about the ClusterNetworkPolicy CRD (null before {@link #start()}). */
    public dev.netfence.cluster.ClusterPolicyCrdCheck.Result clusterPolicyCrd() {
        return informers.clusterPolicyCrd();
    }
}
