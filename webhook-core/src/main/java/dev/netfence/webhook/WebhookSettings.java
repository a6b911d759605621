package dev.netfence.webhook;

import dev.netfence.policy.analysis.AnalysisConfig;
import dev.netfence.policy.model.ClusterDns;

/**
 * What the webhook core needs to decide, in one record: the analysis settings (which flows are
 * critical, what cutting them costs) and the cluster DNS the built-in DNS flow is built from.
 * The Quarkus application maps its configuration onto this; the demo and tests use {@link #DEFAULT}.
 */
public record WebhookSettings(AnalysisConfig analysis, ClusterDns dns) {

    public static final WebhookSettings DEFAULT = new WebhookSettings(AnalysisConfig.DEFAULT, ClusterDns.DEFAULT);
}
