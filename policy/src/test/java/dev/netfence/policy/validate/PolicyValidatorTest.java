package dev.netfence.policy.validate;

import static dev.netfence.policy.testing.Fixtures.defaultDeny;
import static dev.netfence.policy.testing.Fixtures.egress;
import static dev.netfence.policy.testing.Fixtures.exempt;
import static dev.netfence.policy.testing.Fixtures.exists;
import static dev.netfence.policy.testing.Fixtures.in;
import static dev.netfence.policy.testing.Fixtures.ingress;
import static dev.netfence.policy.testing.Fixtures.ipBlockPeer;
import static dev.netfence.policy.testing.Fixtures.matchExpressions;
import static dev.netfence.policy.testing.Fixtures.matchLabels;
import static dev.netfence.policy.testing.Fixtures.namedPort;
import static dev.netfence.policy.testing.Fixtures.namespacePeer;
import static dev.netfence.policy.testing.Fixtures.notIn;
import static dev.netfence.policy.testing.Fixtures.peers;
import static dev.netfence.policy.testing.Fixtures.podInNamespacePeer;
import static dev.netfence.policy.testing.Fixtures.podPeer;
import static dev.netfence.policy.testing.Fixtures.podSelector;
import static dev.netfence.policy.testing.Fixtures.policy;
import static dev.netfence.policy.testing.Fixtures.policyTypes;
import static dev.netfence.policy.testing.Fixtures.port;
import static dev.netfence.policy.testing.Fixtures.portRange;
import static dev.netfence.policy.testing.Fixtures.ports;
import static dev.netfence.policy.testing.Fixtures.rule;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.policy.model.IpBlock;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.PolicyPort;
import dev.netfence.policy.model.Protocol;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The validator rejects what the API server's {@code ValidateNetworkPolicy} rejects, naming the
 * object and the field path, saying what is wrong and how to fix it.
 */
class PolicyValidatorTest {

    record Case(NetworkPolicy policy, String fieldPath, String messagePart) {
    }

    static Arguments invalid(String name, NetworkPolicy policy, String fieldPath, String messagePart) {
        return Arguments.of(Named.of(name, new Case(policy, fieldPath, messagePart)));
    }

    static NetworkPolicy from(Peer peer) {
        return policy("x", "bad", ingress(rule(peers(peer))));
    }

    static NetworkPolicy to(Peer peer) {
        return policy("x", "bad", policyTypes("Egress"), egress(rule(peers(peer))));
    }

    static NetworkPolicy onPorts(PolicyPort... ports) {
        return policy("x", "bad", ingress(rule(), rule(ports(ports))));
    }

    static Peer block(String cidr, String... except) {
        return ipBlockPeer(cidr, except);
    }

    static LabelSelector.Requirement requirement(String key, String operator, String... values) {
        return new LabelSelector.Requirement(key, operator, List.of(values));
    }

    static Stream<Arguments> invalidPolicies() {
        return Stream.of(
                invalid("except outside cidr", from(block("10.0.0.0/16", "10.1.0.0/24")),
                        "spec.ingress[0].from[0].ipBlock.except[0]", "must be a strict subset of `cidr` (10.0.0.0/16), got 10.1.0.0/24"),
                invalid("except equal to cidr", to(block("10.0.0.0/16", "10.0.5.0/24", "10.0.0.0/16")),
                        "spec.egress[0].to[0].ipBlock.except[1]", "must be a strict subset of `cidr`"),
                invalid("except larger than cidr", from(block("10.0.0.0/16", "10.0.0.0/8")),
                        "spec.ingress[0].from[0].ipBlock.except[0]", "must be a strict subset of `cidr`"),
                invalid("except of the other family", from(block("10.0.0.0/8", "fd00::/64")),
                        "spec.ingress[0].from[0].ipBlock.except[0]", "must be a strict subset of `cidr`"),
                invalid("v6 except outside cidr", from(block("fd00:1::/64", "fd00:2::/96")),
                        "spec.ingress[0].from[0].ipBlock.except[0]", "must be a strict subset of `cidr` (fd00:1::/64)"),
                invalid("unparseable except", from(block("10.0.0.0/8", "10.0.0.0")),
                        "spec.ingress[0].from[0].ipBlock.except[0]", "add the prefix length"),
                invalid("cidr without prefix", from(block("10.0.0.1")),
                        "spec.ingress[0].from[0].ipBlock.cidr", "\"10.0.0.1\" is not a CIDR: add the prefix length, for example 10.0.0.1/32"),
                invalid("cidr prefix too long (v4)", from(block("10.0.0.0/33")),
                        "spec.ingress[0].from[0].ipBlock.cidr", "invalid prefix length in \"10.0.0.0/33\": at most 32"),
                invalid("cidr prefix too long (v6)", from(block("fd00::/129")),
                        "spec.ingress[0].from[0].ipBlock.cidr", "at most 128"),
                invalid("cidr negative prefix", from(block("10.0.0.0/-1")),
                        "spec.ingress[0].from[0].ipBlock.cidr", "invalid prefix length"),
                invalid("cidr bad address", from(block("300.0.0.0/8")),
                        "spec.ingress[0].from[0].ipBlock.cidr", "invalid IP address \"300.0.0.0\""),
                invalid("cidr leading zeros", from(block("010.0.0.0/8")),
                        "spec.ingress[0].from[0].ipBlock.cidr", "invalid IP address"),
                invalid("cidr bad v6 address", from(block("fd00::1::2/64")),
                        "spec.ingress[0].from[0].ipBlock.cidr", "invalid IP address"),
                invalid("cidr empty", from(block("")),
                        "spec.ingress[0].from[0].ipBlock.cidr", "required"),
                invalid("empty peer {}", from(new Peer(null, null, null)),
                        "spec.ingress[0].from[0]", "must specify a peer"),
                invalid("empty peer in egress", to(new Peer(null, null, null)),
                        "spec.egress[0].to[0]", "to allow all peers, omit the whole from/to list"),
                invalid("ipBlock combined with podSelector",
                        from(new Peer(matchLabels("a=b"), null, new IpBlock("10.0.0.0/8", List.of()))),
                        "spec.ingress[0].from[0]", "ipBlock cannot be combined with podSelector or namespaceSelector"),
                invalid("ipBlock combined with namespaceSelector",
                        to(new Peer(null, matchLabels(), new IpBlock("10.0.0.0/8", List.of()))),
                        "spec.egress[0].to[0]", "may not specify more than 1 peer type"),
                invalid("endPort with a named port", onPorts(new PolicyPort("TCP", null, "http", 90)),
                        "spec.ingress[1].ports[0].endPort", "may not be set when port is a name (\"http\")"),
                invalid("endPort below port", onPorts(port(80), portRange(Protocol.UDP, 81, 80)),
                        "spec.ingress[1].ports[1].endPort", "must be greater than or equal to port (81), got 80"),
                invalid("endPort without port", onPorts(new PolicyPort("TCP", null, null, 90)),
                        "spec.ingress[1].ports[0].endPort", "may not be set when port is not set"),
                invalid("endPort out of range", onPorts(portRange(Protocol.TCP, 80, 70000)),
                        "spec.ingress[1].ports[0].endPort", "must be between 1 and 65535"),
                invalid("port 0", onPorts(port(0)), "spec.ingress[1].ports[0].port", "must be between 1 and 65535, inclusive (got 0)"),
                invalid("port 65536", onPorts(port(65536)), "spec.ingress[1].ports[0].port", "(got 65536)"),
                invalid("unknown protocol", onPorts(new PolicyPort("ICMP", 80, null, null)),
                        "spec.ingress[1].ports[0].protocol", "unsupported value \"ICMP\": supported values are \"TCP\", \"UDP\" and \"SCTP\""),
                invalid("protocol in lower case", onPorts(new PolicyPort("tcp", 80, null, null)),
                        "spec.ingress[1].ports[0].protocol", "unsupported value \"tcp\""),
                invalid("port name too long", onPorts(namedPort("serve-80-tcp-long")),
                        "spec.ingress[1].ports[0].port", "invalid port name \"serve-80-tcp-long\""),
                invalid("port name with upper case", onPorts(namedPort("Http")),
                        "spec.ingress[1].ports[0].port", "at most 15 lowercase letters"),
                invalid("port name with '--'", onPorts(namedPort("serve--80")), "spec.ingress[1].ports[0].port", "repeat '-'"),
                invalid("port name without a letter", onPorts(namedPort("8-0")), "spec.ingress[1].ports[0].port", "contains a letter"),
                invalid("policyTypes value", policy("x", "bad", policyTypes("Ingress", "Both")),
                        "spec.policyTypes[1]", "unsupported value \"Both\": supported values are \"Ingress\" and \"Egress\""),
                invalid("policyTypes in lower case", policy("x", "bad", policyTypes("egress")),
                        "spec.policyTypes[0]", "unsupported value \"egress\""),
                invalid("policyTypes duplicate", policy("x", "bad", policyTypes("Egress", "Egress")),
                        "spec.policyTypes[1]", "duplicate value \"Egress\""),
                invalid("unknown operator", policy("x", "bad", podSelector(matchExpressions(requirement("app", "Equals", "web")))),
                        "spec.podSelector.matchExpressions[0].operator",
                        "unsupported value \"Equals\": supported values are \"In\", \"NotIn\", \"Exists\" and \"DoesNotExist\""),
                invalid("operator in lower case", from(podPeer(matchExpressions(exists("app"), requirement("tier", "in", "a")))),
                        "spec.ingress[0].from[0].podSelector.matchExpressions[1].operator", "unsupported value \"in\""),
                invalid("In without values", from(namespacePeer(matchExpressions(requirement("team", "In")))),
                        "spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values", "must be specified when `operator` is 'In'"),
                invalid("NotIn without values", to(podInNamespacePeer(matchLabels(), matchExpressions(requirement("team", "NotIn")))),
                        "spec.egress[0].to[0].namespaceSelector.matchExpressions[0].values", "must be specified when `operator` is 'NotIn'"),
                invalid("Exists with values", from(podPeer(matchExpressions(requirement("app", "Exists", "web")))),
                        "spec.ingress[0].from[0].podSelector.matchExpressions[0].values",
                        "may not be specified when `operator` is 'Exists'"),
                invalid("DoesNotExist with values", policy("x", "bad", podSelector(matchExpressions(requirement("app", "DoesNotExist", "x")))),
                        "spec.podSelector.matchExpressions[0].values", "may not be specified when `operator` is 'DoesNotExist'"),
                invalid("invalid value in In", from(podPeer(matchExpressions(in("app", "web", "not valid!")))),
                        "spec.ingress[0].from[0].podSelector.matchExpressions[0].values[1]", "invalid label value \"not valid!\""),
                invalid("invalid value in NotIn", policy("x", "bad", podSelector(matchExpressions(notIn("app", "-web")))),
                        "spec.podSelector.matchExpressions[0].values[0]", "invalid label value \"-web\""),
                invalid("invalid expression key", from(podPeer(matchExpressions(exists("bad key")))),
                        "spec.ingress[0].from[0].podSelector.matchExpressions[0].key", "invalid label key \"bad key\""),
                invalid("invalid matchLabels key", policy("x", "bad", podSelector(LabelSelector.of(Map.of("Bad_Prefix.io/app", "web")))),
                        "spec.podSelector.matchLabels", "invalid label key \"Bad_Prefix.io/app\""),
                invalid("invalid matchLabels value", from(namespacePeer(LabelSelector.of(Map.of("team", "a b")))),
                        "spec.ingress[0].from[0].namespaceSelector.matchLabels[team]", "invalid label value \"a b\""),
                invalid("matchLabels value too long", from(podPeer(LabelSelector.of(Map.of("team", "a".repeat(64))))),
                        "spec.ingress[0].from[0].podSelector.matchLabels[team]", "at most 63"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidPolicies")
    void rejectsWithFieldPathAndMessage(Case c) {
        List<ValidationError> errors = PolicyValidator.validate(c.policy());
        assertThat(errors).as("errors of %s", c.policy()).hasSize(1);
        ValidationError e = errors.get(0);
        assertThat(e.object().toString()).isEqualTo("NetworkPolicy x/bad");
        assertThat(e.fieldPath()).isEqualTo(c.fieldPath());
        assertThat(e.message()).contains(c.messagePart());
        assertThat(e.toString()).startsWith("NetworkPolicy x/bad: " + c.fieldPath() + ": ");
    }

    @Test
    void acceptsEveryValidForm() {
        NetworkPolicy everything = policy("x", "everything",
                podSelector(new LabelSelector(Map.of("app.kubernetes.io/name", "web", "tier", ""),
                        List.of(in("env", "prod", "staging"), notIn("track", "canary"), exists("team"),
                                new LabelSelector.Requirement("legacy", LabelSelector.Operator.DOES_NOT_EXIST, null)))),
                policyTypes("Ingress", "Egress"),
                ingress(rule(),
                        rule(peers()),
                        rule(peers(podPeer(matchLabels()), namespacePeer(matchLabels("ns=y")),
                                        podInNamespacePeer(matchLabels("pod=b"), matchExpressions(in("ns", "y", "z"))),
                                        ipBlockPeer("10.0.0.0/8", "10.1.0.0/16", "10.2.3.4/32"), ipBlockPeer("10.0.0.1/8"),
                                        ipBlockPeer("fd00::/8", "fd00:1::/32"), ipBlockPeer("0.0.0.0/0"), ipBlockPeer("::/0")),
                                ports(port(80), port(Protocol.UDP, 53), namedPort(Protocol.SCTP, "serve-80-sctp"),
                                        namedPort("h2c"), portRange(Protocol.TCP, 8000, 8080), portRange(Protocol.TCP, 1, 65535),
                                        new PolicyPort("TCP", 443, null, 443), PolicyPort.allOf(Protocol.SCTP)))),
                egress());
        assertThat(PolicyValidator.validate(everything)).isEmpty();
        assertThat(PolicyValidator.validate(policy("x", "defaults"))).isEmpty();
    }

    @Test
    void reportsEveryProblemOfOnePolicy() {
        NetworkPolicy bad = policy("x", "many",
                policyTypes("Ingres"),
                ingress(rule(peers(new Peer(null, null, null), block("10.0.0.0/16", "192.168.0.0/24")), ports(port(0)))),
                egress(rule(ports(new PolicyPort("TCP", null, "web", 81)))));
        assertThat(PolicyValidator.validate(bad)).extracting(ValidationError::fieldPath).containsExactly(
                "spec.policyTypes[0]",
                "spec.ingress[0].ports[0].port",
                "spec.ingress[0].from[0]",
                "spec.ingress[0].from[1].ipBlock.except[0]",
                "spec.egress[0].ports[0].endPort");
    }

    @Test
    void tooManyPolicyTypes() {
        assertThat(PolicyValidator.validate(policy("x", "bad", policyTypes("Ingress", "Egress", "Ingress"))))
                .extracting(ValidationError::toString).containsExactly(
                        "NetworkPolicy x/bad: spec.policyTypes: may not have more than 2 entries (Ingress, Egress)",
                        "NetworkPolicy x/bad: spec.policyTypes[2]: duplicate value \"Ingress\"");
    }

    @Test
    void validatesTheDefaultDenyExemptSelector() {
        assertThat(PolicyValidator.validate(defaultDeny("x"))).isEmpty();
        assertThat(PolicyValidator.validate(defaultDeny("x", exempt(matchLabels("role=monitoring"))))).isEmpty();
        List<ValidationError> errors = PolicyValidator.validate(defaultDeny("x",
                exempt(matchExpressions(requirement("role", "Within", "a")))));
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.object().toString()).isEqualTo("DefaultDeny x/default-deny");
            assertThat(e.fieldPath()).isEqualTo("spec.exemptPodSelector.matchExpressions[0].operator");
            assertThat(e.message()).contains("unsupported value \"Within\"");
        });
    }
}
