package dev.netfence.cli.common;

/** {@code -o text|json}. */
public enum OutputFormat {
    text, json
}
