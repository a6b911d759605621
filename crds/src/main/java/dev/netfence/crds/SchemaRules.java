package dev.netfence.crds;

/**
 * The patterns and limits the CRD schemas of {@link NodeRuleSet} and {@link AddressSet} carry, so
 * that the API server refuses a malformed object before any enforcer reads it (the enforcer parses
 * every field again with the engine's strict parser: the schema is the first wall, not the only one).
 *
 * <p>The API server checks an OpenAPI {@code pattern} with Go's RE2 {@code regexp}, unanchored: every
 * pattern here is anchored with {@code ^...$} and uses only constructs RE2 and {@code java.util.regex}
 * read alike (no look-around, no back-references), so {@code CrdSchemaTest} (cli) can check them in
 * Java. Addresses are checked with patterns rather than the CEL {@code isIP()}/{@code isCIDR()}
 * functions: the API server added those in Kubernetes 1.30 and accepts them in CRD rules from 1.31 (a
 * new CEL library is usable one release after it ships), and a CEL rule on a list item counts 65,536
 * times against the cost budget the API server estimates for a CRD's rules, while a pattern works on
 * every version at no such cost. The patterns accept the canonical text the engine writes
 * ({@code IpAddress#toString}: dotted quads without leading zeros, RFC 5952 lowercase IPv6); an
 * address in another spelling is refused, which the operator never writes.
 *
 * <p>Limits: etcd refuses a request above 1.5 MiB, so a list of {@link #MAX_ITEMS} elements of 24 bytes
 * or more (every element of a NodeRuleSet list is: a set name {@code "as-<16 hex>",} takes 22 bytes,
 * a policy id at least 25) no longer fits in an object at all. No list the operator writes comes near
 * the limit: AddressSet parts hold at most 52,429 entries ({@code AddressSetParts.MAX_PART_BYTES},
 * 512 KiB, of the shortest entries, 10 bytes with quotes and comma); a rule's peers and ports come from
 * one rule of one NetworkPolicy, itself below 1.5 MiB; a node's pods are bounded by the kubelet's
 * maxPods (110 by default). The limits bound what a reader and the CEL cost estimator must expect;
 * strings are bounded by what Kubernetes allows for the name they carry.
 */
public final class SchemaRules {

    private SchemaRules() {
    }

    private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
    private static final String IPV4 = OCTET + "\\." + OCTET + "\\." + OCTET + "\\." + OCTET;
    private static final String HEX = "[0-9a-f]{1,4}";
    /** Every way to write 8 groups with at most one {@code ::} (RFC 4291 2.2, lowercase, no embedded IPv4). */
    private static final String IPV6 = "("
            + "(" + HEX + ":){7}" + HEX
            + "|(" + HEX + ":){1,7}:"
            + "|(" + HEX + ":){1,6}:" + HEX
            + "|(" + HEX + ":){1,5}(:" + HEX + "){1,2}"
            + "|(" + HEX + ":){1,4}(:" + HEX + "){1,3}"
            + "|(" + HEX + ":){1,3}(:" + HEX + "){1,4}"
            + "|(" + HEX + ":){1,2}(:" + HEX + "){1,5}"
            + "|" + HEX + ":(:" + HEX + "){1,6}"
            + "|:((:" + HEX + "){1,7}|:)"
            + ")";
    private static final String PREFIX4 = "/(3[0-2]|[12]?[0-9])";
    private static final String PREFIX6 = "/(12[0-8]|1[01][0-9]|[1-9]?[0-9])";

    /** One IPv4 or IPv6 address. */
    public static final String ADDRESS = "^(" + IPV4 + "|" + IPV6 + ")$";
    /** An AddressSet entry: an address, a network ({@code 10.0.0.0/24}) or a range ({@code 10.0.0.0-10.0.0.4}) of one family. */
    public static final String ENTRY = "^(" + IPV4 + "(" + PREFIX4 + "|-" + IPV4 + ")?|" + IPV6 + "(" + PREFIX6 + "|-" + IPV6 + ")?)$";
    /** The longest entry: two full IPv6 addresses and a dash. */
    public static final int ENTRY_MAX_LENGTH = 79;
    public static final int ADDRESS_MAX_LENGTH = 39;

    private static final String LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    /** An RFC 1123 label: namespaces, AddressSet names (the engine's {@code as-<hash>}). */
    public static final String DNS_LABEL = "^" + LABEL + "$";
    public static final int DNS_LABEL_MAX_LENGTH = 63;
    private static final String SUBDOMAIN = LABEL + "(\\." + LABEL + ")*";
    /** An RFC 1123 subdomain: node, pod and policy names. */
    public static final String DNS_SUBDOMAIN = "^" + SUBDOMAIN + "$";
    public static final int DNS_SUBDOMAIN_MAX_LENGTH = 253;

    public static final String POLICY_KIND = "^(NetworkPolicy|DefaultDeny|ClusterNetworkPolicy)$";
    /** A ClusterNetworkPolicy's {@code spec.tier} ({@code Tier}). */
    public static final String TIER = "^(Admin|Baseline)$";
    /** A ClusterNetworkPolicy rule's {@code action} ({@code RuleAction}). */
    public static final String RULE_ACTION = "^(Accept|Deny|Pass)$";
    /** A ClusterNetworkPolicy rule's {@code name}: upstream "MaxLength=100", free text; printable, no quotes or backslashes (it goes into nft comments). */
    public static final String RULE_NAME = "^[^\\\\\"\\x00-\\x1f\\x7f]*$";
    public static final int RULE_NAME_MAX_LENGTH = 100;
    /** ClusterNetworkPolicy {@code spec.priority}: "a value from 0 to 1000". */
    public static final int MAX_PRIORITY = 1000;
    public static final String DIRECTION = "^(Ingress|Egress)$";
    public static final String PROTOCOL = "^(TCP|UDP|SCTP)$";
    /** {@code PolicyRules.idOf}: kind/namespace/name/direction; {@code PolicyRules.clusterIdOf}: ClusterNetworkPolicy/name/direction. */
    public static final String POLICY_ID = "^((NetworkPolicy|DefaultDeny)/" + LABEL + "|ClusterNetworkPolicy)/" + SUBDOMAIN
            + "/(Ingress|Egress)$";
    public static final int POLICY_ID_MAX_LENGTH = 20 + 1 + DNS_LABEL_MAX_LENGTH + 1 + DNS_SUBDOMAIN_MAX_LENGTH + 1 + 7;
    /** Where a compiled rule comes from: {@code spec.ingress[0]}, {@code spec.allowDNS}. */
    public static final String FIELD_PATH = "^spec(\\.[A-Za-z][A-Za-z0-9]*(\\[[0-9]+\\])?)+$";
    public static final int FIELD_PATH_MAX_LENGTH = 256;
    /** {@code ContentHash}: lowercase hex (16 digits today; up to a whole SHA-256). */
    public static final String HASH = "^[0-9a-f]{16,64}$";

    /** Every long list (see the class comment for why the operator never comes near it). */
    public static final long MAX_ITEMS = 65536;
    /** {@code status.podIPs}: at most one address per family. */
    public static final long MAX_POD_IPS = 2;
    /** A node's addresses (status.addresses) and those of its host-network pods. */
    public static final long MAX_NODE_ADDRESSES = 256;
    /** The enforcer's last error: a few nftables messages. */
    public static final long MAX_ERROR_LENGTH = 32768;
    public static final long MAX_PORT = 65535;
    /** {@code status.waitingPods}: the first pods by name; {@code status.podsWaiting} counts them all. */
    public static final long MAX_WAITING_PODS_LISTED = 20;
    /** {@code namespace/name}: a label, a slash, a subdomain. */
    public static final long POD_KEY_MAX_LENGTH = DNS_LABEL_MAX_LENGTH + 1 + DNS_SUBDOMAIN_MAX_LENGTH;
}
