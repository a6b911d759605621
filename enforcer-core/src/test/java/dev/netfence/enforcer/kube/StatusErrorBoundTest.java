package dev.netfence.enforcer.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.crds.SchemaRules;
import org.junit.jupiter.api.Test;

/** A status the CRD schema would refuse (422) is a node that reports nothing: the error is cut to fit instead. */
class StatusErrorBoundTest {

    @Test
    void shortErrorsAreKeptAsTheyAre() {
        assertThat(NodeRuleSetStatusReporter.bounded(null)).isNull();
        assertThat(NodeRuleSetStatusReporter.bounded("nft: syntax error")).isEqualTo("nft: syntax error");
        String exact = "e".repeat((int) SchemaRules.MAX_ERROR_LENGTH);
        assertThat(NodeRuleSetStatusReporter.bounded(exact)).isSameAs(exact);
    }

    @Test
    void aLongErrorIsCutToTheSchemaLimitSayingSo() {
        String huge = "Error: Could not process rule: " + "x".repeat(200_000);
        String bounded = NodeRuleSetStatusReporter.bounded(huge);
        assertThat(bounded).hasSize((int) SchemaRules.MAX_ERROR_LENGTH)
                .startsWith("Error: Could not process rule: ")
                .endsWith(" ... (cut: " + huge.length() + " characters)");
    }
}
