package dev.netfence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import org.junit.jupiter.api.Test;

/** Bad input through the real main: exit 2, one message naming file, line, object and field; no stack trace. */
@QuarkusMainTest
class BadInputTest {

    @Test
    void anInvalidPolicyNamesFileLineObjectAndField(QuarkusMainLauncher launcher) {
        LaunchResult r = launcher.launch("simulate", "-f", "../samples", "-f", "src/test/resources/bad/empty-peer.yaml", "--port", "80");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.getOutput()).isEmpty();
        assertThat(r.getErrorOutput()).isEqualTo("error: src/test/resources/bad/empty-peer.yaml:11: NetworkPolicy "
                + "shop/allow-everyone: spec.ingress[0].from[0]: must specify a peer: set podSelector, namespaceSelector "
                + "or ipBlock (an empty entry {} is not \"everyone\"; to allow all peers, omit the whole from/to list)");
    }

    @Test
    void unparseableYamlNamesFileAndLine(QuarkusMainLauncher launcher) {
        LaunchResult r = launcher.launch("explain", "-f", "src/test/resources/bad/unclosed.yaml",
                "--from", "default/web", "--to", "default/web", "--port", "80");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.getErrorOutput()).isEqualTo("error: src/test/resources/bad/unclosed.yaml:5: not valid YAML: "
                + "while parsing a flow mapping: expected ',' or '}', but got <stream end> (column 11)");
    }

    @Test
    void anUnknownPodListsThePodsOfItsNamespace(QuarkusMainLauncher launcher) {
        LaunchResult r = launcher.launch("explain", "-f", "../samples", "--from", "shop/frontend", "--to", "shop/api", "--port", "80");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.getErrorOutput()).isEqualTo(
                "error: --from shop/frontend: no pod \"frontend\" in namespace \"shop\" in the manifests; pods in shop: api, web");
        assertThat(r.getOutput()).isEmpty();
    }
}
