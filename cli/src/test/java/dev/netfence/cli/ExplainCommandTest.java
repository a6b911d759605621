package dev.netfence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.cli.Netfence.Result;
import org.junit.jupiter.api.Test;

/** {@code netfence explain} on the samples: the verdict and the reasons a person debugging a connection needs. */
class ExplainCommandTest {

    static final String SAMPLES = "../samples";

    @Test
    void allowedFlowNamesTheRuleThePeerAndThePort() {
        Result r = Netfence.run("explain", "-f", SAMPLES, "--from", "shop/web", "--to", "shop/api", "--port", "80");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("""
                ALLOWED: pod shop/web (10.244.1.10) -> pod shop/api (10.244.2.20) on TCP/80
                Both sides allow it: egress at the source shop/web and ingress at the destination shop/api.

                Egress from shop/web: allowed
                  no NetworkPolicy or DefaultDeny selects shop/web for Egress, so all its outgoing traffic is allowed

                Ingress to shop/api: allowed
                  isolated by: NetworkPolicy shop/api-egress, NetworkPolicy shop/api-ingress
                  allowed by:
                  - NetworkPolicy shop/api-ingress spec.ingress[0].from[0]+ports[0]: from[0] pods with app=web in namespace shop; ports[0] TCP/http (port 80 on shop/api)
                """);
        assertThat(r.err()).isEmpty();
    }

    @Test
    void deniedOnBothSidesSaysWhatEachRuleMissesAndHowToAllowIt() {
        Result r = Netfence.run("explain", "-f", SAMPLES, "--from", "payments/gateway", "--to", "shop/api", "--port", "80");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("""
                DENIED: pod payments/gateway (10.244.1.30) -> pod shop/api (10.244.2.20) on TCP/80
                Denied by both egress at the source payments/gateway and ingress at the destination shop/api (a flow needs both sides to allow it).

                Egress from payments/gateway: DENIED
                  isolated by: NetworkPolicy payments/gateway, DefaultDeny payments/lockdown
                  no rule allows this flow:
                  - NetworkPolicy payments/gateway spec.egress[0]: the destination shop/api is not among its peers (to[0] pods with app=db in namespace payments: shop/api is in namespace shop, not payments (a podSelector without namespaceSelector only selects pods of the policy's namespace)); and TCP/80 is not among its ports (TCP/5432)
                  - NetworkPolicy payments/gateway spec.egress[1]: the destination shop/api is not among its peers (to[0] addresses in 203.0.113.0/24 except 203.0.113.128/25: 10.244.2.20 is outside 203.0.113.0/24); and TCP/80 is not among its ports (TCP/443)
                  - DefaultDeny payments/lockdown spec: isolates every pod of namespace payments for Egress; its exceptions do not cover this flow: allowDNS only opens UDP/53 and TCP/53 to kube-system pods with k8s-app=kube-dns; allowSameNamespace is false
                  To allow it, append this rule to the spec.egress list of NetworkPolicy payments/gateway (it selects only payments/gateway):
                    spec:
                      egress:
                      - to:
                        - namespaceSelector:
                            matchLabels:
                              kubernetes.io/metadata.name: shop
                          podSelector:
                            matchLabels:
                              app: api
                              tier: backend
                        ports:
                        - protocol: TCP
                          port: 80

                Ingress to shop/api: DENIED
                  isolated by: NetworkPolicy shop/api-egress, NetworkPolicy shop/api-ingress
                  no rule allows this flow:
                  - NetworkPolicy shop/api-egress spec.ingress: has no ingress rules: it selects shop/api only to deny all its Ingress traffic (it sets no policyTypes, and policyTypes always defaults to include Ingress)
                  - NetworkPolicy shop/api-ingress spec.ingress[0]: the source payments/gateway is not among its peers (from[0] pods with app=web in namespace shop: payments/gateway is in namespace payments, not shop (a podSelector without namespaceSelector only selects pods of the policy's namespace))
                  - NetworkPolicy shop/api-ingress spec.ingress[1]: the source payments/gateway is not among its peers (from[0] pods with app=prometheus in namespaces with team=sre: namespace payments (env=prod,kubernetes.io/metadata.name=payments,pci=true,team=payments) does not match team=sre); and TCP/80 is not among its ports (TCP/metrics (port 9090 on shop/api))
                  To allow it, append this rule to the spec.ingress list of NetworkPolicy shop/api-ingress (it selects only shop/api):
                    spec:
                      ingress:
                      - from:
                        - namespaceSelector:
                            matchLabels:
                              kubernetes.io/metadata.name: payments
                          podSelector:
                            matchLabels:
                              app: gateway
                        ports:
                        - protocol: TCP
                          port: 80
                """);
    }

    @Test
    void anAddressInAnIpBlockExceptionIsDeniedAndTheFixIsAHostCidr() {
        Result r = Netfence.run("explain", "-f", SAMPLES, "--from", "payments/gateway", "--to", "203.0.113.200", "--port", "443");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("DENIED: pod payments/gateway (10.244.1.30) -> address 203.0.113.200 on TCP/443\n"
                        + "Denied by egress at the source payments/gateway (a flow needs both sides to allow it).")
                .contains("- NetworkPolicy payments/gateway spec.egress[1]: the destination address 203.0.113.200 is not "
                        + "among its peers (to[0] addresses in 203.0.113.0/24 except 203.0.113.128/25: 203.0.113.200 is in "
                        + "the exception 203.0.113.128/25)\n")
                .contains("""
                          To allow it, append this rule to the spec.egress list of NetworkPolicy payments/gateway (it selects only payments/gateway):
                            spec:
                              egress:
                              - to:
                                - ipBlock:
                                    cidr: 203.0.113.200/32
                        """)
                .contains("Ingress to address 203.0.113.200: allowed\n"
                        + "  address 203.0.113.200 is not a pod: NetworkPolicy does not restrict what it receives\n");
    }

    @Test
    void jsonNamesEndpointsSidesAndTheAllowingRule() {
        Result r = Netfence.run("explain", "-f", SAMPLES, "--from", "payments/gateway", "--to", "203.0.113.10",
                "--port", "443", "-o", "json");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("{\"allowed\": true, \"protocol\": \"TCP\", \"port\": 443, "
                + "\"source\": {\"kind\": \"pod\", \"pod\": \"payments/gateway\", \"ip\": \"10.244.1.30\", \"node\": \"node-1\"}, "
                + "\"destination\": {\"kind\": \"external\", \"pod\": null, \"ip\": \"203.0.113.10\", \"node\": null}, "
                + "\"egress\": {\"allowed\": true, \"isolated\": true, "
                + "\"isolatedBy\": [\"NetworkPolicy payments/gateway\", \"DefaultDeny payments/lockdown\"], "
                + "\"allowedBy\": [{\"policy\": \"NetworkPolicy payments/gateway\", \"fieldPath\": \"spec.egress[1].to[0]+ports[0]\", "
                + "\"description\": \"to[0] addresses in 203.0.113.0/24 except 203.0.113.128/25; ports[0] TCP/443\"}], "
                + "\"notMatched\": [], \"note\": null, \"fix\": null, \"decidedBy\": \"NetworkPolicy tier\", "
                + "\"clusterPolicyRules\": []}, "
                + "\"ingress\": {\"allowed\": true, \"isolated\": false, \"isolatedBy\": [], \"allowedBy\": [], \"notMatched\": [], "
                + "\"note\": \"address 203.0.113.10 is not a pod: NetworkPolicy does not restrict what it receives\", \"fix\": null, "
                + "\"decidedBy\": null, \"clusterPolicyRules\": []}}\n"
                .replace("203.0.113.200", "203.0.113.10"));
    }

    @Test
    void deniedJsonCarriesTheMissesAndTheFix() {
        Result r = Netfence.run("explain", "-f", SAMPLES, "--from", "monitoring/prometheus", "--to", "payments/db",
                "--port", "5432", "-o", "json");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("{\"allowed\": false, \"protocol\": \"TCP\", \"port\": 5432, ")
                .contains("\"ingress\": {\"allowed\": false, \"isolated\": true, "
                        + "\"isolatedBy\": [\"NetworkPolicy payments/db\", \"DefaultDeny payments/lockdown\"], \"allowedBy\": [], "
                        + "\"notMatched\": [{\"policy\": \"NetworkPolicy payments/db\", \"fieldPath\": \"spec.ingress[0]\", "
                        + "\"reason\": \"the source monitoring/prometheus is not among its peers (from[0] pods with app=gateway in "
                        + "namespace payments: monitoring/prometheus is in namespace monitoring, not payments (a podSelector without "
                        + "namespaceSelector only selects pods of the policy's namespace))\"}, ")
                .contains("\"fix\": \"To allow it, append this rule to the spec.ingress list of NetworkPolicy payments/db (it selects "
                        + "only payments/db):\\n  spec:\\n    ingress:\\n    - from:\\n");
    }

    @Test
    void aPodIsolatedOnlyByDefaultDenyGetsANewPolicyOrTheSameNamespaceSwitch() {
        Result r = Netfence.run("explain", "-f", SAMPLES, "--from", "payments/db", "--to", "payments/gateway", "--port", "80");
        assertThat(r.out()).contains("""
                Egress from payments/db: DENIED
                  isolated by: DefaultDeny payments/lockdown
                  no rule allows this flow:
                  - DefaultDeny payments/lockdown spec: isolates every pod of namespace payments for Egress; its exceptions do not cover this flow: allowDNS only opens UDP/53 and TCP/53 to kube-system pods with k8s-app=kube-dns; allowSameNamespace is false
                  To allow it, create this NetworkPolicy: it selects only payments/db, already isolated for Egress, so it opens this flow and nothing else:
                    apiVersion: networking.k8s.io/v1
                    kind: NetworkPolicy
                    metadata:
                      name: allow-db-to-gateway-tcp-80
                      namespace: payments
                    spec:
                      podSelector:
                        matchLabels:
                          app: db
                      policyTypes:
                      - Egress
                      egress:
                      - to:
                        - podSelector:
                            matchLabels:
                              app: gateway
                        ports:
                        - protocol: TCP
                          port: 80
                  Or set spec.allowSameNamespace: true in DefaultDeny payments/lockdown (broader: it opens all traffic between the pods of namespace payments).
                """);
    }

    @Test
    void aPodsOwnNodeAlwaysReachesIt() {
        Result r = Netfence.run("explain", "-f", SAMPLES, "--from", "192.168.10.11", "--to", "payments/gateway", "--port", "8080");
        assertThat(r.out()).isEqualTo("""
                ALLOWED: node node-1 (192.168.10.11) -> pod payments/gateway (10.244.1.30) on TCP/8080
                Both sides allow it: egress at the source node node-1 (192.168.10.11) and ingress at the destination payments/gateway.

                Egress from node node-1 (192.168.10.11): allowed
                  node node-1 (192.168.10.11) is not a pod: NetworkPolicy does not restrict what it sends

                Ingress to payments/gateway: allowed
                  isolated by: NetworkPolicy payments/gateway, DefaultDeny payments/lockdown
                  traffic between a pod and its own node (node-1) is always allowed
                """);
    }

    @Test
    void anotherNodeIsNotAPodSoSelectorsDoNotMatchIt() {
        Result r = Netfence.run("explain", "-f", SAMPLES, "--from", "192.168.10.12", "--to", "payments/gateway", "--port", "80");
        assertThat(r.out()).startsWith("DENIED: node node-2 (192.168.10.12) -> pod payments/gateway (10.244.1.30) on TCP/80\n")
                .contains("the source node node-2 (192.168.10.12) is not among its peers (from[0] pods with app=api in "
                        + "namespaces with team=shop: node node-2 (192.168.10.12) is not a pod: pod and namespace selectors "
                        + "only match pods; use an ipBlock)");
    }

    @Test
    void udpDnsIsKeptOpenByDefaultDeny() {
        Result r = Netfence.run("explain", "-f", SAMPLES, "--from", "payments/db", "--to", "kube-system/coredns",
                "--port", "53", "--protocol", "UDP");
        assertThat(r.out()).contains("""
                Egress from payments/db: allowed
                  isolated by: DefaultDeny payments/lockdown
                  allowed by:
                  - DefaultDeny payments/lockdown spec.allowDNS: allowDNS: egress to the cluster DNS (kube-system pods with k8s-app=kube-dns) on its DNS ports stays open
                """);
    }

    @Test
    void aHostNetworkPodIsNodeTrafficThatSelectorsDoNotMatch() {
        Result r = Netfence.run("explain", "-f", "src/test/resources/hostnetwork.yaml", "--from", "x/agent", "--to", "x/web",
                "--port", "80");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("""
                DENIED: host-network pod x/agent (192.168.0.2, node traffic) -> pod x/web (10.0.1.10) on TCP/80
                Denied by ingress at the destination x/web (a flow needs both sides to allow it).

                Egress from host-network pod x/agent (192.168.0.2, node traffic): allowed
                  x/agent uses the host network: its traffic is node traffic, and NetworkPolicy does not restrict what a node sends

                Ingress to x/web: DENIED
                  isolated by: NetworkPolicy x/from-x
                  no rule allows this flow:
                  - NetworkPolicy x/from-x spec.ingress[0]: the source host-network pod x/agent (192.168.0.2, node traffic) is not among its peers (from[0] all pods in namespace x: x/agent uses the host network: selectors never match host-network pods (their traffic is node traffic); allow its node's address with an ipBlock)
                  To allow it, append this rule to the spec.ingress list of NetworkPolicy x/from-x (it selects only x/web):
                    spec:
                      ingress:
                      - from:
                        - ipBlock:
                            cidr: 192.168.0.2/32
                        ports:
                        - protocol: TCP
                          port: 80
                """);
    }
}
