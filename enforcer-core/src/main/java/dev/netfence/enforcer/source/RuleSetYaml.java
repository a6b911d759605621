package dev.netfence.enforcer.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.netfence.policy.compile.ResolvedRuleSet;

/**
 * The YAML form of a node's rule set ({@code ruleSet:} with the NodeRuleSet fields, {@code addressSets:}
 * with the AddressSets), as the file source reads it and tools such as the lab write it.
 */
public final class RuleSetYaml {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private RuleSetYaml() {
    }

    public static String write(ResolvedRuleSet ruleSet) {
        try {
            return YAML.writeValueAsString(ruleSet);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the rule set of node " + ruleSet.ruleSet().node(), e);
        }
    }

    /** Parses a document; {@code origin} names it in errors. */
    public static ResolvedRuleSet read(String yaml, String origin) {
        try {
            ResolvedRuleSet rs = YAML.readValue(yaml, ResolvedRuleSet.class);
            if (rs == null || rs.ruleSet() == null) {
                throw new RuleSetSourceException(origin + ": field ruleSet is missing: the document needs ruleSet: {node: ..., pods: [...], ...}");
            }
            return rs;
        } catch (MismatchedInputException e) {
            throw new RuleSetSourceException(origin + ": field " + path(e) + ": " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ")", e);
        } catch (JsonProcessingException e) {
            throw new RuleSetSourceException(origin + ": not a valid rule set document at line "
                    + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ": " + e.getOriginalMessage(), e);
        }
    }

    private static String path(MismatchedInputException e) {
        StringBuilder sb = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(ref.getFieldName());
            } else {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.length() == 0 ? "<document>" : sb.toString();
    }
}
