package dev.netfence.enforcer.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfence.crds.ruleset.InvalidRuleSetException;
import dev.netfence.enforcer.nft.NftablesRenderer;
import dev.netfence.policy.compile.ResolvedRuleSet;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Every hostile variant is refused whole with its field named; a valid rule set passes unchanged. */
class RuleSetValidatorTest {

    static List<HostileRuleSets.Case> cases() {
        return HostileRuleSets.cases();
    }

    @Test
    void aValidRuleSetPassesUnchanged() {
        ResolvedRuleSet valid = HostileRuleSets.valid();
        ResolvedRuleSet checked = RuleSetValidator.validate("NodeRuleSet n1", valid);
        assertThat(checked).isEqualTo(valid);
        assertThat(NftablesRenderer.render(checked)).isEqualTo(NftablesRenderer.render(valid));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aHostileRuleSetIsRefusedWithItsFieldNamed(HostileRuleSets.Case c) {
        assertThatThrownBy(() -> RuleSetValidator.validate("NodeRuleSet n1", c.apply(HostileRuleSets.valid())))
                .isInstanceOf(InvalidRuleSetException.class)
                .hasMessageContaining(c.field())
                // the message quotes the value safely: one line, bounded, no Java names
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("Exception")
                        .hasSizeLessThan(400));
    }
}
