package dev.netfence.enforcer.cni;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netfence.enforcer.loop.NewPodSettings;
import dev.netfence.policy.net.Cidr;
import dev.netfence.policy.net.IpAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.LongFunction;
import org.jboss.logging.Logger;

/**
 * The CNI plugin {@code netfence}'s decisions (CNI specification 1.0, as a chained plugin placed
 * after the plugin that creates the interface and assigns the addresses, e.g. {@code ptp} or
 * {@code bridge} with {@code host-local}).
 *
 * <ul>
 *   <li>{@code ADD}: reads the pod's addresses and interface from {@code prevResult}, records the
 *       pod, and answers {@code prevResult} unchanged once the kernel's table holds the pod under the
 *       fail-closed rule (or the NodeRuleSet in force names it). Pods of exempt namespaces, and
 *       every pod in fail-open mode, are answered at once. No rule set applied within the ADD timeout:
 *       error 11 (try again later), so the runtime deletes the sandbox and the kubelet retries. With
 *       {@link CniSettings#waitForRules()} it then waits, bounded, for a rule set naming the pod (its
 *       real rules) before it answers.</li>
 *   <li>{@code DEL}: forgets the container; succeeds for a container it never saw ("Plugins should
 *       generally complete a DEL action without error even if some resources are missing").</li>
 *   <li>{@code CHECK}: error 3 unless the container was added with the addresses in {@code prevResult}.</li>
 *   <li>{@code VERSION}: the versions whose result format it passes through (0.3.0 to 1.0.0).</li>
 * </ul>
 * Any malformed input gets the spec's error object naming what is wrong, and a non-zero exit.
 */
public final class CniRequestHandler {
    private static final Logger LOG = Logger.getLogger(CniRequestHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final List<String> SUPPORTED_VERSIONS = List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0");
    private static final Set<String> COMMANDS = Set.of("ADD", "DEL", "CHECK", "VERSION");

    private final NewPodSettings settings;
    private final PodAnnouncements announcements;
    private final LongFunction<CompletableFuture<Void>> applied;
    private final Duration waitForRules;
    private final Function<PodAnnouncement, CompletableFuture<Void>> named;

    /**
     * @param applied given an announcements version, completes once the kernel's table includes it
     *                ({@link dev.netfence.enforcer.loop.EnforcerLoop#appliedIncluding})
     */
    public CniRequestHandler(NewPodSettings settings, PodAnnouncements announcements,
                             LongFunction<CompletableFuture<Void>> applied) {
        this(settings, announcements, applied, Duration.ZERO, p -> CompletableFuture.completedFuture(null));
    }

    /**
     * @param waitForRules how long an ADD then waits for {@code named} ({@link CniSettings#waitForRules()}; zero: not)
     * @param named        given a pod, completes once a rule set naming it is in the kernel
     *                     ({@link dev.netfence.enforcer.loop.EnforcerLoop#named})
     */
    public CniRequestHandler(NewPodSettings settings, PodAnnouncements announcements,
                             LongFunction<CompletableFuture<Void>> applied, Duration waitForRules,
                             Function<PodAnnouncement, CompletableFuture<Void>> named) {
        this.settings = settings;
        this.announcements = announcements;
        this.applied = applied;
        this.waitForRules = waitForRules;
        this.named = named;
    }

    public CniResponse handle(CniRequest request) {
        String command = request.command();
        if (command == null || !COMMANDS.contains(command)) {
            return CniResponse.error("1.0.0", CniResponse.INVALID_ENVIRONMENT, "CNI_COMMAND must be ADD, DEL, CHECK or VERSION",
                    command == null ? "CNI_COMMAND is not set" : "CNI_COMMAND is '" + command + "'");
        }
        if (command.equals("VERSION")) {
            return CniResponse.ok(version());
        }
        String containerId = request.get("CNI_CONTAINERID");
        if (command.equals("DEL") && PodAnnouncements.validContainerId(containerId)) {
            // first, whatever the configuration says: a pod must always be deletable
            if (announcements.remove(containerId)) {
                LOG.debugf("CNI DEL %s", containerId);
            }
        }
        JsonNode config;
        try {
            config = JSON.readTree(request.config());
        } catch (java.io.IOException e) {
            return CniResponse.error("1.0.0", CniResponse.DECODING_FAILURE,
                    "the network configuration on stdin is not JSON", firstLine(e));
        }
        if (config == null || !config.isObject()) {
            return CniResponse.error("1.0.0", CniResponse.DECODING_FAILURE,
                    "the network configuration on stdin is not a JSON object", null);
        }
        String version = text(config, "cniVersion");
        if (version == null) {
            return CniResponse.error("1.0.0", CniResponse.INVALID_CONFIG, "the network configuration has no cniVersion",
                    "set \"cniVersion\": \"1.0.0\" in the conflist");
        }
        if (!SUPPORTED_VERSIONS.contains(version)) {
            return CniResponse.error(version, CniResponse.INCOMPATIBLE_VERSION, "netfence does not support cniVersion " + version,
                    "supported: " + String.join(", ", SUPPORTED_VERSIONS));
        }
        for (String field : List.of("name", "type")) {
            if (text(config, field) == null) {
                return CniResponse.error(version, CniResponse.INVALID_CONFIG, "the network configuration has no " + field
                        + " (a string)", null);
            }
        }
        if (command.equals("DEL")) {
            return CniResponse.ok("");
        }
        if (!PodAnnouncements.validContainerId(containerId)) {
            return CniResponse.error(version, CniResponse.INVALID_ENVIRONMENT,
                    "CNI_CONTAINERID must be letters, digits, '_', '.' or '-'", containerId == null ? "not set" : null);
        }
        for (String name : List.of("CNI_NETNS", "CNI_IFNAME")) {
            if (request.get(name) == null) {
                return CniResponse.error(version, CniResponse.INVALID_ENVIRONMENT, name + " is not set", null);
            }
        }
        JsonNode prev = config.get("prevResult");
        if (prev == null || !prev.isObject()) {
            return CniResponse.error(version, CniResponse.INVALID_CONFIG,
                    "netfence is a chained plugin and got no prevResult",
                    "put it after the plugin that creates the pod's interface (e.g. ptp or bridge) in the conflist's plugins list");
        }
        List<String> ips;
        String ifName;
        try {
            ips = addresses(prev);
            ifName = interfaceName(prev, request.get("CNI_IFNAME"));
        } catch (IllegalArgumentException e) {
            return CniResponse.error(version, CniResponse.INVALID_CONFIG, "prevResult is not a CNI result", e.getMessage());
        }
        Map<String, String> args = cniArgs(request.get("CNI_ARGS"));
        if (command.equals("CHECK")) {
            return check(version, containerId, ips);
        }
        PodAnnouncement pod = new PodAnnouncement(containerId, args.get("K8S_POD_NAMESPACE"), args.get("K8S_POD_NAME"),
                ifName, ips);
        return add(version, pod, (ObjectNode) prev);
    }

    private CniResponse add(String version, PodAnnouncement pod, ObjectNode prev) {
        long v;
        try {
            v = announcements.put(pod);
        } catch (RuntimeException e) {
            return CniResponse.error(version, CniResponse.IO_FAILURE, "netfence cannot record the pod", e.getMessage());
        }
        if (settings.failClosed() && !settings.exempt(pod.namespace()) && !pod.ips().isEmpty()) {
            try {
                applied.apply(v).get(settings.addTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                return CniResponse.error(version, CniResponse.TRY_AGAIN_LATER,
                        "netfence could not hold the new pod under its fail-closed rule within " + settings.addTimeout(),
                        "no rule set is applied on this node yet (is the operator running? kubectl get noderulesets),"
                                + " or the kernel refuses it (the enforcer's log and NodeRuleSet status say why)");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return CniResponse.error(version, CniResponse.TRY_AGAIN_LATER, "the netfence enforcer is stopping", null);
            } catch (ExecutionException e) {
                return CniResponse.error(version, CniResponse.TRY_AGAIN_LATER, "netfence could not apply the fail-closed rule",
                        e.getCause() == null ? null : e.getCause().getMessage());
            }
        }
        if (!waitForRules.isZero() && !settings.exempt(pod.namespace()) && !pod.ips().isEmpty()) {
            waitForRules(pod);
        }
        LOG.debugf("CNI ADD %s", pod.describe());
        ObjectNode out = JSON.createObjectNode();
        out.put("cniVersion", version);
        for (Iterator<Map.Entry<String, JsonNode>> it = prev.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().equals("cniVersion")) {
                out.set(e.getKey(), e.getValue());
            }
        }
        return CniResponse.ok(out.toString() + "\n");
    }

    /**
     * Waits, bounded, until the pod's own rules are applied. Not getting them in time is no error: the
     * pod is held (fail-closed) or, fail-open, passes, exactly as without the wait; failing the ADD
     * would turn a slow operator into sandboxes failing and being retried on every node.
     */
    private void waitForRules(PodAnnouncement pod) {
        try {
            named.apply(pod).get(waitForRules.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warnf("CNI ADD %s: the NodeRuleSet in force does not name the pod after %s"
                    + " (netfence.enforcer.cni.wait-for-rules); it starts held until its rules arrive", pod.describe(),
                    waitForRules);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.warnf("CNI ADD %s: waiting for the pod's rules failed: %s", pod.describe(), e.getCause());
        }
    }

    private CniResponse check(String version, String containerId, List<String> ips) {
        return announcements.get(containerId)
                .filter(a -> Set.copyOf(a.ips()).equals(Set.copyOf(ips)))
                .map(a -> CniResponse.ok(""))
                .orElseGet(() -> CniResponse.error(version, CniResponse.UNKNOWN_CONTAINER,
                        "netfence has no pod " + containerId + " with the addresses " + ips,
                        "the pod was not added through netfence on this node, or its addresses changed"));
    }

    private static String version() {
        ObjectNode v = JSON.createObjectNode();
        v.put("cniVersion", "1.0.0");
        SUPPORTED_VERSIONS.forEach(v.putArray("supportedVersions")::add);
        return v.toString() + "\n";
    }

    /** {@code prevResult.ips[].address} ("10.244.1.5/24"), as canonical addresses. */
    static List<String> addresses(JsonNode prev) {
        List<String> out = new ArrayList<>();
        JsonNode ips = prev.get("ips");
        if (ips == null || ips.isNull()) {
            return out;
        }
        if (!ips.isArray()) {
            throw new IllegalArgumentException("prevResult.ips is not a list");
        }
        for (int i = 0; i < ips.size(); i++) {
            String a = text(ips.get(i), "address");
            if (a == null) {
                throw new IllegalArgumentException("prevResult.ips[" + i + "].address is missing");
            }
            try {
                int slash = a.indexOf('/');
                Cidr.parse(a); // the prefix length is valid
                out.add(IpAddress.parse(a.substring(0, slash)).toString());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("prevResult.ips[" + i + "].address '" + a
                        + "' is not an address with a prefix length (like 10.244.1.5/24)");
            }
        }
        return out;
    }

    /** The interface {@code ips[0].interface} points at, else {@code CNI_IFNAME}. */
    private static String interfaceName(JsonNode prev, String ifName) {
        JsonNode ifs = prev.get("interfaces");
        JsonNode ips = prev.get("ips");
        if (ifs != null && ifs.isArray() && ips != null && ips.isArray() && !ips.isEmpty()) {
            JsonNode idx = ips.get(0).get("interface");
            if (idx != null && idx.canConvertToInt() && idx.asInt() >= 0 && idx.asInt() < ifs.size()) {
                String name = text(ifs.get(idx.asInt()), "name");
                if (name != null) {
                    return name;
                }
            }
        }
        return ifName;
    }

    /** {@code CNI_ARGS}: "K8S_POD_NAMESPACE=shop;K8S_POD_NAME=api-0;IgnoreUnknown=1". */
    static Map<String, String> cniArgs(String value) {
        Map<String, String> out = new LinkedHashMap<>();
        if (value == null) {
            return out;
        }
        for (String kv : value.split(";")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                out.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return out;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v != null && v.isTextual() && !v.asText().isEmpty() ? v.asText() : null;
    }

    private static String firstLine(java.io.IOException e) {
        String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        return m == null ? null : m.lines().findFirst().orElse(m);
    }
}
