package dev.netfence.crds.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfence.policy.model.ContainerPort;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.Cidr;
import dev.netfence.policy.net.IpAddress;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Workloads as the pods they run: names, labels, ports, replicas, counted once, addresses. */
class WorkloadPodsTest {

    static Path resource(String name) {
        try {
            return Path.of(WorkloadPodsTest.class.getResource("/workloads/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final WorkloadPods ALL = WorkloadPods.of(ManifestLoader.load(resource("all-kinds.yaml")), List.of());

    private static Pod pod(WorkloadPods w, String key) {
        return w.pods().stream().filter(p -> p.key().equals(key)).findFirst().orElseThrow(() -> new AssertionError(
                key + " not among " + w.pods().stream().map(Pod::key).toList()));
    }

    @Test
    void everyKindIsOnePodNamedByItsShortKindInItsNamespace() {
        assertThat(ALL.pods()).extracting(Pod::key).containsExactly("shop/deploy/web", "data/sts/db", "kube-system/ds/agent",
                "data/job/migrate", "data/cronjob/report", "default/rs/legacy");
        assertThat(ALL.pods()).allMatch(WorkloadPods::isHypothetical);
    }

    @Test
    void theTemplatesLabelsAndPortsWithTheLabelsTheControllerAdds() {
        Pod web = pod(ALL, "shop/deploy/web");
        assertThat(web.labels()).isEqualTo(Map.of("app", "web", "tier", "front"));
        assertThat(web.ports()).containsExactly(new ContainerPort("http", 8080, Protocol.TCP), new ContainerPort("dns", 53, Protocol.UDP));
        assertThat(web.resolveNamedPort("http", Protocol.TCP)).isEqualTo(8080);
        // a StatefulSet's pods are labelled with their name and ordinal; the representative is ordinal 0
        assertThat(pod(ALL, "data/sts/db").labels()).isEqualTo(Map.of("app", "db",
                "statefulset.kubernetes.io/pod-name", "db-0", "apps.kubernetes.io/pod-index", "0"));
        // a Job's pods carry its name; a CronJob's Jobs have generated names, so nothing is added
        assertThat(pod(ALL, "data/job/migrate").labels()).isEqualTo(Map.of("app", "migrate", "job-name", "migrate",
                "batch.kubernetes.io/job-name", "migrate"));
        assertThat(pod(ALL, "data/cronjob/report").labels()).isEqualTo(Map.of("app", "report"));
        assertThat(pod(ALL, "kube-system/ds/agent").hostNetwork()).isTrue();
    }

    @Test
    void severalReplicasHaveASecondOneForTheFlowBetweenThem() {
        // web 3 replicas, db 2, agent one per node (no nodes known: at least two), report parallelism 2;
        // migrate (parallelism absent: 1) and legacy (replicas absent: 1) have none
        assertThat(ALL.twins().keySet()).containsExactlyInAnyOrder("shop/deploy/web", "data/sts/db", "kube-system/ds/agent",
                "data/cronjob/report");
        Pod db1 = ALL.twins().get("data/sts/db");
        assertThat(db1.name()).isEqualTo("sts/db (another replica)");
        assertThat(db1.labels()).containsEntry("statefulset.kubernetes.io/pod-name", "db-1").containsEntry("apps.kubernetes.io/pod-index", "1");
        assertThat(ALL.twins().get("shop/deploy/web").labels()).isEqualTo(pod(ALL, "shop/deploy/web").labels());
        assertThat(ALL.twins().get("shop/deploy/web").ips()).doesNotContainAnyElementsOf(pod(ALL, "shop/deploy/web").ips());
    }

    @Test
    void aReplicaSetOfADeploymentInTheInputAndAWorkloadScaledToZeroAreNoPods() {
        assertThat(ALL.notes()).extracting(ManifestNote::message).containsExactly(
                "ReplicaSet shop/web-7c9d belongs to Deployment shop/web in the input: its pods are counted there",
                "Deployment shop/idle is scaled to 0 replicas: it runs no pod");
    }

    @Test
    void aWorkloadWhosePodsAreInTheInputIsThosePods() {
        WorkloadPods w = WorkloadPods.of(ManifestLoader.load(resource("with-pods.yaml")), List.of());
        // api: its selector matches a pod; cart: a pod owned by its ReplicaSet cart-<pod-template-hash>;
        // report: a pod owned by its Job report-<minutes>
        assertThat(w.pods()).extracting(Pod::key).containsExactly("shop/deploy/new");
        assertThat(w.notes()).extracting(ManifestNote::message).containsExactly(
                "Deployment shop/api: its pods are in the input, they stand for it",
                "Deployment shop/cart: its pods are in the input, they stand for it",
                "CronJob shop/report: its pods are in the input, they stand for it");
    }

    @Test
    void addressesComeFromThePodNetworkSkippingEveryAddressOfTheInput() {
        WorkloadPods w = WorkloadPods.of(ManifestLoader.load(resource("with-pods.yaml")), List.of());
        // 10.244.0.1, .3, .4 are pods', .2 the Service's ClusterIP
        assertThat(pod(w, "shop/deploy/new").ips()).containsExactly(IpAddress.parse("10.244.0.5"));

        WorkloadPods dual = WorkloadPods.of(ManifestLoader.load(resource("with-pods.yaml")),
                List.of(Cidr.parse("10.8.0.0/16"), Cidr.parse("fd10::/64")));
        assertThat(pod(dual, "shop/deploy/new").ips()).containsExactly(IpAddress.parse("10.8.0.1"), IpAddress.parse("fd10::1"));
    }

    @Test
    void aHostNetworkPodTakesTheNodesAddresses() {
        Manifests m = ManifestLoader.load(resource("all-kinds.yaml"));
        List<ManifestObject> objects = new java.util.ArrayList<>(m.objects());
        Node n1 = new Node("node-1", List.of(IpAddress.parse("192.168.0.1")));
        Node n2 = new Node("node-2", List.of(IpAddress.parse("192.168.0.2")));
        objects.add(new ManifestObject(Path.of("nodes.yaml"), 1, new dev.netfence.policy.model.ObjectRef("Node", null, "node-1"), null, n1, null));
        objects.add(new ManifestObject(Path.of("nodes.yaml"), 9, new dev.netfence.policy.model.ObjectRef("Node", null, "node-2"), null, n2, null));
        WorkloadPods w = WorkloadPods.of(new Manifests(objects, List.of()), List.of());
        Pod agent = pod(w, "kube-system/ds/agent");
        assertThat(agent.ips()).containsExactly(IpAddress.parse("192.168.0.1"));
        assertThat(agent.nodeName()).isEqualTo("node-1");
        assertThat(w.twins().get(agent.key()).ips()).containsExactly(IpAddress.parse("192.168.0.2"));
    }

    @Test
    void aBadFieldOfTheTemplateIsNamedUnderTheTemplateAtItsLine() {
        assertThatThrownBy(() -> ManifestLoader.load(resource("bad-port.yaml")))
                .isInstanceOf(ManifestException.class)
                .hasMessageEndingWith("bad-port.yaml:17: Deployment shop/web: spec.template.spec.containers[0].ports[0].containerPort: "
                        + "must be between 1 and 65535, inclusive (got 70000)");
        assertThatThrownBy(() -> ManifestLoader.load(resource("typo.yaml")))
                .isInstanceOf(ManifestException.class)
                .hasMessageEndingWith("typo.yaml:11: Deployment shop/web: spec.template.metadata.lables: unknown field \"lables\"; "
                        + "did you mean \"labels\"?");
    }

    @Test
    void aPodNetworkWithoutRoomIsAUserError() {
        assertThatThrownBy(() -> WorkloadPods.of(ManifestLoader.load(resource("all-kinds.yaml")), List.of(Cidr.parse("10.9.0.0/30"))))
                .isInstanceOf(ManifestException.class)
                .hasMessageContaining("no free address left in the pod network 10.9.0.0/30 for the pods of the workloads: "
                        + "give a larger one with --pod-network");
    }
}
