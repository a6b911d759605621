package dev.netfence.cli.lint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import dev.netfence.cli.CommandLineSetup;
import dev.netfence.cli.NetfenceCommand;
import picocli.CommandLine;

/** {@code netfence lint} on YAML fixtures: exact findings and exit codes. */
class LintCommandTest {

    static final String LINT = "src/test/resources/lint/";

    record Run(int exit, String out, String err) {
    }

    static Run lint(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        // through the top-level command, with the production error handling: `netfence lint ...`
        CommandLine cl = CommandLineSetup.configure(new CommandLine(new NetfenceCommand()));
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        String[] full = new String[args.length + 1];
        full[0] = "lint";
        System.arraycopy(args, 0, full, 1, args.length);
        int exit = cl.execute(full);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void dnsCutIsAnErrorWithFileLineObjectPathAndFix() {
        Run r = lint("-f", LINT + "shop");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEqualTo("""
                %1$s:12: error critical-flow NetworkPolicy shop/web-egress spec.egress: shop/web-1 loses critical flow dns \
                (UDP/53, TCP/53) to a new pod matching k8s-app=kube-dns in kube-system: their egress is isolated by \
                NetworkPolicy shop/web-egress and no egress rule allows it
                  fix:
                    # append this rule to the policy's spec.egress list, keeping the rules it has
                    spec:
                      egress:
                      - to:
                        - namespaceSelector:
                            matchLabels:
                              kubernetes.io/metadata.name: kube-system
                          podSelector:
                            matchLabels:
                              k8s-app: kube-dns
                        ports:
                        - protocol: UDP
                          port: 53
                        - protocol: TCP
                          port: 53
                %1$s:18: warning unexposed-named-port NetworkPolicy shop/web-egress spec.egress[0].ports[0].port: no destination \
                pod exposes a TCP container port named "postgres" (1 pods checked); the rule matches nothing on it
                1 error, 1 warning
                """.formatted(Path.of(LINT + "shop/policies.yaml")));
    }

    @Test
    void warningsPassAtErrorAndFailAtWarning() {
        Run atError = lint("-f", LINT + "warnings");
        assertThat(atError.exit()).isEqualTo(0);
        assertThat(atError.out()).isEqualTo("""
                %1$s:9: warning ignored-rules NetworkPolicy shop/allow-dns spec.egress: egress rules are ignored: \
                spec.policyTypes lacks Egress; add it or remove the rules
                  fix:
                    spec:
                      policyTypes:
                      - Ingress
                      - Egress
                %1$s:13: warning dns-selector-unset-label NetworkPolicy shop/allow-dns \
                spec.egress[0].to[0].namespaceSelector.matchLabels[name]: Kubernetes does not set label name=kube-system \
                on namespace kube-system; select it by kubernetes.io/metadata.name
                  fix:
                    namespaceSelector:
                      matchLabels:
                        kubernetes.io/metadata.name: kube-system
                0 errors, 2 warnings
                """.formatted(Path.of(LINT + "warnings/policy.yaml")));
        assertThat(lint("-f", LINT + "warnings", "--fail-on", "warning").exit()).isEqualTo(1);
    }

    @Test
    void unusableInputExits2WithTheProblem() {
        Run r = lint("-f", LINT + "broken");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).startsWith(Path.of(LINT + "broken/bad.yaml") + ":10: error invalid NetworkPolicy shop/broken "
                + "spec.ingress[0].from[0]: must specify a peer");
        assertThat(lint("-f", LINT + "missing").out()).isEqualTo(LINT + "missing:0: error invalid - no such file or directory\n"
                + "1 error, 0 warnings\n");
        assertThat(lint("-f", LINT + "missing").exit()).isEqualTo(2);
        assertThat(lint("-f", LINT + "shop", "--format", "yaml").exit()).isEqualTo(2);
        assertThat(lint("-f", LINT + "shop", "--fail-on", "info").exit()).isEqualTo(2);
    }

    @Test
    void machineFormats() {
        Run json = lint("-f", LINT + "shop", "--format", "json");
        assertThat(json.exit()).isEqualTo(1);
        assertThat(json.out()).contains("\"ruleId\" : \"critical-flow\"", "\"severity\" : \"error\"", "\"line\" : 12",
                "\"objectLine\" : 2", "\"kind\" : \"NetworkPolicy\"", "\"namespace\" : \"shop\"", "\"name\" : \"web-egress\"",
                "\"fieldPath\" : \"spec.egress\"", "\"flow\" : \"dns\"", "\"summary\" : {\n    \"errors\" : 1,\n    \"warnings\" : 1\n  }");

        Run sarif = lint("-f", LINT + "shop", "--format", "sarif");
        assertThat(sarif.out()).contains("\"version\" : \"2.1.0\"", "\"name\" : \"netfence\"", "\"level\" : \"error\"",
                "\"uri\" : \"" + LINT + "shop/policies.yaml\"", "\"startLine\" : 12",
                "\"fullyQualifiedName\" : \"NetworkPolicy shop/web-egress spec.egress\"");

        Run junit = lint("-f", LINT + "shop", "--format", "junit");
        assertThat(junit.out()).startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"netfence lint\" "
                + "tests=\"2\" failures=\"1\">").contains("<testcase classname=\"NetworkPolicy shop/web-egress\" "
                + "name=\"critical-flow spec.egress\" file=\"" + LINT + "shop/policies.yaml\" line=\"12\">\n      <failure "
                + "type=\"critical-flow\"");

        Run github = lint("-f", LINT + "shop", "--format", "github");
        assertThat(github.out().lines().toList()).hasSize(2);
        assertThat(github.out().lines().toList().get(0)).startsWith("::error file=" + LINT + "shop/policies.yaml,line=12,"
                + "title=critical-flow NetworkPolicy shop/web-egress::spec.egress: shop/web-1 loses critical flow dns")
                .contains("%0Afix:%0A# append this rule to the policy's spec.egress list, keeping the rules it has%0Aspec:%0A  egress:");
        assertThat(github.out().lines().toList().get(1)).isEqualTo("::warning file=" + LINT + "shop/policies.yaml,line=18,"
                + "title=unexposed-named-port NetworkPolicy shop/web-egress::spec.egress[0].ports[0].port: no destination pod "
                + "exposes a TCP container port named \"postgres\" (1 pods checked); the rule matches nothing on it");
    }
}
