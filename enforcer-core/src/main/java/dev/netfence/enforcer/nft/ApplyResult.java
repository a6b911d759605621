package dev.netfence.enforcer.nft;

import java.time.Duration;

/** What one apply did: replaced the table, sent element changes, or nothing (same content). */
public record ApplyResult(Kind kind, Duration duration, int rules, int elements) {
    public enum Kind { FULL, DELTA, UNCHANGED }
}
