package dev.netfence.crds.manifest;

import static dev.netfence.crds.manifest.ManifestLoaderTest.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.NetworkPolicy;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Strict field validation, as the API server does it: a typo is an error naming the field and the name it likely meant. */
class UnknownFieldsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            networkpolicy-ingres.yaml    | 12 | NetworkPolicy shop/allow-web: spec.ingres: unknown field "ingres"; did you mean "ingress"?
            networkpolicy-namspace.yaml  | 5  | NetworkPolicy default/allow-web: metadata.namspace: unknown field "namspace"; did you mean "namespace"?
            defaultdeny-allowdns.yaml    | 7  | DefaultDeny shop/default-deny: spec.allowDns: unknown field "allowDns"; did you mean "allowDNS"?
            criticalflow-selector.yaml   | 9  | CriticalFlow scrape: spec.destination.podSelectr: unknown field "podSelectr"; did you mean "podSelector"?
            pod-port.yaml                | 10 | Pod shop/web: spec.containers[0].port: unknown field "port"; did you mean "ports"?
            namespace-label.yaml         | 5  | Namespace shop: metadata.label: unknown field "label"; did you mean "labels"?
            node-adresses.yaml           | 6  | Node node-1: status.adresses: unknown field "adresses"; did you mean "addresses"?
            no-near-name.yaml            | 8  | NetworkPolicy shop/p: spec.whatever: unknown field "whatever"; valid fields here: egress, ingress, podSelector, policyTypes
            """)
    void anUnknownFieldIsAnErrorWithFileLinePathAndTheNearestValidName(String file, int line, String message) {
        Path path = resource("unknown-fields/" + file);
        assertThatThrownBy(() -> ManifestLoader.load(path))
                .isInstanceOfSatisfying(ManifestException.class, e -> {
                    assertThat(e.problems()).hasSize(1);
                    assertThat(e.problems().get(0)).hasToString(path + ":" + line + ": " + message);
                });
    }

    @Test
    void everyUnknownFieldOfAnObjectIsReported() {
        Path path = resource("unknown-fields/networkpolicy-deep.yaml");
        assertThatThrownBy(() -> ManifestLoader.load(path))
                .isInstanceOfSatisfying(ManifestException.class, e -> assertThat(e.problems())
                        .extracting(p -> p.line() + " " + p.fieldPath() + ": " + p.message())
                        .containsExactly(
                                "12 spec.ingress[0].from[0].podSelecter: unknown field \"podSelecter\"; did you mean \"podSelector\"?",
                                "16 spec.ingress[0].ports[0].prot: unknown field \"prot\"; did you mean \"port\"?"));
    }

    @Test
    void noMessageNamesAJavaClass() {
        assertThatThrownBy(() -> ManifestLoader.load(resource("unknown-fields")))
                .isInstanceOfSatisfying(ManifestException.class, e -> {
                    assertThat(e.problems()).hasSize(10);
                    assertThat(e.getMessage()).doesNotContain("dev.netfence", "io.fabric8", "class ", "Exception",
                            "ignorable", "additionalProperties");
                });
    }

    @Test
    void lenientModeTurnsUnknownFieldsIntoWarningsAndIgnoresThem() {
        LoadOptions lenient = LoadOptions.STRICT.withLenient(true);
        // the files whose objects stay valid once the unknown field is dropped
        List<Path> files = List.of("networkpolicy-ingres.yaml", "networkpolicy-namspace.yaml", "defaultdeny-allowdns.yaml",
                "pod-port.yaml", "namespace-label.yaml", "node-adresses.yaml", "no-near-name.yaml").stream()
                .map(f -> resource("unknown-fields/" + f)).toList();
        Manifests m = ManifestLoader.load(lenient, files);
        assertThat(m.warnings()).hasSize(7)
                .extracting(ManifestProblem::fieldPath)
                .contains("spec.ingres", "metadata.namspace", "spec.allowDns");
        NetworkPolicy ingres = m.objectsOf(NetworkPolicy.class).stream()
                .filter(o -> o.file().endsWith("networkpolicy-ingres.yaml")).findFirst().orElseThrow()
                .model(NetworkPolicy.class).orElseThrow();
        assertThat(ingres.ingress()).as("what kubectl --validate=warn applies: the typo'd field is dropped").isNull();
        DefaultDeny dd = m.objectsOf(DefaultDeny.class).get(0).model(DefaultDeny.class).orElseThrow();
        assertThat(dd.allowDNS()).as("the default, since allowDns was ignored").isTrue();
    }

    @Test
    void inLenientModeOtherProblemsStillFailAndTheWarningsAreKept() {
        LoadOptions lenient = LoadOptions.STRICT.withLenient(true);
        assertThatThrownBy(() -> ManifestLoader.load(lenient, List.of(resource("unknown-fields/networkpolicy-deep.yaml"))))
                .isInstanceOfSatisfying(ManifestException.class, e -> {
                    assertThat(e.problems()).extracting(ManifestProblem::fieldPath).containsExactly("spec.ingress[0].from[0]");
                    assertThat(e.warnings()).extracting(ManifestProblem::fieldPath)
                            .containsExactly("spec.ingress[0].from[0].podSelecter", "spec.ingress[0].ports[0].prot");
                });
    }

    @Test
    void theValidSamplesHaveNoUnknownFields() {
        Manifests m = ManifestLoader.load(resource("cluster"));
        assertThat(m.warnings()).isEmpty();
        Manifests lenient = ManifestLoader.load(LoadOptions.STRICT.withLenient(true), List.of(resource("cluster")));
        assertThat(lenient.warnings()).isEmpty();
    }

    @Test
    void nearestName() {
        List<String> valid = List.of("podSelector", "namespaceSelector", "ipBlock");
        assertThat(UnknownFields.nearest("podselector", valid)).isEqualTo("podSelector");
        assertThat(UnknownFields.nearest("ipblok", valid)).isEqualTo("ipBlock");
        assertThat(UnknownFields.nearest("selector", valid)).isNull();
    }
}
