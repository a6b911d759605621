package dev.netfence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.cli.Netfence.Result;
import org.junit.jupiter.api.Test;

/** {@code query-target NS/POD} on the samples: the selecting objects per direction, as the engine finds them, and why. */
class QueryTargetCommandTest {

    static final String SAMPLES = "../samples";

    @Test
    void listsTheSelectingPoliciesPerDirectionWithTheReason() {
        Result r = Netfence.run("query-target", "-f", SAMPLES, "shop/api");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("""
                pod shop/api (10.244.2.20), labels app=api,tier=backend
                Ingress: isolated by 2 objects; a flow is allowed when any of them allows it
                  - NetworkPolicy shop/api-egress: podSelector app=api matches its labels; no policyTypes: Ingress is always included; no ingress rules: it isolates the pod and allows nothing itself
                  - NetworkPolicy shop/api-ingress: podSelector app=api matches its labels; no policyTypes: Ingress is always included; 2 ingress rules
                Egress: isolated by 1 object; a flow is allowed when any of them allows it
                  - NetworkPolicy shop/api-egress: podSelector app=api matches its labels; no policyTypes: Egress is included because the policy has egress rules; 2 egress rules
                """);
    }

    @Test
    void anUnselectedDirectionIsNotIsolated() {
        Result r = Netfence.run("query-target", "-f", SAMPLES, "monitoring/prometheus");
        assertThat(r.out()).contains("Egress: not isolated: no object selects it for Egress, so all its outgoing traffic is allowed\n");
    }

    @Test
    void defaultDenyAndJson() {
        Result r = Netfence.run("query-target", "-f", SAMPLES, "payments/db", "-o", "json");
        assertThat(r.out()).isEqualTo("{\"pod\": \"payments/db\", \"labels\": {\"app\": \"db\"}, \"ingress\": {\"isolated\": true, "
                + "\"selectedBy\": [{\"object\": \"NetworkPolicy payments/db\", \"why\": \"podSelector app=db matches its labels; "
                + "policyTypes [Ingress]; 1 ingress rule\", \"rules\": 1}, {\"object\": \"DefaultDeny payments/lockdown\", \"why\": "
                + "\"isolates every pod of namespace payments for Ingress\", \"rules\": 0}]}, \"egress\": {\"isolated\": true, "
                + "\"selectedBy\": [{\"object\": \"DefaultDeny payments/lockdown\", \"why\": \"isolates every pod of namespace payments "
                + "for Egress; allowDNS keeps egress to the cluster DNS\", \"rules\": 0}]}}\n");
    }

    @Test
    void anUnknownPodIsAUserError() {
        Result r = Netfence.run("query-target", "-f", SAMPLES, "shop/nope");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: NS/POD shop/nope: no pod \"nope\" in namespace \"shop\"");
    }
}
