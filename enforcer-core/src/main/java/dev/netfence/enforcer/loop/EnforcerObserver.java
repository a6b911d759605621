package dev.netfence.enforcer.loop;

import dev.netfence.enforcer.revoke.ConnectionRevoker;
import dev.netfence.enforcer.nft.ApplyResult;
import dev.netfence.enforcer.nft.RuleCounters;
import java.util.Map;

/** What the loop tells the outside (the app's metrics); every method has a do-nothing default. */
public interface EnforcerObserver {
    EnforcerObserver NONE = new EnforcerObserver() {
    };

    /** An apply changed the kernel's table. */
    default void applied(ApplyResult result) {
    }

    /** An apply or a read of the source failed; the last good rules stay. */
    default void failed() {
    }

    /**
     * How many pods announced by the CNI plugin the rule set in force does not name yet (held by the
     * fail-closed rule): above zero for longer than a compile means the operator is behind or down.
     */
    default void waitingPods(int count) {
    }

    /** Connections a rule set change no longer allows were checked and the denied ones deleted (revocation). */
    default void revoked(ConnectionRevoker.Result result) {
    }

    /** The latest values of the rules' counters, by rule comment. */
    default void counters(Map<String, RuleCounters.Count> latest) {
    }
}
