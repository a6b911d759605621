package dev.netfence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.cli.Netfence.Result;
import org.junit.jupiter.api.Test;

/**
 * simulate, explain and query-target on a GitOps repository's workloads (src/test/resources/gitops):
 * a Deployment without Pod objects is the pod {@code shop/deploy/worker}, a CronJob
 * {@code shop/cronjob/report}; the Deployment {@code api} is its pod {@code api-1} (cluster/pods.yaml),
 * and the worker's ReplicaSet is counted with it.
 */
class WorkloadCommandsTest {

    static final String R = "src/test/resources/gitops/";
    static final String NOTES = "note: " + R + "workloads/shop.yaml:3: Deployment shop/api: its pods are in the input, they "
            + "stand for it\n"
            + "note: " + R + "workloads/shop.yaml:47: ReplicaSet shop/worker-6d5f8c7b9 belongs to Deployment shop/worker in "
            + "the input: its pods are counted there\n"
            + "note: 2 workloads stand for the pods they will run (one pod each, named KIND/NAME, with an address from "
            + "10.244.0.0/16, --pod-network): shop/deploy/worker, shop/cronjob/report\n";

    @Test
    void simulateShowsWorkloadsAsPodsAndAWorkloadToItselfIsReplicaToReplica() {
        Result r = Netfence.run("simulate", "-f", R + "workloads", "-f", R + "policies", "-f", R + "cluster", "--port", "8080");
        assertThat(r.exitCode()).isZero();
        assertThat(r.err()).isEqualTo(NOTES);
        // worker's egress allows only app=api on 8080: between its own two replicas it is denied (X on the diagonal),
        // the report's (one pod at a time) to itself never leaves the pod
        assertThat(r.out()).isEqualTo("""
                from\\to              shop/api-1  shop/cronjob/report  shop/deploy/worker  shop/frontend-1  shop/web-1
                shop/api-1           .           .                    .                   .                .
                shop/cronjob/report  X           .                    X                   X                X
                shop/deploy/worker   X           X                    X                   X                X
                shop/frontend-1      X           .                    .                   .                .
                shop/web-1           X           X                    X                   X                .
                """);
    }

    @Test
    void explainBetweenTheReplicasOfAWorkload() {
        Result r = Netfence.run("explain", "-f", R + "workloads", "-f", R + "policies", "-f", R + "cluster",
                "--from", "shop/deploy/worker", "--to", "shop/deploy/worker", "--port", "9090");
        assertThat(r.exitCode()).isZero();
        assertThat(r.err()).isEqualTo(NOTES + "note: shop/deploy/worker stands for several replicas: explained is the flow "
                + "from one to another (shop/deploy/worker (another replica))\n");
        assertThat(r.out()).startsWith("DENIED: pod shop/deploy/worker (10.244.0.1) -> pod shop/deploy/worker (another replica) "
                + "(10.244.0.2) on TCP/9090\n").contains("""
                  To allow it, append this rule to the spec.egress list of NetworkPolicy shop/worker-egress (it selects only shop/deploy/worker and the 1 other pod with the same labels):
                    spec:
                      egress:
                      - to:
                        - podSelector:
                            matchLabels:
                              app: worker
                        ports:
                        - protocol: TCP
                          port: 9090
                """);
    }

    @Test
    void queryTargetOnAWorkloadsPod() {
        Result r = Netfence.run("query-target", "-f", R + "workloads", "-f", R + "policies", "-f", R + "cluster", "shop/deploy/worker");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("""
                pod shop/deploy/worker (10.244.0.1), labels app=worker
                  stands for the pods of deploy/worker (labels and ports of its pod template; no Pod object in the input)
                Ingress: not isolated: no object selects it for Ingress, so all its incoming traffic is allowed
                Egress: isolated by 1 object; a flow is allowed when any of them allows it
                  - NetworkPolicy shop/worker-egress: podSelector app=worker matches its labels; policyTypes [Egress]; 1 egress rule
                """);
    }

    @Test
    void aWorkloadNameThatDoesNotExistListsThePodsOfTheNamespace() {
        Result r = Netfence.run("query-target", "-f", R + "workloads", "shop/deploy/nope");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).endsWith("error: NS/POD shop/deploy/nope: no pod \"deploy/nope\" in namespace \"shop\" in the manifests; "
                + "pods in shop: cronjob/report, deploy/api, deploy/worker\n");
    }

    @Test
    void podNetworkGivesTheAddresses() {
        Result r = Netfence.run("query-target", "-f", R + "workloads", "--pod-network", "10.8.0.0/16", "--pod-network", "fd08::/64",
                "shop/deploy/worker");
        assertThat(r.out()).startsWith("pod shop/deploy/worker (10.8.0.2, fd08::2), labels app=worker\n");
        Result bad = Netfence.run("query-target", "-f", R + "workloads", "--pod-network", "10.8.0.0", "shop/deploy/worker");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).isEqualTo("error: --pod-network 10.8.0.0: not a CIDR (write e.g. 10.244.0.0/16)\n");
    }
}
