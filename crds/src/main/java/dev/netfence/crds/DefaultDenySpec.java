package dev.netfence.crds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class DefaultDenySpec {

    @JsonProperty("policyTypes")
    @JsonPropertyDescription("Directions to isolate: Ingress, Egress or both. Absent or empty: both.")
    public List<PolicyTypeValue> policyTypes;

    @JsonProperty("allowDNS")
    @JsonPropertyDescription("Keep egress to the cluster DNS pods (and NodeLocal DNS addresses) on the DNS ports allowed. Default true.")
    @Default("true")
    public Boolean allowDNS = Boolean.TRUE;

    @JsonProperty("allowSameNamespace")
    @JsonPropertyDescription("Allow traffic between pods of this namespace in the isolated directions. Default false.")
    @Default("false")
    public Boolean allowSameNamespace = Boolean.FALSE;

    @JsonProperty("exemptPodSelector")
    @JsonPropertyDescription("Pods of this namespace matching this selector are not isolated by this DefaultDeny. Absent: none are exempt.")
    public LabelSelector exemptPodSelector;

    @JsonProperty("enforcement")
    @JsonPropertyDescription("Enforce (default): isolate and deny. Audit: deny nothing; the connections this DefaultDeny would deny"
            + " are accepted and logged as would-deny in the flow log. Switching to Enforce is this one field.")
    @Default("Enforce")
    public EnforcementValue enforcement = EnforcementValue.Enforce;

    public enum EnforcementValue {
        Enforce, Audit
    }

    public enum PolicyTypeValue {
        Ingress, Egress
    }
}
