package dev.netfence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.cli.Netfence.Result;
import org.junit.jupiter.api.Test;

/**
 * Services, as NetworkPolicy sees them: not at all. A flow to a ClusterIP is rewritten by kube-proxy
 * to an endpoint before it is filtered (the issue: {@code explain --to 10.96.0.10} suggested an
 * ipBlock for the ClusterIP, which does nothing).
 */
class ServicesTest {

    static final String CLUSTER = "src/test/resources/services";

    @Test
    void explainToAServiceJudgesTheFlowToEachEndpointOnItsTargetPort() {
        Result r = Netfence.run("explain", "-f", CLUSTER, "--from", "shop/web", "--to", "svc/shop/api", "--port", "80");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("""
                Service shop/api port TCP/80: kube-proxy rewrites the destination to one of its 2 endpoints before \
                NetworkPolicy sees the packet, so each is judged on its own:
                  pod shop/api-1 (10.244.1.21) port 8080 (selected by the Service's selector app=api)
                  pod shop/api-2 (10.244.2.22) port 8080 (selected by the Service's selector app=api)

                Endpoint 1/2:
                ALLOWED: pod shop/web (10.244.1.10) -> pod shop/api-1 (10.244.1.21) on TCP/8080
                """).contains("Endpoint 2/2:\nALLOWED: pod shop/web (10.244.1.10) -> pod shop/api-2 (10.244.2.22) on TCP/8080\n");
    }

    @Test
    void aClusterIpIsExplainedThroughItsEndpointSliceAndNeverFixedWithAnIpBlockForIt() {
        Result r = Netfence.run("explain", "-f", CLUSTER, "--from", "shop/web", "--to", "10.96.0.10", "--port", "53",
                "--protocol", "UDP");
        assertThat(r.exitCode()).isZero();
        assertThat(r.err()).isEqualTo("note: 10.96.0.10 is the ClusterIP of Service kube-system/kube-dns: NetworkPolicy sees a "
                + "flow to it after kube-proxy's DNAT, addressed to an endpoint (the same as --to svc/kube-system/kube-dns)\n");
        assertThat(r.out()).contains("pod kube-system/coredns-1 (10.244.0.53) port 53 (EndpointSlice kube-system/kube-dns-abcde)")
                .contains("DENIED: pod shop/web (10.244.1.10) -> pod kube-system/coredns-1 (10.244.0.53) on UDP/53")
                .doesNotContain("cidr: 10.96.0.10/32\n        ports")
                .contains("            kubernetes.io/metadata.name: kube-system\n          podSelector:\n            matchLabels:\n"
                        + "              k8s-app: kube-dns\n");
    }

    @Test
    void aPortTheServiceDoesNotHaveIsAUserError() {
        Result r = Netfence.run("explain", "-f", CLUSTER, "--from", "shop/web", "--to", "svc/shop/api", "--port", "8080");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: Service shop/api has no port TCP/8080; its ports: TCP/80 (web)\n");
        assertThat(Netfence.run("explain", "-f", CLUSTER, "--from", "shop/web", "--to", "svc/shop/nope", "--port", "80").err())
                .isEqualTo("error: --to svc/shop/nope: no Service \"nope\" in namespace \"shop\" in the input; Services in shop: api\n");
    }

    @Test
    void lintFlagsAnIpBlockHoldingAClusterIpAndProposesTheServicesPods() {
        Result r = Netfence.run("lint", "-f", CLUSTER);
        assertThat(r.out()).contains(CLUSTER + "/cluster.yaml:160: warning ipblock-covers-service-ip NetworkPolicy shop/web-egress "
                + "spec.egress[1].to[0].ipBlock.cidr: ipBlock 10.96.0.10/32 covers 10.96.0.10, the ClusterIP of Service "
                + "kube-system/kube-dns: NetworkPolicy sees traffic after kube-proxy's DNAT, addressed to the Service's "
                + "endpoints, so this peer never matches traffic sent to the Service; select its pods instead\n"
                + "  fix:\n    - namespaceSelector:\n        matchLabels:\n          kubernetes.io/metadata.name: kube-system\n"
                + "      podSelector:\n        matchLabels:\n          k8s-app: kube-dns\n");
    }

    @Test
    void lintFlagsAnIpBlockOverlappingTheServiceCidr() {
        Result r = Netfence.run("lint", "-f", CLUSTER, "--service-cidr", "10.96.0.0/12", "--format", "json");
        assertThat(r.out()).contains("\"ruleId\" : \"ipblock-covers-service-ip\"");
        Result bad = Netfence.run("lint", "-f", CLUSTER, "--service-cidr", "10.96.0.0");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).isEqualTo("netfence lint: --service-cidr 10.96.0.0: not a CIDR (write e.g. 10.96.0.0/12)\n");
    }
}
