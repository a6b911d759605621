package dev.netfence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.cli.Netfence.Result;
import org.junit.jupiter.api.Test;

/**
 * {@code simulate -f demo/} reads the demo's cluster as step 3 leaves it: demo/.netfenceignore lists
 * the change of step 4 (an update of shop/default-deny the webhook refuses) and that of step 5 (an update
 * of shop-data/db-from-api) and that of step 7 (shop-data/default-deny in audit mode), which would otherwise be
 * "defined twice". The demo itself reads its step files by name and still applies them.
 */
class DemoDirectoryTest {

    static final String[] CLUSTER = {"-f", "../demo/00-namespaces.yaml", "-f", "../demo/01-nodes.yaml", "-f", "../demo/02-pods.yaml",
            "-f", "../demo/10-default-deny.yaml", "-f", "../demo/20-shop-policies.yaml"};

    @Test
    void theDemoDirectoryIsTheClusterOfStep3() {
        Result dir = Netfence.run("simulate", "-f", "../demo", "--port", "5432,53/UDP");
        assertThat(dir.exitCode()).isZero();
        assertThat(dir.err()).isEqualTo("note: ../demo/.netfenceignore: skipped 3 files it lists\n");
        String[] files = new String[CLUSTER.length + 3];
        files[0] = "simulate";
        System.arraycopy(CLUSTER, 0, files, 1, CLUSTER.length);
        files[CLUSTER.length + 1] = "--port";
        files[CLUSTER.length + 2] = "5432,53/UDP";
        assertThat(dir.out()).isEqualTo(Netfence.run(files).out()).contains("""
                from\\to              kube-system/coredns  shop/api  shop/frontend  shop-data/db
                kube-system/coredns  .                    X         X              X
                shop/api             X                    .         X              .
                shop/frontend        X                    X         .              X
                shop-data/db         X                    X         X              .
                """);
    }

    @Test
    void lintReadsTheSameFiles() {
        Result lint = Netfence.run("lint", "-f", "../demo");
        assertThat(lint.err()).contains("skipped 3 paths: 3 excluded by --exclude or .netfenceignore").doesNotContain("defined twice");
        assertThat(lint.exitCode()).isZero();
    }

    @Test
    void theRefusedChangeStillRedefinesTheDefaultDenyWhenNamed() {
        Result r = Netfence.run("simulate", "-f", "../demo", "-f", "../demo/30-refused-no-dns.yaml", "--port", "53/UDP");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("DefaultDeny shop/default-deny: defined twice (first at ../demo/10-default-deny.yaml:");
    }
}
