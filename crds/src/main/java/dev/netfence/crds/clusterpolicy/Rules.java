package dev.netfence.crds.clusterpolicy;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The rule, peer and protocol types of a ClusterNetworkPolicy. */
public final class Rules {

    private Rules() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class IngressRule {
        @Size(max = 100)
        @JsonPropertyDescription("An identifier for observability (at most 100 characters).")
        public String name;
        @Required
        @JsonPropertyDescription("Accept, Deny or Pass (skip the rest of this tier).")
        public String action;
        @Required
        @Size(min = 1, max = 25)
        @JsonPropertyDescription("Sources this rule applies to; any one matching.")
        public List<IngressPeer> from;
        @Size(min = 1, max = 25)
        @JsonPropertyDescription("Protocols and ports; absent: all.")
        public List<Protocol> protocols;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class EgressRule {
        @Size(max = 100)
        @JsonPropertyDescription("An identifier for observability (at most 100 characters).")
        public String name;
        @Required
        @JsonPropertyDescription("Accept, Deny or Pass (skip the rest of this tier).")
        public String action;
        @Required
        @Size(min = 1, max = 25)
        @JsonPropertyDescription("Destinations this rule applies to; any one matching.")
        public List<EgressPeer> to;
        @Size(min = 1, max = 25)
        @JsonPropertyDescription("Protocols and ports; absent: all.")
        public List<Protocol> protocols;
    }

    /** Fields of a peer that this version does not know land in {@code unknownFields}: the peer then fails closed. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class IngressPeer {
        @JsonPropertyDescription("Every pod of the namespaces matching this selector.")
        public LabelSelector namespaces;
        @JsonPropertyDescription("Pods matching podSelector in namespaces matching namespaceSelector.")
        public NamespacedPod pods;
        @JsonIgnore
        public Map<String, Object> unknownFields = new LinkedHashMap<>();

        @JsonAnySetter
        public void setUnknownField(String name, Object value) {
            unknownFields.put(name, value);
        }

        @JsonAnyGetter
        public Map<String, Object> getUnknownFields() {
            return unknownFields;
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class EgressPeer extends IngressPeer {
        @JsonPropertyDescription("The addresses of the nodes matching this selector; empty selects all nodes.")
        public LabelSelector nodes;
        @Size(min = 1, max = 25)
        @JsonPropertyDescription("CIDRs (pod traffic matches them too).")
        public List<String> networks;
        @Size(min = 1, max = 25)
        @JsonPropertyDescription("Domain names (not supported by Netfence: such a peer matches nothing).")
        public List<String> domainNames;
    }

    /** Exactly one field must be set. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Protocol {
        public ProtocolPort tcp;
        public ProtocolPort udp;
        public ProtocolPort sctp;
        @JsonPropertyDescription("A container port of the destination pod, by name.")
        public String destinationNamedPort;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ProtocolPort {
        @JsonPropertyDescription("A port number or a range.")
        public Port destinationPort;
    }

    /** Exactly one of number or range. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Port {
        @Min(1)
        @Max(65535)
        public Integer number;
        public PortRange range;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class PortRange {
        @Required
        @Min(1)
        @Max(65535)
        public Integer start;
        @Required
        @Min(1)
        @Max(65535)
        public Integer end;
    }
}
