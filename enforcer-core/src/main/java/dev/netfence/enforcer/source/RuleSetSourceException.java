package dev.netfence.enforcer.source;

/** A published rule set cannot be used; the message names the object, the field and the fix. */
public class RuleSetSourceException extends RuntimeException {
    public RuleSetSourceException(String message) {
        super(message);
    }

    public RuleSetSourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
