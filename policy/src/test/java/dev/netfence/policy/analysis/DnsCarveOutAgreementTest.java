package dev.netfence.policy.analysis;

import static dev.netfence.policy.analysis.Fixtures.cluster;
import static dev.netfence.policy.analysis.Fixtures.defaultDeny;
import static dev.netfence.policy.analysis.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.policy.compile.CompiledVerdicts;
import dev.netfence.policy.compile.RuleSetCompiler;
import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.eval.Flow;
import dev.netfence.policy.eval.PolicyEngine;
import dev.netfence.policy.model.ClusterDns;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.ContainerPort;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code allowDNS} opens exactly what the admission analysis treats as DNS: for each cluster DNS
 * configuration (the default; NodeLocal DNSCache's 169.254.20.10 next to CoreDNS; OpenShift's DNS
 * in {@code openshift-dns} on port 5353 with an extra address), the engine and the compiled
 * datapath open the DNS pods and every extra address on exactly the configured ports for a
 * DefaultDeny with {@code allowDNS: true} and nothing with {@code allowDNS: false}, and the
 * analysis reports the loss of exactly those destinations and ports for the latter, none for the
 * former.
 */
class DnsCarveOutAgreementTest {

    static final ClusterDns NODE_LOCAL = new ClusterDns("kube-system", Fixtures.KUBE_DNS, ClusterDns.DEFAULT.ports(),
            List.of(IpAddress.parse("169.254.20.10")));
    static final ClusterDns OPENSHIFT = new ClusterDns("openshift-dns",
            LabelSelector.of("dns.operator.openshift.io/daemonset-dns", "default"),
            List.of(new ClusterDns.DnsPort(Protocol.UDP, 5353), new ClusterDns.DnsPort(Protocol.TCP, 5353)),
            List.of(IpAddress.parse("169.254.20.10"), IpAddress.parse("172.30.0.10")));

    static Stream<Arguments> configurations() {
        return Stream.of(Arguments.of(Named.of("default DNS", ClusterDns.DEFAULT)),
                Arguments.of(Named.of("NodeLocal DNSCache", NODE_LOCAL)),
                Arguments.of(Named.of("OpenShift DNS on 5353", OPENSHIFT)));
    }

    static ClusterSnapshot.Builder clusterWith(ClusterDns dns) {
        return cluster().dns(dns)
                .namespace(Namespace.of("openshift-dns"))
                .pod(pod("openshift-dns", "dns-default-a", "10.0.3.10", Map.of("dns.operator.openshift.io/daemonset-dns", "default"),
                        new ContainerPort("dns", 5353, Protocol.UDP), new ContainerPort("dns-tcp", 5353, Protocol.TCP)));
    }

    /** The DNS destinations a configuration names: its pods and its extra addresses. */
    static List<Endpoint> dnsDestinations(ClusterSnapshot s) {
        List<Endpoint> out = new ArrayList<>();
        s.selectPods(s.dns().namespace(), s.dns().podSelector()).forEach(p -> out.add(Endpoint.of(p)));
        s.dns().extraIps().forEach(ip -> out.add(new Endpoint.Host(ip, null, null)));
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configurations")
    void engineAndDatapathOpenExactlyTheConfiguredDns(ClusterDns dns) {
        for (boolean allowDns : new boolean[] {true, false}) {
            ClusterSnapshot s = clusterWith(dns).defaultDeny(defaultDeny("monitoring", allowDns)).build();
            PolicyEngine engine = new PolicyEngine(s);
            CompiledVerdicts compiled = new CompiledVerdicts(RuleSetCompiler.compile(s));
            Endpoint prometheus = Endpoint.of(s.pod("monitoring", "prometheus-0").orElseThrow());
            List<Endpoint> destinations = dnsDestinations(s);
            assertThat(destinations).hasSize(dns.extraIps().size() + (dns == OPENSHIFT ? 1 : 2));
            for (Endpoint to : destinations) {
                for (Protocol protocol : List.of(Protocol.UDP, Protocol.TCP)) {
                    for (int port : new int[] {53, 5353, 443}) {
                        Flow flow = new Flow(prometheus, to, protocol, port);
                        boolean expected = allowDns && dns.isDnsPort(protocol, port);
                        assertThat(engine.allowed(flow)).as("engine, allowDNS %s: %s", allowDns, flow.describe()).isEqualTo(expected);
                        assertThat(compiled.allowed(prometheus.ip(), to.ip(), protocol, port))
                                .as("datapath, allowDNS %s: %s", allowDns, flow.describe()).isEqualTo(expected);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configurations")
    void theAnalysisJudgesTheSameDestinationsAndPorts(ClusterDns dns) {
        ClusterSnapshot before = clusterWith(dns).build();
        PolicyAnalyzer analyzer = new PolicyAnalyzer(AnalysisConfig.DEFAULT);
        DefaultDeny keeps = defaultDeny("monitoring", true);
        DefaultDeny cuts = defaultDeny("monitoring", false);

        assertThat(analyzer.review(before, Change.create(PolicyObject.of(keeps, Map.of())), List.of())).isEmpty();
        List<Finding> findings = analyzer.review(before, Change.create(PolicyObject.of(cuts, Map.of())), List.of());

        assertThat(findings).isNotEmpty().allMatch(f -> f.ruleId().equals(Rules.CRITICAL_FLOW) && "dns".equals(f.flow()));
        String messages = String.join("\n", findings.stream().map(Finding::message).toList());
        String ports = String.join(", ", dns.ports().stream().map(p -> p.protocol() + "/" + p.port()).toList());
        assertThat(messages).contains("monitoring/prometheus-0 loses critical flow dns (" + ports + ")");
        for (Endpoint to : dnsDestinations(before)) {
            assertThat(messages).as("every DNS destination is judged").contains(to.ip().toString());
        }
        // what is not DNS in this configuration is not judged as DNS
        if (dns == OPENSHIFT) {
            assertThat(messages).doesNotContain("10.0.0.10").doesNotContain("UDP/53,").doesNotContain("TCP/53)");
        } else {
            assertThat(messages).doesNotContain("10.0.3.10").doesNotContain("5353");
        }
    }
}
