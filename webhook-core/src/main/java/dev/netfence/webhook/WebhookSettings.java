package dev.netfence.webhook;

import dev.netfence.policy.analysis.AnalysisConfig;
import dev.netfence.policy.model.ClusterDns;
import java.time.Duration;
import java.util.Set;

/**
 * What the webhook core needs, in one record. The Quarkus application maps its configuration onto
 * this (defaults in {@code WebhookConfig}, the same as {@link #DEFAULT}); the demo and tests use {@link #DEFAULT}.
 *
 * @param analysis              which flows are critical and what cutting them costs; {@code checkDns} false
 *                              switches the built-in DNS flow off (the only way to: a CriticalFlow named
 *                              {@code dns} extends it, it never replaces it)
 * @param dns                   the cluster DNS (from the shared cluster settings)
 * @param allowCutGroups        groups (AdmissionReview {@code userInfo.groups}) whose members' {@code
 *                              netfence.dev/allow-cut} annotation is honoured; empty: nobody's
 * @param limits                request size, rule counts and concurrency
 */
public record WebhookSettings(AnalysisConfig analysis, ClusterDns dns, Set<String> allowCutGroups, Limits limits) {

    /**
     * @param maxRequestBytes       larger AdmissionReviews are refused before they are parsed (an UPDATE
     *                              carries two objects of at most ~1.5 MiB each, etcd's limit)
     * @param maxRules              ingress plus egress rules of one object
     * @param maxRuleEntries        peers, ports and selector terms of one object's spec
     * @param maxConcurrentAnalyses analyses (object parsing included) running at once; more wait
     * @param queueTimeout          how long a request waits for an analysis slot before a "busy" answer
     */
    public record Limits(long maxRequestBytes, int maxRules, int maxRuleEntries, int maxConcurrentAnalyses,
                         Duration queueTimeout) {

        public static final Limits DEFAULT = new Limits(3L * 1024 * 1024, 1_000, 10_000, 2, Duration.ofSeconds(2));
    }

    public WebhookSettings {
        allowCutGroups = Set.copyOf(allowCutGroups);
    }

    public static final WebhookSettings DEFAULT = new WebhookSettings(AnalysisConfig.DEFAULT, ClusterDns.DEFAULT, Set.of(),
            Limits.DEFAULT);

    public WebhookSettings withAllowCutGroups(Set<String> groups) {
        return new WebhookSettings(analysis, dns, groups, limits);
    }

    public WebhookSettings withLimits(Limits l) {
        return new WebhookSettings(analysis, dns, allowCutGroups, l);
    }
}
