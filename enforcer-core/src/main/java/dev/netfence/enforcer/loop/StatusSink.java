package dev.netfence.enforcer.loop;

/** Where the loop reports its state (the NodeRuleSet status); it must write only what changed. */
@FunctionalInterface
public interface StatusSink {
    StatusSink NONE = state -> false;

    /** @return true when something was written */
    boolean report(EnforcementState state);
}
