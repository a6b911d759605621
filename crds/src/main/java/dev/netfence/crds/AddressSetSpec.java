package dev.netfence.crds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/**
 * One part of a set of peer addresses. Entries carry a pattern ({@link SchemaRules#ENTRY}): the API
 * server refuses anything but canonical addresses, networks and ranges before an enforcer reads it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.part < self.parts", message = "spec.part must be below spec.parts")
@ValidationRule(value = "!has(self.size) || self.size == (has(self.entries) ? size(self.entries) : 0)", message = "spec.size must be the number of spec.entries")
public class AddressSetSpec {
    @Required
    @JsonPropertyDescription("The set this object is a part of: the name NodeRuleSets use.")
    @Pattern(SchemaRules.DNS_LABEL)
    @Size(min = 1, max = SchemaRules.DNS_LABEL_MAX_LENGTH)
    public String set;

    @Required
    @Min(0)
    @Max(SchemaRules.MAX_ITEMS)
    @JsonPropertyDescription("Index of this part, from 0.")
    public Integer part;

    @Required
    @Min(1)
    @Max(SchemaRules.MAX_ITEMS)
    @JsonPropertyDescription("Number of parts of the set.")
    public Integer parts;

    @Required
    @JsonPropertyDescription("Hash of all the set's entries, the same in every part: a reader joins parts only when they agree.")
    @Pattern(SchemaRules.HASH)
    public String contentHash;

    @JsonPropertyDescription("Number of entries in this part.")
    @Min(0)
    @Max(SchemaRules.MAX_ITEMS)
    public Integer size;

    @JsonPropertyDescription("Addresses (10.0.0.1), networks (10.0.0.0/24) or ranges (10.0.0.0-10.0.0.4), sorted, IPv4 first; the parts' entries concatenated in part order are the set.")
    @Size(min = 0, max = SchemaRules.MAX_ITEMS)
    public List<@Pattern(SchemaRules.ENTRY) @Size(min = 1, max = SchemaRules.ENTRY_MAX_LENGTH) String> entries = new ArrayList<>();
}
