package dev.netfence.crds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class AddressSetSpec {
    @Required
    @JsonPropertyDescription("The set this object is a part of: the name NodeRuleSets use.")
    public String set;

    @Required
    @Min(0)
    @JsonPropertyDescription("Index of this part, from 0.")
    public Integer part;

    @Required
    @Min(1)
    @JsonPropertyDescription("Number of parts of the set.")
    public Integer parts;

    @Required
    @JsonPropertyDescription("Hash of all the set's entries, the same in every part: a reader joins parts only when they agree.")
    public String contentHash;

    @JsonPropertyDescription("Number of entries in this part.")
    public Integer size;

    @JsonPropertyDescription("Addresses (10.0.0.1), networks (10.0.0.0/24) or ranges (10.0.0.0-10.0.0.4), sorted, IPv4 first; the parts' entries concatenated in part order are the set.")
    public List<String> entries = new ArrayList<>();
}
