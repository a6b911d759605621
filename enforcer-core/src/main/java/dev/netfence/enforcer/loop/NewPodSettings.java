package dev.netfence.enforcer.loop;

import dev.netfence.policy.net.Cidr;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the enforcer does with a pod it does not know yet: one announced by the CNI plugin but not
 * named by the NodeRuleSet in force (the operator has not compiled it yet, or is down).
 *
 * <ul>
 *   <li>{@link Mode#FAIL_CLOSED} (default): its traffic is dropped in both directions until the
 *       NodeRuleSet names it, and the CNI ADD returns only once that rule is in the kernel. Kubernetes
 *       documents that a pod selected by a policy is isolated before it starts, and allows the
 *       allow rules to arrive later; Netfence cannot know whether a pod it has not compiled is
 *       selected, so it treats it as selected by a policy that allows nothing yet.</li>
 *   <li>{@link Mode#FAIL_OPEN}: its traffic passes until its rules arrive (the window Netfence had
 *       before; kube-router and kube-network-policies behave so).</li>
 * </ul>
 * Pods of {@code exemptNamespaces} are never held (DNS and Netfence's own pods must start on a
 * cluster whose operator is not running yet). Traffic between the node and its pods (kubelet probes)
 * never crosses the forward hook and is never held.
 *
 * @param addTimeout how long a CNI ADD waits for the rule to be applied before it fails with
 *                   "try again later" (the kubelet retries the sandbox)
 * @param podCidrs   the node's pod CIDRs ({@code spec.podCIDRs} of its Node; empty: none). In fail-closed
 *                   mode an address of these that no pod of the NodeRuleSet has and no exempt pod was
 *                   announced with is dropped too: this closes the moment between the interface plugin
 *                   (ptp, bridge) giving the pod its address and the netfence plugin announcing it, and
 *                   holds pods started before the plugin was installed
 */
public record NewPodSettings(Mode mode, List<String> exemptNamespaces, Duration addTimeout, List<Cidr> podCidrs) {
    public enum Mode { FAIL_CLOSED, FAIL_OPEN }

    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    public static final List<String> DEFAULT_EXEMPT_NAMESPACES = List.of("kube-system", "netfence-system");
    public static final Duration DEFAULT_ADD_TIMEOUT = Duration.ofSeconds(10);
    public static final NewPodSettings DEFAULTS = new NewPodSettings(Mode.FAIL_CLOSED, DEFAULT_EXEMPT_NAMESPACES,
            DEFAULT_ADD_TIMEOUT, List.of());

    public NewPodSettings {
        Objects.requireNonNull(mode, "mode");
        exemptNamespaces = List.copyOf(exemptNamespaces);
        podCidrs = podCidrs == null ? List.of() : List.copyOf(podCidrs);
        for (String ns : exemptNamespaces) {
            if (!NAMESPACE.matcher(ns).matches()) {
                throw new IllegalArgumentException("exempt namespace '" + ns + "' is not a namespace name");
            }
        }
        if (addTimeout == null || addTimeout.isNegative() || addTimeout.isZero()) {
            throw new IllegalArgumentException("netfence.enforcer.cni.add-timeout must be a positive duration (e.g. 10s), not "
                    + addTimeout);
        }
    }

    /** Without pod CIDRs. */
    public NewPodSettings(Mode mode, List<String> exemptNamespaces, Duration addTimeout) {
        this(mode, exemptNamespaces, addTimeout, List.of());
    }

    public boolean failClosed() {
        return mode == Mode.FAIL_CLOSED;
    }

    public boolean exempt(String namespace) {
        return namespace != null && exemptNamespaces.contains(namespace);
    }

    public NewPodSettings withMode(Mode m) {
        return new NewPodSettings(m, exemptNamespaces, addTimeout, podCidrs);
    }

    public NewPodSettings withPodCidrs(List<Cidr> cidrs) {
        return new NewPodSettings(mode, exemptNamespaces, addTimeout, cidrs);
    }
}
