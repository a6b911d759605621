package dev.netfence.cli.lint;

import static dev.netfence.cli.lint.LintCommandTest.lint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netfence.cli.NetfenceVersion;
import dev.netfence.cli.lint.LintCommandTest.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code lint} over a GitOps repository as people keep them (src/test/resources/gitops): a Helm chart,
 * a Kustomize base and overlay, a GitHub workflow, a compose file, a templated file, a directory in
 * .netfenceignore, plain policies, and workloads without Pod objects (a Deployment whose pod is in
 * cluster/, one without, its ReplicaSet, a CronJob). It reports exactly four findings (a DNS cut in
 * policies/ for a pod, one for the pod a Deployment stands for, rules ignored by policyTypes, a split
 * peer in the base as the overlay renders it), in every format.
 */
class GitOpsLintTest {

    static final String REPO = "src/test/resources/gitops";
    static final Path EXPECTED = Path.of("src/test/resources/gitops-expected");

    static void assumeKubectl() {
        assumeTrue(KustomizeBuild.kubectlAvailable(), "needs kubectl for kubectl kustomize (Debian: kubernetes-client)");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"text", "json", "sarif", "junit", "github"})
    void theSampleRepositoryGivesExactlyTheExpectedFindings(String format) throws IOException {
        assumeKubectl();
        Run r = lint("-f", REPO, "--base-dir", REPO, "--format", format);
        assertThat(r.exit()).isEqualTo(1);
        String ext = switch (format) {
            case "json", "sarif" -> "json";
            case "junit" -> "xml";
            default -> "txt";
        };
        String expected = Files.readString(EXPECTED.resolve("lint." + format + "." + ext)).replace("@VERSION@", NetfenceVersion.version());
        assertThat(r.out()).isEqualTo(expected);
        assertThat(r.err()).isEqualTo("""
                note: skipped 1 YAML document that is no Kubernetes object (no apiVersion and kind)
                note: skipped 4 paths: 1 hidden, 2 Helm templates or charts, 1 excluded by --exclude or .netfenceignore
                note: %1$s/workloads/shop.yaml:3: Deployment shop/api: its pods are in the input, they stand for it
                note: %1$s/workloads/shop.yaml:47: ReplicaSet shop/worker-6d5f8c7b9 belongs to Deployment shop/worker \
                in the input: its pods are counted there
                note: 2 workloads stand for the pods they will run (one pod each, named KIND/NAME): shop/deploy/worker, \
                shop/cronjob/report
                """.formatted(REPO));
    }

    @Test
    void findingsAreSortedByFileAndLineWithRepositoryRelativePaths() throws IOException {
        assumeKubectl();
        JsonNode json = new ObjectMapper().readTree(lint("-f", REPO, "--base-dir", REPO, "--format", "json").out());
        List<String> where = new ArrayList<>();
        json.path("findings").forEach(f -> where.add(f.path("file").asText() + ":" + f.path("line").asInt() + " "
                + f.path("ruleId").asText()));
        assertThat(where).containsExactly("apps/overlays/prod/kustomization.yaml:1 split-namespace-pod-peer",
                "policies/shop.yaml:11 critical-flow", "policies/shop.yaml:32 ignored-rules", "policies/workers.yaml:12 critical-flow");
    }

    @Test
    void excludeSkipsPathsAndCountsThem() {
        Run r = lint("-f", REPO, "--base-dir", REPO, "--exclude", "policies", "--exclude", "apps/**");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo("0 errors, 0 warnings\n");
        // policies/ (holding the templated file), apps/base, apps/overlays and scratch/ (.netfenceignore) excluded
        assertThat(r.err()).contains("note: skipped 6 paths: 1 hidden, 4 excluded by --exclude or .netfenceignore, "
                + "1 Helm templates or charts\n");
    }

    @Test
    void withoutKubectlAKustomizeDirectoryIsSkippedWithTheReason() throws IOException {
        RepositoryScan scan = new RepositoryScan(List.of(), false);
        scan.add(Path.of(REPO));
        assertThat(scan.kustomizations()).isEmpty();
        assertThat(scan.notes()).containsExactly(Path.of(REPO, "apps/overlays/prod") + ": a Kustomize directory, not rendered: "
                + "kubectl is not installed (Debian: apt-get install kubernetes-client); its files are not linted");
        assertThat(scan.skipped().get(RepositoryScan.Skip.KUSTOMIZE_UNRENDERED)).containsExactly(Path.of(REPO, "apps/overlays/prod"));
        assertThat(scan.files()).extracting(p -> Path.of(REPO).relativize(p).toString()).containsExactly(
                "cluster/namespaces.yaml", "cluster/pods.yaml", "docker-compose.yaml", "policies/shop.yaml",
                "policies/workers.yaml", "workloads/shop.yaml");
    }

    @Test
    void aPolicyOnlyRepositorySkipsTheRulesThatNeedPodsWithANote() {
        Run r = lint("-f", REPO + "/policies");
        assertThat(r.err()).contains("note: no pods in the input: rules ipblock-covers-pod-network, selects-no-pods, "
                + "unexposed-named-port were not run; give the cluster's namespaces and pods (or workloads) with --cluster-from "
                + "DIR, or read them from the cluster with --kubeconfig/--context");
        assertThat(r.out()).doesNotContain("selects-no-pods").contains("error critical-flow NetworkPolicy shop/web-egress")
                .contains("a new pod matching app=web in shop loses critical flow dns");

        Run withCluster = lint("-f", REPO + "/policies", "--cluster-from", REPO + "/cluster");
        assertThat(withCluster.err()).doesNotContain("no pods in the input");
        assertThat(withCluster.out()).contains("shop/web-1 loses critical flow dns");

        // workloads are pods too: the worker's Deployment in workloads/ is what its policy isolates
        Run withWorkloads = lint("-f", REPO + "/policies", "--cluster-from", REPO + "/workloads");
        assertThat(withWorkloads.err()).doesNotContain("no pods in the input");
        assertThat(withWorkloads.out()).contains("shop/deploy/worker loses critical flow dns");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"text", "json", "sarif", "junit", "github"})
    void invalidInputIsAFindingInEveryFormatAndExits2(String format) throws IOException {
        Run r = lint("-f", LintCommandTest.LINT + "broken", "--format", format);
        assertThat(r.exit()).isEqualTo(2);
        String file = LintCommandTest.LINT + "broken/bad.yaml";
        String message = "must specify a peer";
        switch (format) {
            case "text" -> assertThat(r.out()).startsWith(file + ":10: error invalid NetworkPolicy shop/broken "
                    + "spec.ingress[0].from[0]: " + message).endsWith("1 error, 0 warnings\n");
            case "json" -> {
                JsonNode f = new ObjectMapper().readTree(r.out()).path("findings").get(0);
                assertThat(Map.of("rule", f.path("ruleId").asText(), "file", f.path("file").asText(), "line", f.path("line").asInt()))
                        .isEqualTo(Map.of("rule", "invalid", "file", file, "line", 10));
            }
            case "sarif" -> {
                JsonNode res = new ObjectMapper().readTree(r.out()).at("/runs/0/results/0");
                assertThat(res.path("ruleId").asText()).isEqualTo("invalid");
                assertThat(res.at("/locations/0/physicalLocation/artifactLocation/uri").asText()).isEqualTo(file);
                assertThat(res.at("/locations/0/physicalLocation/region/startLine").asInt()).isEqualTo(10);
            }
            case "junit" -> assertThat(r.out()).contains("file=\"" + file + "\" line=\"10\">\n      <failure type=\"invalid\"");
            default -> assertThat(r.out()).startsWith("::error file=" + file + ",line=10,title=invalid NetworkPolicy shop/broken::");
        }
    }

    @Test
    void aFileThatDoesNotParseIsAFindingWithoutAnObject() {
        Run r = lint("-f", "src/test/resources/bad/unclosed.yaml", "--format", "github");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEqualTo("::error file=src/test/resources/bad/unclosed.yaml,line=5,title=invalid -::not valid YAML: "
                + "while parsing a flow mapping: expected ',' or '}', but got <stream end> (column 11)\n");
    }

    @Test
    void sarifFingerprintsDoNotMoveWithTheLines(@TempDir Path dir) throws IOException {
        Path original = Path.of(REPO, "policies/shop.yaml");
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/shop.yaml"), "# a comment\n# another\n" + Files.readString(original));
        Files.copy(Path.of(REPO, "cluster/pods.yaml"), dir.resolve("pods.yaml"));
        JsonNode before = new ObjectMapper().readTree(lint("-f", REPO + "/policies/shop.yaml", "-f", REPO + "/cluster/pods.yaml",
                "--format", "sarif").out());
        JsonNode after = new ObjectMapper().readTree(lint("-f", dir.toString(), "--base-dir", dir.toString(),
                "--format", "sarif").out());
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        before.at("/runs/0/results").forEach(x -> b.add(x.at("/partialFingerprints/netfence~1v1").asText()));
        after.at("/runs/0/results").forEach(x -> a.add(x.at("/partialFingerprints/netfence~1v1").asText()));
        assertThat(a).hasSize(2).isEqualTo(b);
        assertThat(after.at("/runs/0/results/0/locations/0/physicalLocation/region/startLine").asInt()).isEqualTo(13);
    }

    /**
     * The SARIF 2.1.0 properties code scanning relies on beyond the schema (which {@link SarifSchemaTest}
     * validates against): every result's ruleIndex points at its rule, URIs are relative
     * (SARIF1004), the driver has a version (SARIF2005), every rule has help text.
     */
    @Test
    void sarifResultsReferToTheirRulesWithRelativeUris() throws IOException {
        assumeKubectl();
        JsonNode run = new ObjectMapper().readTree(lint("-f", REPO, "--base-dir", REPO, "--format", "sarif").out()).at("/runs/0");
        assertThat(run.at("/tool/driver/version").asText()).isEqualTo(NetfenceVersion.version()).isNotEqualTo("unknown");
        JsonNode rules = run.at("/tool/driver/rules");
        rules.forEach(rule -> assertThat(rule.at("/help/text").asText()).as(rule.path("id").asText()).isNotBlank());
        assertThat(run.path("results")).hasSize(4);
        for (JsonNode result : run.path("results")) {
            assertThat(rules.get(result.path("ruleIndex").asInt()).path("id").asText()).isEqualTo(result.path("ruleId").asText());
            String uri = result.at("/locations/0/physicalLocation/artifactLocation/uri").asText();
            assertThat(uri).doesNotStartWith("/").doesNotContain("src/test/resources");
            assertThat(result.at("/locations/0/physicalLocation/artifactLocation/uriBaseId").asText()).isEqualTo("%SRCROOT%");
            assertThat(result.at("/message/text").asText()).isNotBlank();
            assertThat(result.at("/partialFingerprints/netfence~1v1").asText()).hasSize(32);
        }
    }
}
