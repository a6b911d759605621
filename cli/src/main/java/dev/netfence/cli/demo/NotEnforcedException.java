package dev.netfence.cli.demo;

/** The nodes did not report the expected rule set in time: the demo says which node lags and why, and fails. */
final class NotEnforcedException extends RuntimeException {
    NotEnforcedException(String message) {
        super(message);
    }
}
