package dev.netfence.enforcer.cni;

import static dev.netfence.enforcer.cni.CniFixtures.PREV_RESULT;
import static dev.netfence.enforcer.cni.CniFixtures.env;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netfence.enforcer.loop.NewPodSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real plugin binary (built from src/main/c by the compile phase) run as a container runtime
 * runs it, against the enforcer's socket server: the CNI environment, the configuration on stdin,
 * the result on stdout and the exit status.
 */
class CniPluginIT {
    static final Path PLUGIN = Path.of("target/cni/netfence").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private CniSocketServer server;
    private final PodAnnouncements announcements = PodAnnouncements.inMemory();

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private Path socket() {
        return dir.resolve("run/netfence/cni.sock");
    }

    private void startServer() {
        server = CniSocketServer.start(socket(), new CniRequestHandler(NewPodSettings.DEFAULTS, announcements,
                v -> CompletableFuture.completedFuture(null)));
    }

    private String config(String prev) {
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"k8s-pod-network\",\"type\":\"netfence\",\"socket\":\"" + socket()
                + "\"" + (prev == null ? "" : ",\"prevResult\":" + prev) + "}";
    }

    record Run(int exit, String stdout) {
        JsonNode json() throws IOException {
            return JSON.readTree(stdout);
        }
    }

    static Run run(Map<String, String> env, String stdin) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(PLUGIN.toString());
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        try {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
        } catch (IOException e) {
            // the plugin may answer without reading its stdin (VERSION, no CNI_COMMAND): a broken pipe is fine
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    @Test
    void addReturnsPrevResultOnceTheEnforcerHasThePod() throws Exception {
        startServer();
        Run r = run(env("ADD", "c1", "shop", "api-0"), config(PREV_RESULT));
        assertThat(r.exit()).isZero();
        assertThat(r.json()).isEqualTo(JSON.readTree(PREV_RESULT));
        assertThat(announcements.get("c1")).map(PodAnnouncement::podKey).contains("shop/api-0");

        Run del = run(env("DEL", "c1", "shop", "api-0"), config(null));
        assertThat(del).isEqualTo(new Run(0, ""));
        assertThat(announcements.get("c1")).isEmpty();
    }

    @Test
    void theSocketIsRootsOnly() throws Exception {
        startServer();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket().getParent()))).isEqualTo("rwx------");
    }

    @Test
    void aSocketNestedInPrevResultIsNotTaken() throws Exception {
        // the front end scans only top-level members: the one inside prevResult must not redirect it
        startServer();
        String prev = PREV_RESULT.replace("\"dns\":{}", "\"dns\":{},\"socket\":\"/nonexistent\"");
        assertThat(run(env("ADD", "c1", "shop", "api-0"), config(prev)).exit()).isZero();
    }

    @Test
    void malformedStdinGetsTheSpecsErrorObjectAndANonZeroExit() throws Exception {
        startServer();
        Run r = run(env("ADD", "c1", "shop", "api-0"), "{\"cniVersion\":\"1.0.0\",\"socket\":\"" + socket() + "\", \"name\":");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.json().get("code").asInt()).isEqualTo(6);
        assertThat(r.json().get("msg").asText()).isEqualTo("the network configuration on stdin is not JSON");
    }

    @Test
    void withTheEnforcerGoneDelSucceedsAndAddWaits() throws Exception {
        // no server: the socket does not exist (enforcer not running, or never installed)
        Run del = run(env("DEL", "c1", "shop", "api-0"), config(null));
        assertThat(del).isEqualTo(new Run(0, ""));
        Run add = run(env("ADD", "c1", "shop", "api-0"), config(PREV_RESULT));
        assertThat(add.exit()).isEqualTo(1);
        assertThat(add.json().get("code").asInt()).isEqualTo(11);
        assertThat(add.json().get("cniVersion").asText()).isEqualTo("1.0.0");
        // a stale socket file left by a killed enforcer: connection refused, same answers
        startServer();
        server.close();
        Files.createDirectories(socket().getParent());
        assertThat(run(env("DEL", "c1", "shop", "api-0"), config(null))).isEqualTo(new Run(0, ""));
    }

    @Test
    void versionIsAnsweredWithoutTheEnforcer() throws Exception {
        Run r = run(Map.of("CNI_COMMAND", "VERSION"), "");
        assertThat(r.exit()).isZero();
        assertThat(r.json().get("supportedVersions").toString()).isEqualTo("[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\"]");
    }

    @Test
    void noCommandIsAnError() throws Exception {
        Run r = run(Map.of(), "{}");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.json().get("code").asInt()).isEqualTo(4);
    }

    @Test
    void withTheEnforcerGoneAPodOfAnExemptNamespaceStillStarts() throws Exception {
        // the conflist entry as CniInstaller writes it; no server (enforcer down, or not started yet)
        String conf = config(PREV_RESULT).replace("\"type\":\"netfence\",",
                "\"type\":\"netfence\",\"exemptNamespaces\":[\"kube-system\",\"netfence-system\"],");
        Run add = run(env("ADD", "c1", "kube-system", "coredns-0"), conf);
        assertThat(add.exit()).isZero();
        assertThat(add.json()).isEqualTo(JSON.readTree(PREV_RESULT));
        assertThat(run(env("CHECK", "c1", "kube-system", "coredns-0"), conf)).isEqualTo(new Run(0, ""));
        // any other namespace waits, also one whose name only starts like an exempt one
        for (String ns : new String[]{"shop", "kube", "kube-system-x"}) {
            Run other = run(env("ADD", "c2", ns, "p-0"), conf);
            assertThat(other.exit()).as(ns).isEqualTo(1);
            assertThat(other.json().get("code").asInt()).as(ns).isEqualTo(11);
        }
        // an "exemptNamespaces" nested in prevResult is not the configuration's
        String nested = config(PREV_RESULT.replace("\"dns\":{}", "\"dns\":{},\"exemptNamespaces\":[\"shop\"]"));
        assertThat(run(env("ADD", "c3", "shop", "p-0"), nested).exit()).isEqualTo(1);
        // with the enforcer up, the exempt pod goes through it as before
        startServer();
        assertThat(run(env("ADD", "c1", "kube-system", "coredns-0"), conf).exit()).isZero();
        assertThat(announcements.get("c1")).map(PodAnnouncement::podKey).contains("kube-system/coredns-0");
    }
}
