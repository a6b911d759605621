package dev.netfence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netfence.crds.AddressSetSpec;
import dev.netfence.crds.SchemaRules;
import dev.netfence.crds.manifest.ManifestLoader;
import dev.netfence.crds.ruleset.AddressSetParts;
import dev.netfence.operator.publish.ObjectWriter;
import dev.netfence.operator.publish.Publisher;
import dev.netfence.operator.publish.PublishedObjects;
import dev.netfence.policy.compile.AddressSet;
import dev.netfence.policy.compile.CompiledCluster;
import dev.netfence.policy.compile.RuleSetCompiler;
import dev.netfence.policy.model.ClusterNetworkPolicy;
import dev.netfence.policy.model.ClusterPeer;
import dev.netfence.policy.model.ClusterPort;
import dev.netfence.policy.model.ClusterRule;
import dev.netfence.policy.model.ClusterSubject;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.model.RuleAction;
import dev.netfence.policy.model.Tier;
import dev.netfence.policy.net.IpAddress;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CRD schemas of NodeRuleSet and AddressSet (crds/*.yml, generated from the CR classes by the
 * build) refuse malformed objects, and admit every object the operator writes: the sample cluster and a
 * dual-stack fixture are compiled and published through the operator's own {@link Publisher}, and each
 * written object is checked against the generated YAML as the API server would check it
 * ({@link CrdSchema}: patterns with Go's regexp semantics, limits, CEL rules with cel-java).
 */
class CrdSchemaTest {

    static final Path CRDS = Path.of("../crds");
    static final ObjectMapper JSON = new ObjectMapper();
    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    static CrdSchema nodeRuleSets;
    static CrdSchema addressSets;
    /** What the operator writes for samples/ + the dual-stack fixture, as JSON. */
    static final List<JsonNode> written = new ArrayList<>();

    @BeforeAll
    static void publishTheSampleCluster() throws Exception {
        nodeRuleSets = CrdSchema.load(CRDS.resolve("noderulesets.netfence.dev-v1.yml"));
        addressSets = CrdSchema.load(CRDS.resolve("addresssets.netfence.dev-v1.yml"));
        var samples = ManifestLoader.load(Path.of("../samples"), Path.of("src/test/resources/schema/dual-stack.yaml")).snapshot();
        // the samples as they are first (what sampleRuleSet picks from), then with ClusterNetworkPolicies
        for (CompiledCluster compiled : List.of(RuleSetCompiler.compile(samples), RuleSetCompiler.compile(withTiers(samples)))) {
            publish(compiled);
        }
    }

    static void publish(CompiledCluster compiled) {
        new Publisher(new ObjectWriter() {
            @Override
            public void write(dev.netfence.crds.NodeRuleSet ruleSet) {
                written.add(json(ruleSet));
            }

            @Override
            public void write(dev.netfence.crds.AddressSet part) {
                written.add(json(part));
            }

            @Override
            public void deleteNodeRuleSet(String name) {
            }

            @Override
            public void deleteAddressSet(String name) {
            }
        }).publish(compiled, new NothingPublished());
    }

    /**
     * The samples with two ClusterNetworkPolicies selecting every pod, so that the written rule sets
     * hold tier content too: both tiers, priorities, every action, a fail-closed rule, a rule name
     * with spaces and punctuation, every peer kind and a named port.
     */
    static dev.netfence.policy.model.ClusterSnapshot withTiers(dev.netfence.policy.model.ClusterSnapshot s) {
        var all = dev.netfence.policy.model.LabelSelector.ALL;
        return s.toBuilder()
                .clusterPolicy(new ClusterNetworkPolicy("guard", Tier.ADMIN, 0, ClusterSubject.namespaces(all),
                        List.of(new ClusterRule(null, RuleAction.DENY, List.of(new ClusterPeer.Unknown("domainNames")), List.of())),
                        List.of(new ClusterRule("pass (own namespace), then NetworkPolicy", RuleAction.PASS,
                                        List.of(new ClusterPeer.Namespaces(all)), List.of()),
                                new ClusterRule("no-nodes", RuleAction.DENY, List.of(new ClusterPeer.Nodes(all)), List.of()))))
                .clusterPolicy(new ClusterNetworkPolicy("baseline", Tier.BASELINE, 1000, ClusterSubject.pods(all, all),
                        List.of(new ClusterRule("internal", RuleAction.ACCEPT, List.of(new ClusterPeer.Networks(List.of("10.0.0.0/8"))),
                                List.of(ClusterPort.named("http"), ClusterPort.range(Protocol.TCP, 8000, 8999)))),
                        List.of(new ClusterRule("deny-pods", RuleAction.DENY, List.of(new ClusterPeer.Pods(all, all)), List.of()))))
                .build();
    }

    static JsonNode json(CustomResource<?, ?> resource) {
        try {
            return JSON.readTree(SERIALIZATION.asJson(resource));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static CrdSchema schemaOf(JsonNode object) {
        return object.path("kind").asText().equals("NodeRuleSet") ? nodeRuleSets : addressSets;
    }

    @Test
    void everyStringHasAPatternOrALengthLimitAndEveryListALimit() {
        for (CrdSchema crd : List.of(nodeRuleSets, addressSets)) {
            List<String> unbounded = new ArrayList<>();
            walk(crd.root(), "", unbounded);
            assertThat(unbounded).as("fields without a limit").isEmpty();
            assertThat(crd.root().path("x-kubernetes-validations")).as("the CEL rule on the name").hasSize(1);
        }
        JsonNode entries = addressSets.root().at("/properties/spec/properties/entries");
        assertThat(entries.at("/items/pattern").asText()).isEqualTo(SchemaRules.ENTRY);
        assertThat(entries.path("maxItems").asLong()).isEqualTo(SchemaRules.MAX_ITEMS);
        JsonNode port = nodeRuleSets.root().at("/properties/spec/properties/policies/items/properties/rules/items/properties/ports/items/properties");
        assertThat(port.at("/first/minimum").asInt()).isZero();
        assertThat(port.at("/last/maximum").asInt()).isEqualTo(65535);
        assertThat(port.at("/protocol/pattern").asText()).isEqualTo("^(TCP|UDP|SCTP)$");
    }

    /** Strings: a pattern or a maxLength; arrays: a maxItems; integers: a minimum. */
    static void walk(JsonNode s, String path, List<String> unbounded) {
        switch (s.path("type").asText()) {
            case "string" -> {
                if (!s.has("pattern") && !s.has("maxLength")) {
                    unbounded.add(path + " (string)");
                }
            }
            case "array" -> {
                if (!s.has("maxItems")) {
                    unbounded.add(path + " (array)");
                }
                walk(s.path("items"), path + "[]", unbounded);
            }
            case "integer" -> {
                if (!s.has("minimum")) {
                    unbounded.add(path + " (integer)");
                }
            }
            default -> CrdSchema.properties(s).forEach((k, v) -> walk(v, path + "." + k, unbounded));
        }
    }

    @Test
    void everyObjectTheOperatorWritesIsAdmitted() {
        assertThat(written).isNotEmpty();
        for (JsonNode o : written) {
            assertThat(schemaOf(o).violations(o)).as("%s %s", o.path("kind").asText(), o.at("/metadata/name").asText()).isEmpty();
        }
        // the fixture reaches every shape of value (so the check above is not vacuous)
        String all = written.toString();
        assertThat(all).contains("\"node\":\"node-3.zone-a.example\"", "fd00:244:3::a", "\"protocol\":\"SCTP\"",
                "\"first\":0,\"last\":65535", "\"namedPorts\":[{", "\"fieldPath\":\"spec.allowDNS\"",
                "\"tier\":\"Admin\"", "\"tier\":\"Baseline\"", "\"priority\":1000", "\"action\":\"Pass\"", "\"action\":\"Deny\"",
                "\"name\":\"pass (own namespace), then NetworkPolicy\"", "\"clusterIngress\":[", "\"clusterEgress\":[");
        assertThat(written.stream().flatMap(o -> stream(o.at("/spec/entries"))).map(JsonNode::asText))
                .anyMatch(e -> e.contains(":") && e.contains("-"))
                .anyMatch(e -> e.contains(".") && e.contains("-"))
                .anyMatch(e -> e.contains(":") && e.contains("/"))
                .anyMatch(e -> e.contains(".") && e.contains("/"));
    }

    @Test
    void theLargestSetsTheOperatorCanWriteAreAdmittedPartByPart() {
        // IPv4 entries as short as they get (the most entries per part: AddressSetParts cuts by bytes), then IPv6
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < 60_000; i++) {
            entries.add(new IpAddress(false, 0, (1L << 24) + i).toString());
        }
        for (int i = 0; i < 60_000; i++) {
            entries.add(new IpAddress(true, 0xfd00_0244_0000_0000L, 0xffff_ffff_0000_0000L + i).toString());
        }
        List<dev.netfence.crds.AddressSet> parts = AddressSetParts.split(new AddressSet("as-0123456789abcdef", entries));
        assertThat(parts).hasSizeGreaterThan(2);
        for (dev.netfence.crds.AddressSet part : parts) {
            JsonNode o = json(part);
            assertThat(addressSets.violations(o)).as(part.getMetadata().getName()).isEmpty();
            assertThat(o.toString().length()).as("bytes of %s", part.getMetadata().getName()).isLessThan(1024 * 1024);
        }
    }

    static Stream<Arguments> hostileAddressSets() {
        return Stream.of(
                hostile("nftables injection in an entry", "spec.entries[0]",
                        s -> s.entries.set(0, "10.70.1.10 }\n}\nchain egress { accept }\ntable ip other { }")),
                hostile("statement separator", "spec.entries[0]", s -> s.entries.set(0, "10.0.0.1; flush ruleset")),
                hostile("trailing newline", "spec.entries[0]", s -> s.entries.set(0, "10.0.0.1\n")),
                hostile("octet above 255", "spec.entries[0]", s -> s.entries.set(0, "10.0.0.256")),
                hostile("prefix above 32", "spec.entries[0]", s -> s.entries.set(0, "10.0.0.0/33")),
                hostile("mixed families in a range", "spec.entries[0]", s -> s.entries.set(0, "10.0.0.1-fd00::1")),
                hostile("fullwidth digits", "spec.entries[0]", s -> s.entries.set(0, "\uff11\uff10.0.0.1")),
                hostile("a name, not an address", "spec.entries[0]", s -> s.entries.set(0, "example.com")),
                hostile("uppercase IPv6 (not canonical)", "spec.entries[0]", s -> s.entries.set(0, "FD00::1")),
                hostile("two double colons", "spec.entries[0]", s -> s.entries.set(0, "fd00::1::2")),
                hostile("a huge entry", "spec.entries[0]", s -> s.entries.set(0, "1".repeat(100_000))),
                hostile("set name with a quote", "spec.set", s -> s.set = "as-x\"; drop"),
                hostile("uppercase set name", "spec.set", s -> s.set = "AS-1"),
                hostile("hash that is not hex", "spec.contentHash", s -> s.contentHash = "zz{}"),
                hostile("part beyond parts", "spec", s -> s.part = 3),
                hostile("size that lies", "spec", s -> s.size = 7),
                hostile("too many entries", "spec.entries", s -> {
                    s.entries = new ArrayList<>();
                    for (int i = 0; i <= SchemaRules.MAX_ITEMS; i++) {
                        s.entries.add("10.0.0.1");
                    }
                    s.size = s.entries.size();
                }));
    }

    static Arguments hostile(String name, String field, Consumer<AddressSetSpec> change) {
        return Arguments.of(name, field, change);
    }

    @ParameterizedTest(name = "AddressSet: {0}")
    @MethodSource("hostileAddressSets")
    void hostileAddressSetsAreRefused(String name, String field, Consumer<AddressSetSpec> change) {
        dev.netfence.crds.AddressSet part = AddressSetParts.split(new AddressSet("as-0123456789abcdef",
                List.of("10.0.0.1", "10.0.1.0/24", "fd00::1"))).get(0);
        assertThat(addressSets.violations(json(part))).isEmpty();
        change.accept(part.getSpec());
        assertThat(addressSets.violations(json(part))).as(name).isNotEmpty()
                .anySatisfy(v -> assertThat(v).startsWith(field));
    }

    @Test
    void anAddressSetStoredUnderAnotherNameIsRefused() {
        dev.netfence.crds.AddressSet part = AddressSetParts.split(new AddressSet("as-0123456789abcdef", List.of("10.0.0.1"))).get(0);
        part.getMetadata().setName("as-fedcba9876543210");
        assertThat(addressSets.violations(json(part))).containsExactly("<root>: metadata.name must be spec.set for part 0 and spec.set-<part> for the other parts");
    }

    static Stream<Arguments> hostileNodeRuleSets() {
        return Stream.of(
                Arguments.of("spec naming another node", "<root>", "/spec/node", JSON.getNodeFactory().textNode("node-elsewhere")),
                Arguments.of("node name with a brace", "spec.node", "/spec/node", JSON.getNodeFactory().textNode("node-1 }")),
                Arguments.of("pod IP injection", "spec.pods[0].ips[0]", "/spec/pods/0/ips/0",
                        JSON.getNodeFactory().textNode("10.244.1.10 } ; chain x { accept")),
                Arguments.of("pod IP list of three", "spec.pods[0].ips", "/spec/pods/0/ips",
                        JSON.createArrayNode().add("10.0.0.1").add("10.0.0.2").add("10.0.0.3")),
                Arguments.of("pod name with a newline", "spec.pods[0].name", "/spec/pods/0/name", JSON.getNodeFactory().textNode("api\nchain")),
                Arguments.of("policy id with a space", "spec.pods[0].ingressPolicies[0]", "/spec/pods/0/ingressPolicies/0",
                        JSON.getNodeFactory().textNode("NetworkPolicy/shop/a b/Ingress")),
                Arguments.of("policy kind not known", "spec.policies[0].kind", "/spec/policies/0/kind", JSON.getNodeFactory().textNode("Firewall")),
                Arguments.of("direction not known", "spec.policies[0].direction", "/spec/policies/0/direction", JSON.getNodeFactory().textNode("Both")),
                Arguments.of("comment injection in fieldPath", "spec.policies[0].rules[0].fieldPath", "/spec/policies/0/rules/0/fieldPath",
                        JSON.getNodeFactory().textNode("spec.ingress[0]\" accept #")),
                Arguments.of("peer set name with a brace", "spec.policies[0].rules[0].peers[0]", "/spec/policies/0/rules/0/peers/0",
                        JSON.getNodeFactory().textNode("as-1 }")),
                Arguments.of("address set reference with unicode", "spec.addressSets[0]", "/spec/addressSets/0",
                        JSON.getNodeFactory().textNode("as-\u00e9t\u00e9")),
                Arguments.of("node address not an IP", "spec.nodeAddresses[0]", "/spec/nodeAddresses/0", JSON.getNodeFactory().textNode("node-1")),
                Arguments.of("port above 65535", "spec.policies[0].rules[0].ports[0].last", "/spec/policies/0/rules/0/ports/0/last",
                        JSON.getNodeFactory().numberNode(70000)),
                Arguments.of("negative port", "spec.policies[0].rules[0].ports[0].first", "/spec/policies/0/rules/0/ports/0/first",
                        JSON.getNodeFactory().numberNode(-1)),
                Arguments.of("protocol not known", "spec.policies[0].rules[0].ports[0].protocol", "/spec/policies/0/rules/0/ports/0/protocol",
                        JSON.getNodeFactory().textNode("ICMP")),
                Arguments.of("an unknown field", "spec.policies[0].rules[0].verdict", "/spec/policies/0/rules/0/verdict",
                        JSON.getNodeFactory().textNode("accept")));
    }

    @ParameterizedTest(name = "NodeRuleSet: {0}")
    @MethodSource("hostileNodeRuleSets")
    void hostileNodeRuleSetsAreRefused(String name, String field, String pointer, JsonNode value) {
        ObjectNode o = sampleRuleSet();
        assertThat(nodeRuleSets.violations(o)).isEmpty();
        set(o, pointer, value);
        assertThat(nodeRuleSets.violations(o)).as(name).isNotEmpty().anySatisfy(v -> assertThat(v).startsWith(field));
    }

    /** A written rule set with a pod, a policy with a rule that has a peer and a port. */
    static ObjectNode sampleRuleSet() {
        return (ObjectNode) written.stream().filter(o -> o.path("kind").asText().equals("NodeRuleSet"))
                .filter(o -> stream(o.at("/spec/policies/0/rules/0/ports")).findAny().isPresent())
                .filter(o -> stream(o.at("/spec/policies/0/rules/0/peers")).findAny().isPresent())
                .filter(o -> stream(o.at("/spec/pods/0/ingressPolicies")).findAny().isPresent())
                .findFirst().orElseThrow().deepCopy();
    }

    static void set(ObjectNode o, String pointer, JsonNode value) {
        int slash = pointer.lastIndexOf('/');
        JsonNode parent = o.at(pointer.substring(0, slash));
        String last = pointer.substring(slash + 1);
        if (parent instanceof ArrayNode a) {
            a.set(Integer.parseInt(last), value);
        } else {
            ((ObjectNode) parent).set(last, value);
        }
    }

    static Stream<JsonNode> stream(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out.stream();
    }

    /** A cluster where nothing is published yet: the publisher writes every object. */
    static final class NothingPublished implements PublishedObjects {
        @Override
        public String nodeRuleSetHash(String name) {
            return null;
        }

        @Override
        public Collection<String> nodeRuleSetNames() {
            return List.of();
        }

        @Override
        public AddressSetSpec addressSetPart(String name) {
            return null;
        }

        @Override
        public Collection<String> addressSetNames() {
            return List.of();
        }
    }
}
