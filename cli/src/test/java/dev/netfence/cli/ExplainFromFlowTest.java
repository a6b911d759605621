package dev.netfence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code netfence explain --from-flow}: flow records as node-2's enforcer logs them in the demo's step 7
 * ({@code shop-data/db -> frontend:8080}, denied by shop-data's DefaultDeny at db's egress; frontend runs on
 * node-1, so node-2 names it by address), explained from the demo's manifests: with the policies the record
 * was logged under (agrees), after they changed (differs, says how), in audit mode (would-deny), and for
 * every kind of bad input (exit 2, the field named, no stack trace).
 */
class ExplainFromFlowTest {
    private static final String DENIED = "{\"seq\":7,\"time\":\"2026-12-02T07:40:01.123Z\",\"node\":\"node-2\",\"verdict\":\"denied\","
            + "\"direction\":\"Egress\",\"protocol\":\"TCP\",\"source\":\"shop-data/db\",\"sourceAddress\":\"10.244.2.30\","
            + "\"sourcePort\":41234,\"destination\":\"10.244.1.10\",\"destinationAddress\":\"10.244.1.10\",\"port\":8080,"
            + "\"policies\":[\"DefaultDeny shop-data/default-deny\"]}";
    private static final String WOULD_DENY = DENIED.replace("\"denied\"", "\"would-deny\"").replace("\"seq\":7", "\"seq\":8");

    @TempDir
    Path dir;

    /** The demo's cluster after step 3 (namespaces, nodes, pods, DefaultDenies, the shop's policies). */
    private static List<String> demo(String... more) {
        List<String> args = new ArrayList<>(List.of("explain"));
        for (String f : new String[] {"00-namespaces.yaml", "01-nodes.yaml", "02-pods.yaml", "10-default-deny.yaml",
                "20-shop-policies.yaml"}) {
            args.add("-f");
            args.add("../demo/" + f);
        }
        args.addAll(List.of(more));
        return args;
    }

    /** The same with shop-data's DefaultDeny in audit mode (demo/50-shop-data-audit.yaml instead of its 10- twin). */
    private List<String> audited(String... more) throws Exception {
        String both = Files.readString(Path.of("../demo/10-default-deny.yaml"));
        Path shopOnly = Files.writeString(dir.resolve("shop-default-deny.yaml"), both.substring(0, both.indexOf("\n---\n")) + "\n");
        List<String> args = demo("-f", "../demo/50-shop-data-audit.yaml");
        int i = args.indexOf("../demo/10-default-deny.yaml");
        args.set(i, shopOnly.toString());
        args.addAll(List.of(more));
        return args;
    }

    private static Netfence.Result run(List<String> args) {
        return Netfence.run(args.toArray(String[]::new));
    }

    @Test
    void aRecordTheCurrentPoliciesDecideAlikeAgreesAndIsExplainedFromTheSameEngine() throws Exception {
        Path file = Files.writeString(dir.resolve("flows.json"), DENIED + "\n");
        Netfence.Result r = run(demo("--from-flow", file.toString()));
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("Flow record 7 of node node-2: 07:40:01.123 node-2 DENIED     TCP shop-data/db:41234 ->"
                + " 10.244.1.10:8080  egress isolated by DefaultDeny shop-data/default-deny\n"
                + "The current policies decide the same: denied at the source's egress, by DefaultDeny shop-data/default-deny.\n");
        // the explanation is explain --from shop-data/db --to shop/frontend's own: the address resolves to the pod
        Netfence.Result direct = run(demo("--from", "shop-data/db", "--to", "shop/frontend", "--port", "8080"));
        assertThat(direct.exitCode()).as(direct.err()).isZero();
        assertThat(r.out()).endsWith("\n" + direct.out());
        assertThat(direct.out()).startsWith("DENIED: ").contains("isolated by: DefaultDeny shop-data/default-deny");
    }

    @Test
    void aRecordLoggedUnderOtherPoliciesSaysHowTheyDiffer() throws Exception {
        // with shop-data's DefaultDeny in audit mode (demo step 7) the connection is allowed: the denied record is stale
        Netfence.Result r = run(audited("--from-flow", DENIED));
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("The record DIFFERS from the current policies: the record says denied (source's egress,"
                + " DefaultDeny shop-data/default-deny), the current policies decide would-deny. The policies or the pods changed"
                + " since the enforcer logged it");
        assertThat(r.out()).contains("ALLOWED: ", "Audit verdict (policies in audit mode counted as if they enforced): WOULD-DENY");

        // the same verdict, but another policy decides now: named
        String other = DENIED.replace("DefaultDeny shop-data/default-deny", "NetworkPolicy shop-data/db-egress");
        Netfence.Result renamed = run(demo("--from-flow", other));
        assertThat(renamed.out()).contains("The record DIFFERS from the current policies: the record names NetworkPolicy"
                + " shop-data/db-egress at the source's egress, the current policies there are DefaultDeny shop-data/default-deny");
    }

    @Test
    void aWouldDenyRecordAgreesInAuditModeAndJsonCarriesBothVerdicts() throws Exception {
        Netfence.Result r = run(audited("--from-flow", WOULD_DENY, "-o", "json"));
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode json = parse(r.out());
        assertThat(json.path("agrees").asBoolean()).isTrue();
        assertThat(json.path("recordVerdict").asText()).isEqualTo("would-deny");
        assertThat(json.path("currentVerdict").asText()).isEqualTo("would-deny");
        assertThat(json.path("record").path("seq").asLong()).isEqualTo(8);
        assertThat(json.path("explanation").path("verdict").asText()).isEqualTo("would-deny");
        assertThat(json.path("explanation").has("enforced")).isTrue();
        assertThat(json.path("explanation").has("audit")).isTrue();
    }

    @Test
    void readsStandardInputLineByLineAndAGetFlowsAnswer() throws Exception {
        InputStream saved = System.in;
        try {
            System.setIn(new ByteArrayInputStream((DENIED + "\n\n" + WOULD_DENY + "\n").getBytes(StandardCharsets.UTF_8)));
            Netfence.Result r = run(demo("--from-flow", "-"));
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.out()).startsWith("[1/2] Flow record 7 of node node-2").contains("\n[2/2] Flow record 8 of node node-2")
                    .contains("the record says would-deny (source's egress, DefaultDeny shop-data/default-deny), the current"
                            + " policies decide denied");
        } finally {
            System.setIn(saved);
        }
        Path answer = Files.writeString(dir.resolve("answer.json"), "{\"node\":\"node-2\",\"next\":8,\"records\":[" + DENIED + ","
                + WOULD_DENY + "],\"lost\":{}}\n");
        Netfence.Result r = run(demo("--from-flow", answer.toString(), "-o", "json"));
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out().lines()).hasSize(2);
        assertThat(parse(r.out().lines().toList().get(1)).path("agrees").asBoolean()).isFalse();
    }

    @Test
    void podsByNameWhenTheManifestsHaveThemElseByAddress() {
        // a source named by a pod the manifests do not have is judged by its address, and the output says so
        String gone = DENIED.replace("\"source\":\"shop-data/db\"", "\"source\":\"shop-data/db-old\"");
        Netfence.Result r = run(demo("--from-flow", gone));
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("note: the manifests have no pod shop-data/db-old: the source is judged by the record's"
                + " address 10.244.2.30", "The current policies decide the same");
        // a named pod whose address changed is judged as the pod, with a note
        String moved = DENIED.replace("\"sourceAddress\":\"10.244.2.30\"", "\"sourceAddress\":\"10.244.2.99\"");
        Netfence.Result m = run(demo("--from-flow", moved));
        assertThat(m.out()).contains("note: the record's source shop-data/db had address 10.244.2.99; the manifests give it"
                + " 10.244.2.30", "The current policies decide the same");
    }

    @Test
    void badInputNamesTheFieldAndExitsTwo() throws Exception {
        assertBad(demo("--from-flow", "{not json"), "--from-flow the argument: not JSON at column 2");
        assertBad(demo("--from-flow", DENIED.replace(",\"port\":8080", "")), "--from-flow the argument: field \"port\" is"
                + " missing: a flow record names the destination port");
        assertBad(demo("--from-flow", DENIED.replace("\"protocol\":\"TCP\",", "")), "field \"protocol\" is missing");
        assertBad(demo("--from-flow", DENIED.replace("\"protocol\":\"TCP\"", "\"protocol\":\"ICMP\"")),
                "field protocol: \"ICMP\" is not TCP, UDP or SCTP");
        assertBad(demo("--from-flow", DENIED.replace("\"port\":8080", "\"port\":-1")), "field port: -1 is not a port from 1 to"
                + " 65535 (the enforcer writes -1 when the packet copy ended before the port)");
        assertBad(demo("--from-flow", DENIED.replace("\"destination\":\"10.244.1.10\",\"destinationAddress\":\"10.244.1.10\",", "")),
                "field \"destination\" or \"destinationAddress\" is missing");
        assertBad(demo("--from-flow", DENIED.replace("\"sourceAddress\":\"10.244.2.30\"", "\"sourceAddress\":\"db\"")),
                "field sourceAddress: \"db\" is not an IP address");
        assertBad(demo("--from-flow", DENIED.replace("\"denied\"", "\"dropped\"")), "field verdict: \"dropped\" is not denied,"
                + " allowed or would-deny");
        assertBad(demo("--from-flow", "[1,2]"), "--from-flow the argument: not a JSON object");
        Path file = Files.writeString(dir.resolve("two.json"), DENIED + "\n{\"protocol\":\"TCP\"}\n");
        assertBad(demo("--from-flow", file.toString()), "--from-flow " + file + " line 2: field \"port\" is missing");
        assertBad(demo("--from-flow", dir.resolve("nope.json").toString()), "nope.json: no such file");
        assertBad(demo("--from-flow", Files.writeString(dir.resolve("empty.json"), "\n").toString()), "no flow record in it");
        assertBad(demo("--from-flow", DENIED, "--port", "80"), "--from-flow explains the record's own flow (its source,"
                + " destination, protocol and port): drop --port");
        assertBad(demo("--to", "shop/frontend", "--port", "80"), "Missing required options: '--from=NS/POD|IP' (or --from-flow");
    }

    private static void assertBad(List<String> args, String message) {
        Netfence.Result r = run(args);
        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains(message).doesNotContain("Exception").doesNotContain("\tat ");
    }

    private static JsonNode parse(String json) {
        try {
            return new ObjectMapper().readTree(json);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}
