package dev.netfence.enforcer.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfence.enforcer.loop.NewPodSettings;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Installing the plugin into a node's CNI directories: idempotent, the other plugins untouched. */
class CniInstallerTest {
    @TempDir
    Path dir;

    static final String CALICO = """
            {
              "name": "k8s-pod-network",
              "cniVersion": "0.3.1",
              "plugins": [
                {"type": "calico", "log_level": "info", "datastore_type": "kubernetes", "ipam": {"type": "calico-ipam"}},
                {"type": "portmap", "snat": true, "capabilities": {"portMappings": true}},
                {"type": "bandwidth", "capabilities": {"bandwidth": true}}
              ]
            }
            """;

    private static final List<String> EXEMPT = NewPodSettings.DEFAULT_EXEMPT_NAMESPACES;

    @Test
    void appendsItselfOnceAndLeavesEveryOtherPluginAsItWas() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("opt/cni/bin"));
        Path net = Files.createDirectories(dir.resolve("etc/cni/net.d"));
        Files.writeString(net.resolve("10-calico.conflist"), CALICO);
        Files.writeString(net.resolve("99-other.conflist"), CALICO.replace("k8s-pod-network", "other"));
        Path socket = Path.of("/run/netfence/cni.sock");

        CniInstaller.Outcome first = CniInstaller.install(bin, net, socket, EXEMPT);
        assertThat(first).isEqualTo(new CniInstaller.Outcome(true, java.util.Optional.of(net.resolve("10-calico.conflist")), true));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(bin.resolve("netfence")))).isEqualTo("rwxr-xr-x");
        assertThat(Files.readAllBytes(bin.resolve("netfence"))).isEqualTo(Files.readAllBytes(CniPluginIT.PLUGIN));
        assertThat(CniInstaller.types(net.resolve("10-calico.conflist"))).containsExactly("calico", "portmap", "bandwidth", "netfence");
        ObjectMapper json = new ObjectMapper();
        var before = json.readTree(CALICO);
        var after = json.readTree(net.resolve("10-calico.conflist").toFile());
        for (int i = 0; i < 3; i++) {
            assertThat(after.get("plugins").get(i)).isEqualTo(before.get("plugins").get(i));
        }
        assertThat(after.get("plugins").get(3).get("socket").asText()).isEqualTo(socket.toString());
        assertThat(after.get("plugins").get(3).get("exemptNamespaces")).isEqualTo(json.readTree("[\"kube-system\",\"netfence-system\"]"));
        assertThat(Files.readString(net.resolve("99-other.conflist"))).as("only the conflist in use").doesNotContain("netfence");

        String installed = Files.readString(net.resolve("10-calico.conflist"));
        assertThat(CniInstaller.install(bin, net, socket, EXEMPT)).isEqualTo(new CniInstaller.Outcome(false,
                java.util.Optional.of(net.resolve("10-calico.conflist")), false));
        assertThat(Files.readString(net.resolve("10-calico.conflist"))).isEqualTo(installed);
        assertThat(Files.list(net).map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("10-calico.conflist",
                "99-other.conflist");

        // another socket path: the entry is corrected, not duplicated
        CniInstaller.install(bin, net, Path.of("/var/run/netfence/cni.sock"), EXEMPT);
        assertThat(CniInstaller.types(net.resolve("10-calico.conflist"))).containsExactly("calico", "portmap", "bandwidth", "netfence");
        // other exempt namespaces (netfence.cluster.exempt-namespaces changed): the entry is corrected
        assertThat(CniInstaller.install(bin, net, Path.of("/var/run/netfence/cni.sock"), List.of("kube-system")).conflistChanged())
                .isTrue();
        assertThat(json.readTree(net.resolve("10-calico.conflist").toFile()).get("plugins").get(3).get("exemptNamespaces"))
                .isEqualTo(json.readTree("[\"kube-system\"]"));
        assertThat(CniInstaller.types(net.resolve("10-calico.conflist"))).containsExactly("calico", "portmap", "bandwidth", "netfence");
    }

    @Test
    void aNodeWithoutAConflistIsReportedNotConverted() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path net = Files.createDirectories(dir.resolve("net.d"));
        Files.writeString(net.resolve("10-bridge.conf"), "{\"cniVersion\":\"0.4.0\",\"name\":\"b\",\"type\":\"bridge\"}");
        assertThat(CniInstaller.install(bin, net, Path.of("/run/netfence/cni.sock"), EXEMPT).conflist()).isEmpty();
        assertThat(Files.readString(net.resolve("10-bridge.conf"))).doesNotContain("netfence");
        Files.writeString(net.resolve("20-broken.conflist"), "{\"name\": \"x\"}");
        assertThatThrownBy(() -> CniInstaller.install(bin, net, Path.of("/run/netfence/cni.sock"), EXEMPT))
                .hasMessageContaining("no \"plugins\" list");
        assertThat(List.of(Files.readString(net.resolve("20-broken.conflist")))).containsExactly("{\"name\": \"x\"}");
    }
}
