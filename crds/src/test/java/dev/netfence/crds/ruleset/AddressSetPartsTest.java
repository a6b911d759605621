package dev.netfence.crds.ruleset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfence.policy.compile.AddressRanges;
import dev.netfence.policy.compile.AddressSet;
import dev.netfence.policy.net.IpAddress;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AddressSetPartsTest {

    /** 150,000 dual-stack pods: the largest peer set at the Kubernetes scale limits. */
    static AddressSet everyPodOfALargeCluster() {
        List<IpAddress> ips = new ArrayList<>();
        for (int i = 0; i < 150_000; i++) {
            ips.add(IpAddress.parse("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255)));
            ips.add(IpAddress.parse("fd00:1234:5678:9abc::" + Integer.toHexString(i >> 16) + ":" + Integer.toHexString(i & 0xffff)));
        }
        return new AddressSet("as-everypod", AddressRanges.ofAddresses(ips));
    }

    @Test
    void aSmallSetIsOneObjectNamedAfterTheSet() {
        AddressSet set = new AddressSet("as-two", List.of("10.0.0.1", "10.0.0.2"));
        List<dev.netfence.crds.AddressSet> parts = AddressSetParts.split(set);
        assertThat(parts).hasSize(1);
        assertThat(parts.get(0).getMetadata().getName()).isEqualTo(set.name());
        assertThat(parts.get(0).getMetadata().getLabels()).containsEntry("netfence.dev/address-set", set.name());
        assertThat(parts.get(0).getSpec().parts).isEqualTo(1);
        assertThat(AddressSetParts.join(set.name(), parts)).isEqualTo(set);
    }

    @Test
    void anEmptySetIsOneEmptyPart() {
        AddressSet set = new AddressSet("as-empty", List.of());
        List<dev.netfence.crds.AddressSet> parts = AddressSetParts.split(set);
        assertThat(parts).hasSize(1);
        assertThat(AddressSetParts.join(set.name(), parts)).isEqualTo(set);
    }

    @Test
    void everyPartOfTheLargestSetStaysBelowOneMebibyte() {
        AddressSet set = everyPodOfALargeCluster();
        List<dev.netfence.crds.AddressSet> parts = AddressSetParts.split(set);
        assertThat(parts.size()).isGreaterThan(1);
        for (int i = 0; i < parts.size(); i++) {
            var p = parts.get(i);
            assertThat(Serialization.asJson(p).getBytes(StandardCharsets.UTF_8).length).isLessThan(1024 * 1024);
            assertThat(p.getMetadata().getName()).isEqualTo(AddressSetParts.partName(set.name(), i));
            assertThat(p.getSpec().parts).isEqualTo(parts.size());
        }
        List<dev.netfence.crds.AddressSet> shuffled = new ArrayList<>(parts);
        java.util.Collections.reverse(shuffled);
        assertThat(AddressSetParts.join(set.name(), shuffled)).isEqualTo(set);
    }

    @Test
    void splittingDependsOnlyOnContent() {
        AddressSet set = everyPodOfALargeCluster();
        assertThat(Serialization.asJson(AddressSetParts.split(set)))
                .isEqualTo(Serialization.asJson(AddressSetParts.split(new AddressSet(set.name(), new ArrayList<>(set.entries())))));
    }

    @Test
    void aMissingPartIsRefused() {
        AddressSet set = new AddressSet("as-three", List.of("10.0.0.1", "10.0.0.2", "10.0.0.3"));
        List<dev.netfence.crds.AddressSet> parts = AddressSetParts.split(set, 12);
        assertThat(parts).hasSize(3);
        assertThatThrownBy(() -> AddressSetParts.join(set.name(), parts.subList(0, 2)))
                .isInstanceOf(InvalidRuleSetException.class)
                .hasMessageContaining("says 3 parts but 2 were found");
    }

    @Test
    void partsOfTwoVersionsOfASetAreRefused() {
        var v1 = AddressSetParts.split(new AddressSet("as-s", List.of("10.0.0.1", "10.0.0.2")), 12);
        var v2 = AddressSetParts.split(new AddressSet("as-s", List.of("10.0.0.1", "10.0.0.3")), 12);
        assertThatThrownBy(() -> AddressSetParts.join("as-s", List.of(v1.get(0), v2.get(1))))
                .isInstanceOf(InvalidRuleSetException.class)
                .hasMessageContaining("different versions");
    }

    @Test
    void anEditedPartIsRefused() {
        AddressSet set = new AddressSet("as-two", List.of("10.0.0.1", "10.0.0.2"));
        List<dev.netfence.crds.AddressSet> parts = AddressSetParts.split(set);
        parts.get(0).getSpec().entries.add("10.9.9.9");
        assertThatThrownBy(() -> AddressSetParts.join(set.name(), parts))
                .isInstanceOf(InvalidRuleSetException.class)
                .hasMessageContaining("spec.entries");
    }
}
