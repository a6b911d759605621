package dev.netfence.cluster;

/**
 * A cluster setting that cannot be used. The message names the key (and its environment
 * variable), the value and how to write it; it is meant to be printed as is at start-up.
 */
public final class ClusterSettingsException extends IllegalArgumentException {
    private final String key;

    public ClusterSettingsException(String key, String value, String problem) {
        super(key + " (env " + ClusterSettings.environmentName(key) + "): \"" + value + "\" " + problem);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
