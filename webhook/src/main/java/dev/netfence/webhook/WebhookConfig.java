package dev.netfence.webhook;

import dev.netfence.cluster.ClusterSettings;
import dev.netfence.policy.analysis.AnalysisConfig;
import dev.netfence.policy.analysis.Severity;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The webhook's own settings ({@code netfence.webhook.*}), defaults in one place (the same as
 * {@link WebhookSettings#DEFAULT}). Where the cluster DNS is and the pod CIDRs are not here: every
 * component reads them from the shared cluster settings ({@code netfence.cluster.*},
 * {@link ClusterSettings}), so the webhook protects exactly the DNS the operator opens.
 */
@ConfigMapping(prefix = "netfence.webhook")
public interface WebhookConfig {

    Dns dns();

    Model model();

    /** Groups (AdmissionReview userInfo.groups) whose netfence.dev/allow-cut annotation is honoured; none by default. */
    Optional<Set<String>> allowCutGroups();

    Limits limits();

    interface Dns {
        /**
         * Check the built-in DNS critical flow. A CriticalFlow named dns extends it, never replaces
         * it: switching it off takes this setting, in the webhook's Deployment (reviewed like any change to it).
         */
        @WithDefault("true")
        boolean check();

        @WithDefault("error")
        String udpCut();

        @WithDefault("warning")
        String tcpCut();
    }

    interface Model {
        /**
         * At most one new cluster view per interval: a stream of pod updates costs one snapshot per
         * interval, built off the request threads. A view lags the informers by at most this plus one build.
         */
        @WithDefault("100ms")
        Duration refreshInterval();
    }

    interface Limits {
        /** Larger AdmissionReviews are refused unread (an UPDATE carries two objects of at most ~1.5 MiB each). */
        @WithDefault("3145728")
        long maxRequestBytes();

        /** Ingress plus egress rules of one object. */
        @WithDefault("1000")
        int maxRules();

        /** Peers, ports and selector terms (matchLabels entries, matchExpressions values) of one object's spec. */
        @WithDefault("10000")
        int maxRuleEntries();

        /** Analyses (object parsing included) at once; a request waits at most queue-timeout for a slot. */
        @WithDefault("2")
        int maxConcurrentAnalyses();

        @WithDefault("2s")
        Duration queueTimeout();
    }

    /** The core's settings, validated: a bad value fails the start with the key and how to fix it. */
    default WebhookSettings settings(ClusterSettings cluster) {
        AnalysisConfig analysis = new AnalysisConfig(dns().check(), severity("udp-cut", dns().udpCut()),
                severity("tcp-cut", dns().tcpCut()), cluster.podNetworks());
        Limits l = limits();
        return new WebhookSettings(analysis, cluster.dns(), allowCutGroups().orElse(Set.of()),
                new WebhookSettings.Limits(l.maxRequestBytes(), l.maxRules(), l.maxRuleEntries(), l.maxConcurrentAnalyses(),
                        l.queueTimeout()));
    }

    private static Severity severity(String key, String v) {
        try {
            return Severity.valueOf(v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("netfence.webhook.dns." + key + ": \"" + v + "\" is not error or warning");
        }
    }
}
