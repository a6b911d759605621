package dev.netfence.crds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.List;

/**
 * The spec of a {@link NodeRuleSet}: the compiler's {@code dev.netfence.policy.compile.NodeRuleSet}
 * field for field (see {@code NodeRuleSetConverter}), plus its content hash and a summary for
 * {@code kubectl get}. Lists are sorted as the compiler emits them, so equal content serializes equally.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeRuleSetSpec {

    @Required
    @JsonPropertyDescription("The node that enforces this rule set (also the object's name).")
    public String node;

    @Required
    @JsonPropertyDescription("Hash of the rule set's content; the enforcer reports it in status.appliedHash once applied.")
    public String contentHash;

    @JsonPropertyDescription("Counts for kubectl get.")
    public Summary summary = new Summary();

    @JsonPropertyDescription("The node's own addresses and those of its host-network pods: traffic between a local pod and these is always allowed.")
    public List<String> nodeAddresses = new ArrayList<>();

    @JsonPropertyDescription("The node's pods that are isolated in at least one direction; a pod not listed is not isolated.")
    public List<LocalPod> pods = new ArrayList<>();

    @JsonPropertyDescription("The compiled policy directions the local pods refer to.")
    public List<Policy> policies = new ArrayList<>();

    @JsonPropertyDescription("Names of the AddressSets the rules refer to.")
    public List<String> addressSets = new ArrayList<>();

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Summary {
        @JsonPropertyDescription("Number of isolated local pods.")
        public Integer pods;
        @JsonPropertyDescription("Number of policy directions.")
        public Integer policies;
        @JsonPropertyDescription("Number of AddressSets referred to.")
        public Integer addressSets;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class LocalPod {
        @JsonPropertyDescription("The pod's namespace.")
        public String namespace;
        @JsonPropertyDescription("The pod's name.")
        public String name;
        @JsonPropertyDescription("The pod's IPs (status.podIPs).")
        public List<String> ips = new ArrayList<>();
        @JsonPropertyDescription("Ids of the policies isolating the pod for ingress; empty: ingress not isolated.")
        public List<String> ingressPolicies = new ArrayList<>();
        @JsonPropertyDescription("Ids of the policies isolating the pod for egress; empty: egress not isolated.")
        public List<String> egressPolicies = new ArrayList<>();
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Policy {
        @JsonPropertyDescription("Stable id: kind/namespace/name/direction.")
        public String id;
        @JsonPropertyDescription("NetworkPolicy or DefaultDeny.")
        public String kind;
        @JsonPropertyDescription("The policy's namespace.")
        public String namespace;
        @JsonPropertyDescription("The policy's name.")
        public String name;
        @JsonPropertyDescription("Ingress or Egress.")
        public String direction;
        @JsonPropertyDescription("The compiled rules in the order written; none: the policy isolates and allows nothing.")
        public List<Rule> rules = new ArrayList<>();
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Rule {
        @JsonPropertyDescription("Where the rule comes from, e.g. spec.ingress[0] or spec.allowDNS.")
        public String fieldPath;
        @JsonPropertyDescription("True: every peer matches (the rule lists no peers).")
        public Boolean allPeers;
        @JsonPropertyDescription("AddressSet names; the peer must be in one of them. Empty with allPeers false: no peer matches.")
        public List<String> peers = new ArrayList<>();
        @JsonPropertyDescription("True: every protocol and port matches (the rule lists no ports).")
        public Boolean allPorts;
        @JsonPropertyDescription("Destination port ranges.")
        public List<PortRange> ports = new ArrayList<>();
        @JsonPropertyDescription("Named ports resolved to (destination address, protocol, port).")
        public List<DestinationPort> namedPorts = new ArrayList<>();
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class PortRange {
        @JsonPropertyDescription("TCP, UDP or SCTP.")
        public String protocol;
        @JsonPropertyDescription("First port, inclusive.")
        public Integer first;
        @JsonPropertyDescription("Last port, inclusive.")
        public Integer last;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class DestinationPort {
        @JsonPropertyDescription("The destination pod's IP.")
        public String address;
        @JsonPropertyDescription("TCP, UDP or SCTP.")
        public String protocol;
        @JsonPropertyDescription("The port the name resolved to.")
        public Integer port;
    }
}
