package dev.netfence.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.netfence.policy.model.Protocol;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Nothing of a lab may survive it: not a failing test, not a failing start, not Ctrl-C. */
class LabCleanupIT {

    private String runId;
    private String prefix;

    @BeforeEach
    void needsRoot() {
        assumeTrue(Lab.prerequisitesMissing().isEmpty(), () -> "skipped: " + Lab.prerequisitesMissing().orElse(""));
        runId = "c" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 24), 36);
        prefix = LabPlan.runPrefix(runId);
    }

    @Test
    void aTestFailingInsideTheLabLeavesNoNamespace() {
        assertThatThrownBy(() -> {
            try (Lab lab = Lab.up(LabFixtures.twoNodes(), LabOptions.DEFAULT.withRunId(runId))) {
                assertThat(Lab.namespacesWithPrefix(prefix)).hasSize(8);
                lab.measure(80, Protocol.TCP);
                throw new IllegalStateException("the test failed half-way");
            }
        }).hasMessage("the test failed half-way");

        assertThat(Lab.namespacesWithPrefix(prefix)).isEmpty();
        assertThat(Lab.namespacesWithPrefix(LabPlan.PREFIX)).noneMatch(ns -> ns.startsWith(prefix));
    }

    @Test
    void aStartFailingHalfWayRemovesWhatItCreated() {
        LabOptions failingRules = LabOptions.DEFAULT.withRunId(runId).withRules(node -> {
            if (node.name().equals("node-b")) {
                throw new IllegalStateException("rules rejected");
            }
        });

        assertThatThrownBy(() -> Lab.up(LabFixtures.twoNodes(), failingRules))
                .isInstanceOf(LabException.class)
                .hasMessageContaining("node node-b: rules rejected");
        assertThat(Lab.namespacesWithPrefix(prefix)).isEmpty();
    }

    @Test
    void aRunIdInUseIsRefusedWithoutTouchingTheExistingLab() {
        try (Lab first = Lab.up(LabFixtures.twoNodes(), LabOptions.DEFAULT.withRunId(runId))) {
            assertThatThrownBy(() -> Lab.up(LabFixtures.twoNodes(), LabOptions.DEFAULT.withRunId(runId)))
                    .hasMessageContaining("lab run " + runId + " already exists")
                    .hasMessageContaining("netfence lab down " + runId);
            assertThat(Lab.namespacesWithPrefix(prefix)).hasSize(8);
            assertThat(first.measure(80, Protocol.TCP).allowed("x/a", "z/c")).isTrue();
        }
    }

    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"INT", "TERM"})
    void ctrlCOrTermRemovesTheLabThroughTheShutdownHook(String signal) throws Exception {
        Process child = startChild();
        try {
            assertThat(Lab.namespacesWithPrefix(prefix)).hasSize(8);
            Shell.run("kill", "-" + signal, Long.toString(child.pid())).ok();

            await().atMost(Duration.ofSeconds(20)).until(() -> !child.isAlive());
            assertThat(Lab.namespacesWithPrefix(prefix)).isEmpty();
        } finally {
            child.destroyForcibly();
            // if the hook did not run (the assertion above failed), the test still leaves nothing behind
            child.waitFor();
            Lab.downAll(prefix);
        }
    }

    @Test
    void downAllRemovesWhatAKilledRunLeftBehind() throws Exception {
        Process child = startChild();
        child.destroyForcibly(); // SIGKILL: no shutdown hook runs
        await().atMost(Duration.ofSeconds(20)).until(() -> !child.isAlive());
        assertThat(Lab.namespacesWithPrefix(prefix)).hasSize(8);
        assertThat(Lab.runs()).contains(runId);

        assertThat(Lab.downAll(prefix)).hasSize(8).allMatch(ns -> ns.startsWith(prefix))
                .last().isEqualTo(prefix + "underlay");

        assertThat(Lab.namespacesWithPrefix(prefix)).isEmpty();
        assertThat(Lab.runs()).doesNotContain(runId);
    }

    @Test
    void aKeptLabOutlivesCloseUntilDownAll() {
        assumeTrue(Lab.findExecutable("ping").isPresent(), "skipped: needs ping (Debian package iputils-ping)");
        Lab lab = Lab.up(LabFixtures.twoNodes(), LabOptions.DEFAULT.withRunId(runId));
        try {
            assertThat(lab.keep()).isEqualTo(runId);
            lab.close();
            assertThat(Lab.namespacesWithPrefix(prefix)).hasSize(8);
            // still routed: a pod reaches a pod on the other node (ping from the machine's own tools)
            assertThat(Shell.run("ip", "netns", "exec", prefix + "pod-x.a", "ping", "-c1", "-W1", "10.244.2.12")
                    .exitCode()).isZero();
        } finally {
            Lab.downAll(prefix);
        }
        assertThat(Lab.namespacesWithPrefix(prefix)).isEmpty();
    }

    @Test
    void downAllOnlyEverRemovesLabNamespaces() {
        assertThatThrownBy(() -> Lab.downAll("")).hasMessageContaining("lab namespaces start with nf-");
        assertThatThrownBy(() -> Lab.downAll("cni-")).hasMessageContaining("refusing");
    }

    private Process startChild() throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // env --default-signal=INT: a JVM started with SIGINT ignored (as every child of a shell's background
        // job is, e.g. a CI run started with `&`) installs no handler for it, and Ctrl-C would do nothing;
        // a terminal's Ctrl-C reaches a process whose SIGINT is at its default, which is what is tested here
        Process child = new ProcessBuilder("env", "--default-signal=INT", java, "-cp", classpath, LabChild.class.getName(), runId)
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line;
        StringBuilder seen = new StringBuilder();
        while ((line = out.readLine()) != null && !line.equals("UP " + runId)) {
            seen.append(line).append('\n');
        }
        if (line == null) {
            throw new AssertionError("the child JVM did not bring its lab up:\n" + seen);
        }
        return child;
    }
}
