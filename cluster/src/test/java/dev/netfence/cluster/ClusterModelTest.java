package dev.netfence.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.cluster.ClusterChange.Kind;
import dev.netfence.policy.model.ClusterDns;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterModelTest {

    private static Pod pod(String ns, String name, String app, String ip) {
        return new Pod(ns, name, Map.of("app", app), List.of(IpAddress.parse(ip)), "n1", false, List.of());
    }

    @Test
    void changesAreKeyedAndEqualObjectsAreNoChange() {
        ClusterModel model = new ClusterModel(ClusterSettings.DEFAULTS);
        List<ClusterChange> seen = new ArrayList<>();
        model.addListener(seen::add);
        ChangeCollector collector = new ChangeCollector(() -> { });
        model.addListener(collector);

        model.putNamespace(new Namespace("shop", Map.of()));
        model.putPod(pod("shop", "web-1", "web", "10.1.0.1"));
        model.putPod(pod("shop", "web-1", "web", "10.1.0.1"));   // re-sent, equal: no change
        model.putPod(pod("shop", "web-1", "api", "10.1.0.1"));   // relabelled
        model.removePod("shop", "gone");                          // never there: no change

        assertThat(seen).containsExactly(new ClusterChange(Kind.NAMESPACE, "shop"), new ClusterChange(Kind.POD, "shop/web-1"),
                new ClusterChange(Kind.POD, "shop/web-1"));
        ClusterChanges changes = collector.drain();
        assertThat(changes.of(Kind.POD)).containsExactly("shop/web-1");
        assertThat(changes.of(Kind.NAMESPACE)).containsExactly("shop");
        assertThat(changes.size()).isEqualTo(2);
        assertThat(collector.drain().isEmpty()).isTrue();
    }

    @Test
    void theSnapshotCarriesTheConfiguredDnsAndIsCachedUntilAChange() {
        ClusterModel model = new ClusterModel(ClusterSettings.DEFAULTS);
        model.putPod(pod("shop", "web-1", "web", "10.1.0.1"));
        var first = model.snapshot();
        assertThat(model.snapshot()).isSameAs(first);
        assertThat(first.dns()).isEqualTo(ClusterDns.DEFAULT);

        ChangeCollector collector = new ChangeCollector(() -> { });
        model.addListener(collector);
        ClusterSettings nodeLocal = ClusterSettings.of(Map.of(ClusterSettings.DNS_IPS, "169.254.20.10"));
        model.settings(nodeLocal);
        model.settings(nodeLocal);
        assertThat(collector.drain().settingsChanged()).isTrue();
        assertThat(model.snapshot()).isNotSameAs(first);
        assertThat(model.snapshot().dns().extraIps()).containsExactly(IpAddress.parse("169.254.20.10"));
        assertThat(model.snapshot().dns().podSelector()).isEqualTo(LabelSelector.of("k8s-app", "kube-dns"));
    }

    @Test
    void aRefusedObjectKeepsItsLastValidVersionAndItsReason() {
        ClusterModel model = new ClusterModel(ClusterSettings.DEFAULTS);
        ChangeCollector collector = new ChangeCollector(() -> { });
        model.addListener(collector);
        var np = new dev.netfence.policy.model.NetworkPolicy("shop", "web", LabelSelector.ALL, List.of("Ingress"), List.of(),
                List.of(), Map.of());
        model.putPolicy(np);
        model.refuse(Kind.NETWORK_POLICY, "shop", "web", "spec.podSelector: unsupported operator \"Within\"");
        assertThat(model.snapshot().policies()).containsExactly(np);
        assertThat(model.invalid("NetworkPolicy", "shop", "web")).contains("Within");
        assertThat(collector.drain().of(Kind.NETWORK_POLICY)).containsExactly("shop/web");
        model.putPolicy(np);   // fixed: the reason goes, which is a change for whoever reports it
        assertThat(model.invalid("NetworkPolicy", "shop", "web")).isNull();
        assertThat(collector.drain().of(Kind.NETWORK_POLICY)).containsExactly("shop/web");
    }

    @Test
    void aReSentEqualObjectKeepsTheInstanceTheSnapshotHolds() {
        ClusterModel model = new ClusterModel(ClusterSettings.DEFAULTS);
        Pod first = pod("shop", "web-1", "web", "10.1.0.1");
        model.putPod(first);
        var snapshot = model.snapshot();
        Pod resent = pod("shop", "web-1", "web", "10.1.0.1");   // a relist: equal, another instance
        model.putPod(resent);
        assertThat(model.pod("shop/web-1")).isSameAs(first).isSameAs(snapshot.pod("shop", "web-1").orElseThrow());
        assertThat(model.snapshot()).isSameAs(snapshot);
    }
}
