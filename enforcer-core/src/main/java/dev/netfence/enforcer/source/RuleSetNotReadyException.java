package dev.netfence.enforcer.source;

/**
 * The rule set is not complete yet (an informer has not synced, an AddressSet it names has not been
 * written or only some of its parts): a wait, not an error. The loop keeps the rules in force, logs
 * nothing above DEBUG, writes no status error, and tries again on the next event.
 */
public final class RuleSetNotReadyException extends RuleSetSourceException {
    public RuleSetNotReadyException(String message) {
        super(message);
    }
}
