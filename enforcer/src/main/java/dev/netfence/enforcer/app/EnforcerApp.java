package dev.netfence.enforcer.app;

import dev.netfence.cluster.ClusterSettings;
import dev.netfence.enforcer.cni.CniEndpoint;
import dev.netfence.enforcer.cni.CniInstaller;
import dev.netfence.enforcer.cni.CniSettings;
import dev.netfence.enforcer.cni.PodAnnouncements;
import dev.netfence.enforcer.datapath.BridgeNetfilter;
import dev.netfence.enforcer.datapath.NamespaceThread;
import dev.netfence.enforcer.flow.FlowLog;
import dev.netfence.enforcer.flow.FlowLogReader;
import dev.netfence.enforcer.flow.FlowLogSettings;
import dev.netfence.enforcer.datapath.NftablesDatapath;
import dev.netfence.enforcer.kube.KubernetesEnforcer;
import dev.netfence.enforcer.kube.NodePodCidrs;
import dev.netfence.enforcer.loop.EnforcementState;
import dev.netfence.enforcer.loop.EnforcerLoop;
import dev.netfence.enforcer.loop.EnforcerSettings;
import dev.netfence.enforcer.loop.NewPodSettings;
import dev.netfence.enforcer.loop.StatusSink;
import dev.netfence.enforcer.source.FileRuleSetSource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import dev.netfence.policy.net.Cidr;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * CDI wiring only: builds the core {@link EnforcerLoop} from {@code netfence.enforcer.*} at start-up
 * and closes it at shutdown. Everything the loop does lives in {@code enforcer-core}. The Kubernetes
 * client is only created for {@code source=kubernetes}.
 */
@ApplicationScoped
public class EnforcerApp {
    private static final Logger LOG = Logger.getLogger(EnforcerApp.class);

    private final EnforcerConfig config;
    private final EnforcerMetrics metrics;
    private final Instance<KubernetesClient> client;
    private volatile EnforcerLoop loop;
    private NamespaceThread namespaceThread;
    private CniEndpoint endpoint;
    private NodePodCidrs nodePodCidrs;
    private NftablesDatapath.InNamespace namespace;
    private volatile BridgeNetfilter bridgeNetfilter;
    private volatile FlowLog flowLog;
    private FlowLogReader flowLogReader;

    EnforcerApp(EnforcerConfig config, EnforcerMetrics metrics, Instance<KubernetesClient> client) {
        this.config = config;
        this.metrics = metrics;
        this.client = client;
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.info("netfence.enforcer.enabled=false: not touching nftables");
            return;
        }
        EnforcerSettings settings = config.toSettings();
        NftablesDatapath.InNamespace namespace = NftablesDatapath.InNamespace.CURRENT;
        if (settings.networkNamespace().isPresent()) {
            namespaceThread = new NamespaceThread(settings.networkNamespace().get());
            namespace = namespaceThread;
        }
        ClusterSettings cluster = ClusterSettings.read(k -> ConfigProvider.getConfig().getOptionalValue(k, String.class));
        CniSettings cni = config.cni().toSettings();
        NewPodSettings newPods = new NewPodSettings(cluster.newPods() == ClusterSettings.NewPods.FAIL_OPEN
                ? NewPodSettings.Mode.FAIL_OPEN : NewPodSettings.Mode.FAIL_CLOSED, cluster.exemptNamespaces(),
                config.cni().addTimeout(), podCidrs());
        PodAnnouncements announcements = cni.enabled() ? PodAnnouncements.persistent(cni.stateDir()) : PodAnnouncements.inMemory();
        LOG.infof("new pods: %s (exempt namespaces %s); CNI plugin endpoint %s (waiting for a pod's rules: %s);"
                        + " established connections a change denies: %s", newPods.mode(), newPods.exemptNamespaces(),
                cni.enabled() ? cni.socket() : "disabled", cni.waitForRules().isZero() ? "no" : cni.waitForRules(),
                settings.connectionRevocation());
        if (settings.source() == EnforcerSettings.Source.KUBERNETES) {
            if (newPods.podCidrs().isEmpty()) {
                // not configured: the Node's spec.podCIDRs (the informer has listed it when watch returns, so the
                // first apply already holds the whole pod range)
                nodePodCidrs = NodePodCidrs.watch(client.get(), settings.nodeName());
                newPods = newPods.withPodCidrs(nodePodCidrs.current());
                if (nodePodCidrs.current().isEmpty()) {
                    LOG.infof("node %s has no spec.podCIDRs (yet) and netfence.enforcer.pod-cidrs is not set: only pods"
                            + " the CNI plugin announces are held until known", settings.nodeName());
                }
            }
            String enforcer = System.getenv().getOrDefault("HOSTNAME", "netfence-enforcer");
            loop = KubernetesEnforcer.create(settings, client.get(), enforcer, namespace, metrics, newPods, announcements);
            if (nodePodCidrs != null) {
                nodePodCidrs.onChange(loop::podCidrs);
            }
        } else {
            loop = new EnforcerLoop(settings, new FileRuleSetSource(settings.rulesPath(), settings.nodeName()),
                    new NftablesDatapath(namespace), StatusSink.NONE, metrics, newPods, announcements);
        }
        startFlowLog(settings, config.flowLog().toSettings());
        loop.start();
        this.namespace = namespace;
        checkBridgeNetfilter();
        if (cni.enabled()) {
            endpoint = CniEndpoint.start(cni, loop, announcements);
            if (config.cni().install()) {
                // after the socket exists: the first ADD that finds netfence in the conflist finds it listening
                CniInstaller.install(config.cni().binDir(), config.cni().confDir(), cni.socket(), newPods.exemptNamespaces());
            }
        }
    }

    /**
     * Binds the flow log's NFLOG group in the node's namespace and makes the loop add its rules. A
     * group that cannot be bound (another process reads it) is an error in the log and a flow log
     * that stays off: enforcement does not wait for logging.
     */
    private void startFlowLog(EnforcerSettings settings, FlowLogSettings flowLogSettings) {
        if (!flowLogSettings.enabled()) {
            LOG.info("flow log: off (netfence.enforcer.flow-log.denied and .allowed are false)");
            return;
        }
        FlowLog log = new FlowLog(settings.nodeName(), flowLogSettings);
        try {
            flowLogReader = FlowLogReader.start(log, settings.networkNamespace());
        } catch (RuntimeException e) {
            LOG.errorf("flow log: off, %s", e.getMessage());
            return;
        }
        loop.withFlowLog(log);
        metrics.flowLog(log);
        flowLog = log;
        LOG.infof("flow log: denied %s, allowed %s, NFLOG group %d, at most %d records/s for the node, GET /flows",
                flowLogSettings.denied(), flowLogSettings.allowed(), flowLogSettings.group(), flowLogSettings.ratePerSecond());
    }

    /** The flow log, or null when it is off. */
    public FlowLog flowLog() {
        return flowLog;
    }

    void onStop(@Observes ShutdownEvent event) {
        // the kernel's table stays as it is: a stopped or restarting enforcer leaves the rules in force
        if (endpoint != null) {
            endpoint.close();
        }
        if (nodePodCidrs != null) {
            nodePodCidrs.close();
        }
        if (loop != null) {
            loop.close();
        }
        if (flowLogReader != null) {
            flowLogReader.close();
        }
        if (namespaceThread != null) {
            namespaceThread.close();
        }
    }

    private List<Cidr> podCidrs() {
        List<Cidr> out = new ArrayList<>();
        for (String c : config.podCidrs().orElse(List.of())) {
            try {
                out.add(Cidr.parse(c.trim()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("netfence.enforcer.pod-cidrs: \"" + c.trim() + "\" is not a CIDR (write the"
                        + " node's spec.podCIDRs, e.g. 10.244.1.0/24,fd00:10:244:1::/64)");
            }
        }
        return out;
    }

    /**
     * Reads br_netfilter's sysctls in the node's namespace (at start, then on every readiness check: someone may
     * load the module or change a sysctl later), logs a change and sets the metric. Same-node traffic of pods on
     * a bridge is only filtered when both are on; a routed CNI needs neither, so this never fails readiness.
     */
    public BridgeNetfilter checkBridgeNetfilter() {
        if (namespace == null) {
            return null;
        }
        BridgeNetfilter now = BridgeNetfilter.check(namespace);
        BridgeNetfilter before = bridgeNetfilter;
        if (!now.equals(before)) {
            if (now.filtersBridgedTraffic()) {
                LOG.info(now.describe());
            } else {
                LOG.warn(now.describe());
            }
            bridgeNetfilter = now;
            metrics.bridgeNetfilter(now);
        }
        return now;
    }

    public EnforcementState state() {
        return loop == null ? EnforcementState.INITIAL : loop.state();
    }

    /** Pods announced by the CNI plugin that the rule set in force does not name yet (held). */
    public int waitingPods() {
        return loop == null ? 0 : loop.waitingPods().pods().size();
    }

    /** Conntrack entries deleted by revocation since the start. */
    public long connectionsRevoked() {
        return loop == null ? 0 : loop.connectionsRevoked();
    }

    public boolean running() {
        return loop != null && loop.running();
    }
}
