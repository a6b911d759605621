package dev.netfence.policy.model;

import java.util.Locale;

/** The L4 protocols a NetworkPolicy port can name. The API default is TCP. */
public enum Protocol {
    TCP, UDP, SCTP;

    /** Parses the API spelling; {@code null} means the API default, TCP. */
    public static Protocol parse(String value) {
        if (value == null || value.isEmpty()) {
            return TCP;
        }
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unsupported protocol \"" + value + "\": use TCP, UDP or SCTP");
        }
    }
}
