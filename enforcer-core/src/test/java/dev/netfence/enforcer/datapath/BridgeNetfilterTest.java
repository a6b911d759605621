package dev.netfence.enforcer.datapath;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.enforcer.datapath.BridgeNetfilter.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BridgeNetfilterTest {

    @Test
    void bothSysctlsAtOneFilterBridgedTraffic(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("bridge-nf-call-iptables"), "1\n");
        Files.writeString(dir.resolve("bridge-nf-call-ip6tables"), "1\n");
        BridgeNetfilter b = BridgeNetfilter.read(dir);
        assertThat(b).isEqualTo(new BridgeNetfilter(Status.ON, Status.ON));
        assertThat(b.filtersBridgedTraffic()).isTrue();
        assertThat(b.describe()).contains("is filtered");
    }

    @Test
    void oneFamilyOffIsNotFilteredAndSaysWhichSysctlToSet(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("bridge-nf-call-iptables"), "1\n");
        Files.writeString(dir.resolve("bridge-nf-call-ip6tables"), "0\n");
        BridgeNetfilter b = BridgeNetfilter.read(dir);
        assertThat(b).isEqualTo(new BridgeNetfilter(Status.ON, Status.OFF));
        assertThat(b.filtersBridgedTraffic()).isFalse();
        assertThat(b.describe()).contains("-ip6tables=0", "set both to 1");
    }

    @Test
    void noSysctlsMeanTheModuleIsNotLoaded(@TempDir Path dir) {
        BridgeNetfilter b = BridgeNetfilter.read(dir.resolve("absent"));
        assertThat(b).isEqualTo(new BridgeNetfilter(Status.NOT_LOADED, Status.NOT_LOADED));
        assertThat(b.describe()).contains("modprobe br_netfilter").doesNotContain("Exception");
    }
}
