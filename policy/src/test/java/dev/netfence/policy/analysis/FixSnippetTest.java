package dev.netfence.policy.analysis;

import static dev.netfence.policy.analysis.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Peer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The YAML people paste: exact text. */
class FixSnippetTest {

    final PolicyAnalyzer analyzer = new PolicyAnalyzer(AnalysisConfig.DEFAULT);

    @Test
    void egressRuleToAddForDns() {
        NetworkPolicy np = policy("shop", "web-egress", LabelSelector.of("app", "web"), types("Egress"),
                egress(rule(List.of(Peer.pods(LabelSelector.of("app", "db"))))));
        Finding f = analyzer.review(cluster().build(), Change.create(PolicyObject.of(np)), List.of()).get(0);
        assertThat(f.fix()).isEqualTo("""
                # append this rule to the policy's spec.egress list, keeping the rules it has
                spec:
                  egress:
                  - to:
                    - namespaceSelector:
                        matchLabels:
                          kubernetes.io/metadata.name: kube-system
                      podSelector:
                        matchLabels:
                          k8s-app: kube-dns
                    ports:
                    - protocol: UDP
                      port: 53
                    - protocol: TCP
                      port: 53
                """);
    }

    @Test
    void defaultDenyWithoutDnsIsFixedByAllowDns() {
        Finding f = analyzer.review(cluster().build(),
                Change.create(PolicyObject.of(defaultDeny("shop", false), Map.of())), List.of()).get(0);
        assertThat(f.fix()).isEqualTo("spec:\n  allowDNS: true\n");
    }

    @Test
    void deleteIsFixedByAPolicyOfItsOwn() {
        NetworkPolicy allowDns = policy("shop", "allow-dns", LabelSelector.ALL, types("Egress"), egress(dnsRule(
                dev.netfence.policy.model.Protocol.UDP)));
        NetworkPolicy lockdown = policy("shop", "lockdown", LabelSelector.ALL, types("Egress"));
        Finding f = analyzer.review(cluster().policy(allowDns).policy(lockdown).build(),
                Change.delete(PolicyObject.of(allowDns)), List.of()).get(0);
        assertThat(f.severity()).isEqualTo(Severity.ERROR);
        assertThat(f.fix()).isEqualTo("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: allow-dns-egress
                  namespace: shop
                spec:
                  podSelector: {}
                  policyTypes:
                  - Egress
                  egress:
                  - to:
                    - namespaceSelector:
                        matchLabels:
                          kubernetes.io/metadata.name: kube-system
                      podSelector:
                        matchLabels:
                          k8s-app: kube-dns
                    ports:
                    - protocol: UDP
                      port: 53
                """);
    }
}
