package dev.netfence.lab.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class NamespaceExecutorTest {

    @Test
    void aTaskNeverRunsOnAThreadThatCouldNotEnterItsNamespace() {
        AtomicBoolean ran = new AtomicBoolean();
        try (NamespaceExecutor executor = new NamespaceExecutor("nf-no-such-namespace", 1)) {
            assertThatThrownBy(() -> executor.call(() -> ran.getAndSet(true)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is not inside network namespace nf-no-such-namespace")
                    .cause().hasMessageContaining("cannot open network namespace /var/run/netns/nf-no-such-namespace");
            // the next task on the same thread fails the same way rather than running in the wrong namespace
            assertThatThrownBy(() -> executor.call(() -> ran.getAndSet(true))).isInstanceOf(IllegalStateException.class);
        }
        assertThat(ran).isFalse();
    }
}
