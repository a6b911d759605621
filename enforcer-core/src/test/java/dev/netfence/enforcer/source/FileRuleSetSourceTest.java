package dev.netfence.enforcer.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfence.enforcer.SampleClusters;
import dev.netfence.policy.compile.ResolvedRuleSet;
import dev.netfence.policy.compile.RuleSetCompiler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileRuleSetSourceTest {

    static ResolvedRuleSet shopN1() {
        return RuleSetCompiler.compile(SampleClusters.shop()).forNode("n1");
    }

    @Test
    void yamlRoundTripGivesTheSameRuleSet() {
        ResolvedRuleSet rs = shopN1();
        String yaml = RuleSetYaml.write(rs);
        assertThat(yaml).contains("node: n1").contains("addressSets:").contains("fieldPath: spec.allowDNS");
        assertThat(RuleSetYaml.read(yaml, "test")).isEqualTo(rs);
    }

    @Test
    void readsTheNodesFileFromADirectoryAndNothingWhenAbsent(@TempDir Path dir) throws IOException {
        FileRuleSetSource source = new FileRuleSetSource(dir, "n1");
        assertThat(source.current()).isEmpty();
        Files.writeString(dir.resolve("n1.yaml"), RuleSetYaml.write(shopN1()));
        assertThat(source.current()).contains(shopN1());
    }

    @Test
    void aRuleSetForAnotherNodeIsRefusedWithTheFieldAndTheFix(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("rules.yaml");
        Files.writeString(file, RuleSetYaml.write(shopN1()));
        assertThatThrownBy(() -> new FileRuleSetSource(file, "n2").current())
                .isInstanceOf(RuleSetSourceException.class)
                .hasMessageContaining("field ruleSet.node is \"n1\"")
                .hasMessageContaining("fix netfence.enforcer.node-name");
    }

    @Test
    void aMissingAddressSetOrABadFieldIsNamed(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("rules.yaml");
        ResolvedRuleSet rs = shopN1();
        Files.writeString(file, RuleSetYaml.write(new ResolvedRuleSet(rs.ruleSet(), java.util.List.of())));
        assertThatThrownBy(() -> new FileRuleSetSource(file, "n1").current())
                .hasMessageContaining("names AddressSet as-").hasMessageContaining("which is not in addressSets");
        Files.writeString(file, "ruleSet:\n  node: n1\n  pods:\n    - namespace: x\n      ips: 7\n");
        assertThatThrownBy(() -> new FileRuleSetSource(file, "n1").current())
                .isInstanceOf(RuleSetSourceException.class).hasMessageContaining("field ruleSet.pods[0].ips");
    }
}
