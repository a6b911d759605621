package dev.netfence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.cli.Netfence.Result;
import org.junit.jupiter.api.Test;

/** Option errors and user errors found after parsing: exit 2, a message, a hint, and never a stack trace. */
class CommandLineErrorsTest {

    @Test
    void portOutOfRange() {
        Result r = Netfence.run("simulate", "-f", "../samples", "--port", "70000");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: --port must be between 1 and 65535 (got 70000)\n"
                + "Try 'netfence simulate --help' for usage.\n");
    }

    @Test
    void missingManifests() {
        Result r = Netfence.run("explain", "--from", "x/a", "--to", "x/b", "--port", "80");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: no input: give manifests with -f FILE_OR_DIR, or a cluster with --kubeconfig FILE "
                + "or --context NAME\n");
    }

    @Test
    void unknownProtocol() {
        Result r = Netfence.run("simulate", "-f", "../samples", "--port", "80", "--protocol", "icmp");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: Invalid value for option '--protocol': expected one of [TCP, UDP, SCTP]");
    }

    @Test
    void protocolIsCaseInsensitive() {
        assertThat(Netfence.run("simulate", "-f", "../samples", "--port", "80", "--protocol", "sctp").exitCode()).isZero();
    }

    @Test
    void missingFile() {
        Result r = Netfence.run("simulate", "-f", "no/such/file.yaml", "--port", "80");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: no/such/file.yaml: no such file or directory\n");
    }

    @Test
    void aPodNameWithoutNamespace() {
        Result r = Netfence.run("explain", "-f", "../samples", "--from", "web", "--to", "shop/api", "--port", "80");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: --from web: expected NAMESPACE/POD (for example x/a), NAMESPACE/KIND/NAME for "
                + "a workload's pod (shop/deploy/web) or an IP address\n");
    }

    @Test
    void podsWithoutACommonAddressFamily() {
        Result r = Netfence.run("explain", "-f", "src/test/resources/dualstack", "--from", "x/b", "--to", "x/c", "--port", "80");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: x/b (IPv6 only) and x/c (IPv4 only) have no IP address family in common: "
                + "no connection between them is possible\n");
    }

    @Test
    void aPodWithoutAnIp() {
        Result r = Netfence.run("explain", "-f", "src/test/resources/dualstack", "--from", "x/pending", "--to", "x/c", "--port", "80");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: --from x/pending: pod x/pending has no IP address: set status.podIP "
                + "(or status.podIPs) in its manifest to simulate its traffic\n");
    }

    @Test
    void severalProblemsAreCountedAndListed() {
        Result r = Netfence.run("simulate", "-f", "src/test/resources/bad", "--port", "80");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: 2 problems in the manifests:\n"
                + "src/test/resources/bad/empty-peer.yaml:11: NetworkPolicy shop/allow-everyone: spec.ingress[0].from[0]: "
                + "must specify a peer: set podSelector, namespaceSelector or ipBlock (an empty entry {} is not \"everyone\"; "
                + "to allow all peers, omit the whole from/to list)\n"
                + "src/test/resources/bad/unclosed.yaml:5: not valid YAML: while parsing a flow mapping: expected ',' or '}', "
                + "but got <stream end> (column 11)\n");
    }

    @Test
    void noSubcommandPrintsUsage() {
        Result r = Netfence.run();
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("Usage: netfence [-hV] [COMMAND]").contains("simulate", "explain");
    }

    @Test
    void helpIsNotAnError() {
        Result r = Netfence.run("simulate", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("Usage: netfence simulate").contains("--port=PORTS", "-o, --output=FORMAT");
    }

    @Test
    void labDownWithoutArgumentsRemovesNothingAndSaysWhatToGive() {
        // it used to remove every lab on the machine; it needs RUN_IDs or --all now (checked before root is)
        Result r = Netfence.run("lab", "down");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: say which labs to remove: RUN_ID ...").contains(", or --all for every one\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void topLevelHelpSummariesAreWholeSentences() {
        Result r = Netfence.run("--help");
        String commands = r.out().substring(r.out().indexOf("Commands:")).replaceAll("\\s+", " ");
        assertThat(commands).contains(" lab Build a cluster of network namespaces on this machine and probe it (needs root). demo ")
                .contains(" demo Watch Netfence enforce NetworkPolicies on real packets (needs root).");
    }
}
