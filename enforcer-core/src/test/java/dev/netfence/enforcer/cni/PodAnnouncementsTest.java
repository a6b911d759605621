package dev.netfence.enforcer.cni;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Announcements survive an enforcer restart through the state directory. */
class PodAnnouncementsTest {
    @TempDir
    Path dir;

    @Test
    void aRestartedEnforcerKnowsTheAnnouncedPods() throws Exception {
        PodAnnouncements first = PodAnnouncements.persistent(dir);
        PodAnnouncement a = new PodAnnouncement("c1", "shop", "api-0", "eth0", List.of("10.244.1.5"));
        PodAnnouncement b = new PodAnnouncement("c2", null, null, "eth0", List.of("fd00::5"));
        first.put(a);
        first.put(b);
        first.remove("c2");
        Files.writeString(dir.resolve("garbage.json"), "{not json");

        PodAnnouncements second = PodAnnouncements.persistent(dir); // kill -9, start again
        assertThat(second.snapshot().pods()).containsExactly(a);
        assertThat(second.snapshot().version()).isPositive();
        assertThat(second.remove("never")).isFalse();
    }
}
