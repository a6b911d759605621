package dev.netfence.enforcer.revoke;

/**
 * What the enforcer does with established connections when a rule set change removes their allow
 * ({@code netfence.enforcer.connection-revocation}).
 *
 * <ul>
 *   <li>{@link #REVOKE} (default): the conntrack entries of the connections the new rules deny are
 *       deleted, so their next packet meets the rules as a new flow and is dropped. A removed allow
 *       is most often a response (a compromised workload, a leaked credential, a peer that must no
 *       longer reach a database); a long-lived connection that survives it for hours defeats the
 *       change. Cilium cuts them too; Calico, Antrea and kube-router keep them.</li>
 *   <li>{@link #KEEP}: established connections keep flowing until they close (the kernel's
 *       {@code ct state established accept} lets them through); only new connections meet the new
 *       rules.</li>
 * </ul>
 * Kubernetes leaves it open: the NetworkPolicy documentation says only that the policy applies to
 * connections, and implementations differ.
 */
public enum ConnectionRevocation {
    KEEP, REVOKE;

    public static final ConnectionRevocation DEFAULT = REVOKE;
}
