package dev.netfence.crds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class CriticalFlowSpec {

    @JsonPropertyDescription("What the flow is for, shown in findings.")
    public String description;

    @Required
    @JsonPropertyDescription("The pods that must keep the flow.")
    public Source source = new Source();

    @Required
    @JsonPropertyDescription("Where they must still reach: pods (namespaceSelector + podSelector) and/or addresses (ips).")
    public Destination destination = new Destination();

    @Required
    @Size(min = 1)
    @JsonPropertyDescription("The ports of the flow; a destination pod that does not expose a named port is not part of the flow on it.")
    public List<Port> ports = new ArrayList<>();

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Source {
        @JsonPropertyDescription("Namespaces of the source pods. Absent: every namespace.")
        public LabelSelector namespaceSelector;

        @JsonPropertyDescription("Source pods within those namespaces. Absent: every pod.")
        public LabelSelector podSelector;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Destination {
        @JsonPropertyDescription("Namespaces of the destination pods. Absent: every namespace (only used with podSelector).")
        public LabelSelector namespaceSelector;

        @JsonPropertyDescription("Destination pods. Absent: no destination pods, only the ips.")
        public LabelSelector podSelector;

        @JsonPropertyDescription("Destination addresses that are part of the flow, e.g. NodeLocal DNSCache 169.254.20.10 or a ClusterIP.")
        public List<String> ips;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Port {
        @JsonPropertyDescription("TCP, UDP or SCTP. Default TCP.")
        @Default("TCP")
        public ProtocolValue protocol = ProtocolValue.TCP;

        @Required
        @JsonPropertyDescription("A port number, or the name of a container port of the destination pods.")
        public IntOrString port;

        @JsonPropertyDescription("What cutting this port costs: Error refuses the change, Warning lets it through with a warning. Default Error.")
        @Default("Error")
        public SeverityValue severity = SeverityValue.Error;
    }

    public enum ProtocolValue {
        TCP, UDP, SCTP
    }

    public enum SeverityValue {
        Error, Warning
    }
}
