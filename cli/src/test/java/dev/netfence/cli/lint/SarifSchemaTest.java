package dev.netfence.cli.lint;

import static dev.netfence.cli.lint.LintCommandTest.lint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * lint's SARIF validated against the SARIF 2.1.0 JSON schema (OASIS, final: 2.1.0-rtm.5, draft-04)
 * with a JSON-schema validator (networknt). The schema is not committed: .ci/run fetches it from
 * the npm registry ({@code npm pack @microsoft/jest-sarif@1.0.0-beta.0}, which ships it) into
 * {@code cli/target/sarif-schema}; without it the test is skipped, saying so.
 */
class SarifSchemaTest {

    static final Path SCHEMA = Path.of("target/sarif-schema/package/lib/schemas/sarif-2.1.0-rtm.5.json");
    static final ObjectMapper JSON = new ObjectMapper();
    static Schema schema;

    @BeforeAll
    static void loadSchema() throws IOException {
        assumeTrue(Files.isRegularFile(SCHEMA), "needs the SARIF 2.1.0 schema at cli/" + SCHEMA + ": .ci/run fetches it "
                + "with npm pack @microsoft/jest-sarif@1.0.0-beta.0");
        try (InputStream in = Files.newInputStream(SCHEMA)) {
            schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(in);
        }
    }

    private static List<String> errors(JsonNode sarif) {
        return schema.validate(sarif).stream().map(Error::toString).toList();
    }

    @Test
    void theSampleRepositorysSarifIsValid() {
        GitOpsLintTest.assumeKubectl();
        JsonNode sarif = JSON.readTree(lint("-f", GitOpsLintTest.REPO, "--base-dir", GitOpsLintTest.REPO, "--format", "sarif").out());
        assertThat(sarif.at("/runs/0/results")).hasSize(4);
        assertThat(errors(sarif)).isEmpty();
    }

    @Test
    void invalidInputAsSarifIsValid() {
        JsonNode sarif = JSON.readTree(lint("-f", LintCommandTest.LINT + "broken", "--format", "sarif").out());
        assertThat(sarif.at("/runs/0/results/0/ruleId").asText()).isEqualTo("invalid");
        assertThat(errors(sarif)).isEmpty();
        JsonNode unparsable = JSON.readTree(lint("-f", "src/test/resources/bad/unclosed.yaml", "--format", "sarif").out());
        assertThat(errors(unparsable)).isEmpty();
    }

    @Test
    void aCleanRunIsValid() {
        JsonNode sarif = JSON.readTree(lint("-f", GitOpsLintTest.REPO + "/cluster", "--format", "sarif").out());
        assertThat(sarif.at("/runs/0/results")).isEmpty();
        assertThat(errors(sarif)).isEmpty();
    }

    /** The validator does reject what the schema forbids: the check above is not vacuous. */
    @Test
    void theSchemaRefusesABrokenLog() {
        JsonNode sarif = JSON.readTree(lint("-f", LintCommandTest.LINT + "broken", "--format", "sarif").out());
        ObjectNode broken = (ObjectNode) sarif.deepCopy();
        broken.put("version", "2.0.0");
        ((ObjectNode) broken.at("/runs/0/results/0")).put("level", "fatal");
        assertThat(errors(broken)).hasSizeGreaterThanOrEqualTo(2);
    }
}
