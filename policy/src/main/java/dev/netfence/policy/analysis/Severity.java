package dev.netfence.policy.analysis;

/** How bad a finding is. An error refuses a change at admission and fails lint at either threshold. */
public enum Severity {
    ERROR, WARNING;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** True when this severity reaches {@code threshold} (an error reaches "warning" too). */
    public boolean reaches(Severity threshold) {
        return compareTo(threshold) <= 0;
    }
}
