package dev.netfence.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

/** What the bundle's security context must amount to in the running container, as the kernel reports it. */
final class ContainerAssertions {
    /** CAP_NET_ADMIN is capability 12. */
    static final String NET_ADMIN_ONLY = "0000000000001000";
    static final String NO_CAPABILITY = "0000000000000000";

    private ContainerAssertions() {
    }

    /** The JVM runs as {@code uid} with exactly {@code capabilities}, no_new_privs set and a seccomp filter (mode 2). */
    static void confined(String container, String uid, String capabilities) {
        Map<String, String> status = Podman.mainProcessStatus(container);
        assertThat(status.get("Uid")).as(container + " uid (real, effective, saved, fs)").isEqualTo(uid + "\t" + uid + "\t" + uid + "\t" + uid);
        assertThat(status.get("CapEff")).as(container + " effective capabilities").isEqualTo(capabilities);
        assertThat(status.get("CapPrm")).as(container + " permitted capabilities").isEqualTo(capabilities);
        assertThat(status.get("CapAmb")).as(container + " ambient capabilities").isEqualTo(NO_CAPABILITY);
        assertThat(status.get("NoNewPrivs")).as(container + " no_new_privs").isEqualTo("1");
        assertThat(status.get("Seccomp")).as(container + " seccomp mode (2: filter, the runtime's default profile)").isEqualTo("2");
    }
}
