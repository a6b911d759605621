package dev.netfence.crds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/**
 * The spec of a {@link NodeRuleSet}: the compiler's {@code dev.netfence.policy.compile.NodeRuleSet}
 * field for field (see {@code NodeRuleSetConverter}), plus its content hash and a summary for
 * {@code kubectl get}. Lists are sorted as the compiler emits them, so equal content serializes equally.
 * Every string the enforcer turns into nftables text carries a pattern and every list a limit
 * ({@link SchemaRules}), so the API server refuses a malformed rule set before a node reads it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeRuleSetSpec {

    @Required
    @Pattern(SchemaRules.DNS_SUBDOMAIN)
    @Size(min = 1, max = SchemaRules.DNS_SUBDOMAIN_MAX_LENGTH)
    @JsonPropertyDescription("The node that enforces this rule set (also the object's name).")
    public String node;

    @Required
    @Pattern(SchemaRules.HASH)
    @JsonPropertyDescription("Hash of the rule set's content; the enforcer reports it in status.appliedHash once applied.")
    public String contentHash;

    @JsonPropertyDescription("Counts for kubectl get.")
    public Summary summary = new Summary();

    @JsonPropertyDescription("The node's own addresses and those of its host-network pods: traffic between a local pod and these is always allowed.")
    @Size(min = 0, max = SchemaRules.MAX_NODE_ADDRESSES)
    public List<@Pattern(SchemaRules.ADDRESS) @Size(min = 1, max = SchemaRules.ADDRESS_MAX_LENGTH) String> nodeAddresses = new ArrayList<>();

    @JsonPropertyDescription("The node's pods that are isolated in at least one direction; a pod not listed is not isolated.")
    @Size(min = 0, max = SchemaRules.MAX_ITEMS)
    public List<LocalPod> pods = new ArrayList<>();

    @JsonPropertyDescription("The compiled policy directions the local pods refer to.")
    @Size(min = 0, max = SchemaRules.MAX_ITEMS)
    public List<Policy> policies = new ArrayList<>();

    @JsonPropertyDescription("Names of the AddressSets the rules refer to.")
    @Size(min = 0, max = SchemaRules.MAX_ITEMS)
    public List<@Pattern(SchemaRules.DNS_LABEL) @Size(min = 1, max = SchemaRules.DNS_LABEL_MAX_LENGTH) String> addressSets = new ArrayList<>();

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Summary {
        @JsonPropertyDescription("Number of isolated local pods.")
        @Min(0)
        public Integer pods;
        @JsonPropertyDescription("Number of policy directions.")
        @Min(0)
        public Integer policies;
        @JsonPropertyDescription("Number of AddressSets referred to.")
        @Min(0)
        public Integer addressSets;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class LocalPod {
        @JsonPropertyDescription("The pod's namespace.")
        @Pattern(SchemaRules.DNS_LABEL)
        @Size(min = 1, max = SchemaRules.DNS_LABEL_MAX_LENGTH)
        public String namespace;
        @JsonPropertyDescription("The pod's name.")
        @Pattern(SchemaRules.DNS_SUBDOMAIN)
        @Size(min = 1, max = SchemaRules.DNS_SUBDOMAIN_MAX_LENGTH)
        public String name;
        @JsonPropertyDescription("The pod's IPs (status.podIPs).")
        @Size(min = 0, max = SchemaRules.MAX_POD_IPS)
        public List<@Pattern(SchemaRules.ADDRESS) @Size(min = 1, max = SchemaRules.ADDRESS_MAX_LENGTH) String> ips = new ArrayList<>();
        @JsonPropertyDescription("Ids of the policies isolating the pod for ingress; empty: ingress not isolated.")
        @Size(min = 0, max = SchemaRules.MAX_ITEMS)
        public List<@Pattern(SchemaRules.POLICY_ID) @Size(min = 1, max = SchemaRules.POLICY_ID_MAX_LENGTH) String> ingressPolicies = new ArrayList<>();
        @JsonPropertyDescription("Ids of the policies isolating the pod for egress; empty: egress not isolated.")
        @Size(min = 0, max = SchemaRules.MAX_ITEMS)
        public List<@Pattern(SchemaRules.POLICY_ID) @Size(min = 1, max = SchemaRules.POLICY_ID_MAX_LENGTH) String> egressPolicies = new ArrayList<>();
        @JsonPropertyDescription("Ids of the ClusterNetworkPolicy ingress directions whose subject selects the pod, in evaluation order"
                + " (Admin tier by priority and name, then Baseline); absent: none.")
        @Size(min = 0, max = SchemaRules.MAX_ITEMS)
        public List<@Pattern(SchemaRules.POLICY_ID) @Size(min = 1, max = SchemaRules.POLICY_ID_MAX_LENGTH) String> clusterIngress;
        @JsonPropertyDescription("The same for egress.")
        @Size(min = 0, max = SchemaRules.MAX_ITEMS)
        public List<@Pattern(SchemaRules.POLICY_ID) @Size(min = 1, max = SchemaRules.POLICY_ID_MAX_LENGTH) String> clusterEgress;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Policy {
        @JsonPropertyDescription("Stable id: kind/namespace/name/direction.")
        @Pattern(SchemaRules.POLICY_ID)
        @Size(min = 1, max = SchemaRules.POLICY_ID_MAX_LENGTH)
        public String id;
        @JsonPropertyDescription("NetworkPolicy, DefaultDeny or ClusterNetworkPolicy.")
        @Pattern(SchemaRules.POLICY_KIND)
        public String kind;
        @JsonPropertyDescription("The policy's namespace; absent for a ClusterNetworkPolicy (cluster-scoped).")
        @Pattern(SchemaRules.DNS_LABEL)
        @Size(min = 1, max = SchemaRules.DNS_LABEL_MAX_LENGTH)
        public String namespace;
        @JsonPropertyDescription("The policy's name.")
        @Pattern(SchemaRules.DNS_SUBDOMAIN)
        @Size(min = 1, max = SchemaRules.DNS_SUBDOMAIN_MAX_LENGTH)
        public String name;
        @JsonPropertyDescription("Ingress or Egress.")
        @Pattern(SchemaRules.DIRECTION)
        public String direction;
        @JsonPropertyDescription("True: the policy is audited (netfence.dev/enforcement: audit, DefaultDeny spec.enforcement: Audit):"
                + " the pods listing it are not isolated; what its rules do not allow is accepted and logged as would-deny."
                + " Absent: it enforces.")
        public Boolean audit;
        @JsonPropertyDescription("ClusterNetworkPolicy only: Admin or Baseline. Absent: the NetworkPolicy tier.")
        @Pattern(SchemaRules.TIER)
        public String tier;
        @JsonPropertyDescription("ClusterNetworkPolicy only: spec.priority (lower first). Absent: 0.")
        @Min(0)
        @Max(SchemaRules.MAX_PRIORITY)
        public Integer priority;
        @JsonPropertyDescription("The compiled rules in the order written; none: the policy isolates and allows nothing.")
        @Size(min = 0, max = SchemaRules.MAX_ITEMS)
        public List<Rule> rules = new ArrayList<>();
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Rule {
        @JsonPropertyDescription("Where the rule comes from, e.g. spec.ingress[0] or spec.allowDNS.")
        @Pattern(SchemaRules.FIELD_PATH)
        @Size(min = 1, max = SchemaRules.FIELD_PATH_MAX_LENGTH)
        public String fieldPath;
        @JsonPropertyDescription("True: every peer matches (the rule lists no peers).")
        public Boolean allPeers;
        @JsonPropertyDescription("AddressSet names; the peer must be in one of them. Empty with allPeers false: no peer matches.")
        @Size(min = 0, max = SchemaRules.MAX_ITEMS)
        public List<@Pattern(SchemaRules.DNS_LABEL) @Size(min = 1, max = SchemaRules.DNS_LABEL_MAX_LENGTH) String> peers = new ArrayList<>();
        @JsonPropertyDescription("True: every protocol and port matches (the rule lists no ports).")
        public Boolean allPorts;
        @JsonPropertyDescription("Destination port ranges.")
        @Size(min = 0, max = SchemaRules.MAX_ITEMS)
        public List<PortRange> ports = new ArrayList<>();
        @JsonPropertyDescription("Named ports resolved to (destination address, protocol, port).")
        @Size(min = 0, max = SchemaRules.MAX_ITEMS)
        public List<DestinationPort> namedPorts = new ArrayList<>();
        @JsonPropertyDescription("ClusterNetworkPolicy rules only: Accept, Deny or Pass. Absent: Accept (every NetworkPolicy rule).")
        @Pattern(SchemaRules.RULE_ACTION)
        public String action;
        @JsonPropertyDescription("ClusterNetworkPolicy rules only: the rule's name, if it has one.")
        @Pattern(SchemaRules.RULE_NAME)
        @Size(min = 0, max = SchemaRules.RULE_NAME_MAX_LENGTH)
        public String name;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class PortRange {
        @JsonPropertyDescription("TCP, UDP or SCTP.")
        @Pattern(SchemaRules.PROTOCOL)
        public String protocol;
        @JsonPropertyDescription("First port, inclusive (0 with last 65535: the whole protocol, a rule port without a number).")
        @Min(0)
        @Max(SchemaRules.MAX_PORT)
        public Integer first;
        @JsonPropertyDescription("Last port, inclusive.")
        @Min(1)
        @Max(SchemaRules.MAX_PORT)
        public Integer last;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class DestinationPort {
        @JsonPropertyDescription("The destination pod's IP.")
        @Pattern(SchemaRules.ADDRESS)
        @Size(min = 1, max = SchemaRules.ADDRESS_MAX_LENGTH)
        public String address;
        @JsonPropertyDescription("TCP, UDP or SCTP.")
        @Pattern(SchemaRules.PROTOCOL)
        public String protocol;
        @JsonPropertyDescription("The port the name resolved to.")
        @Min(1)
        @Max(SchemaRules.MAX_PORT)
        public Integer port;
    }
}
