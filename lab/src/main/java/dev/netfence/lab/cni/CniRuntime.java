package dev.netfence.lab.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a CNI network configuration list the way a container runtime's libcni does (CNI
 * specification 1.0, "Network configuration lists"): for ADD every plugin of {@code plugins} in
 * order, each given the list's {@code cniVersion} and {@code name}, its own object, and the previous
 * plugin's result as {@code prevResult}; the last result is the runtime's. DEL runs them in reverse
 * with the cached ADD result as {@code prevResult}. Each plugin is an executable named by its
 * {@code type}, found in {@code CNI_PATH}, called with the CNI environment and the configuration on
 * stdin.
 *
 * <p>Plugins are started from the calling thread: {@code ptp} and {@code bridge} put the host end
 * of the pod's interface into the network namespace they are started in, so the caller runs this
 * on a thread inside the (lab) node's namespace.
 */
public final class CniRuntime {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Path> binDirs;
    private final JsonNode conflist;
    private final Map<String, JsonNode> results = new LinkedHashMap<>();

    /**
     * @param binDirs  {@code CNI_PATH}: Debian's {@code /usr/lib/cni} and the directory with the netfence plugin
     * @param conflist the network configuration list (JSON)
     */
    public CniRuntime(List<Path> binDirs, String conflist) {
        this.binDirs = List.copyOf(binDirs);
        try {
            this.conflist = JSON.readTree(conflist);
        } catch (IOException e) {
            throw new IllegalArgumentException("the conflist is not JSON: " + e.getMessage(), e);
        }
    }

    /** A plugin call that failed: the spec's error object. */
    public static final class CniException extends RuntimeException {
        private final String plugin;
        private final int code;
        private final int exit;

        CniException(String plugin, int exit, int code, String message) {
            super(plugin + " failed (exit " + exit + ", CNI error " + code + "): " + message);
            this.plugin = plugin;
            this.code = code;
            this.exit = exit;
        }

        public String plugin() {
            return plugin;
        }

        public int code() {
            return code;
        }

        public int exit() {
            return exit;
        }
    }

    /**
     * The pod sandbox a runtime sets up: its container id, network namespace, CNI_ARGS and the
     * capability arguments it offers (libcni's {@code CapabilityArgs}, e.g. {@code "ips"}), given to
     * a plugin as {@code runtimeConfig} only when the plugin's conflist entry declares the capability.
     */
    public record Sandbox(String containerId, Path netns, String ifName, String namespace, String name,
                          Map<String, JsonNode> capabilityArgs) {
        public Sandbox {
            capabilityArgs = Map.copyOf(capabilityArgs);
        }

        public Sandbox(String containerId, Path netns, String ifName, String namespace, String name) {
            this(containerId, netns, ifName, namespace, name, Map.of());
        }

        String cniArgs() {
            return "IgnoreUnknown=1;K8S_POD_NAMESPACE=" + namespace + ";K8S_POD_NAME=" + name
                    + ";K8S_POD_INFRA_CONTAINER_ID=" + containerId;
        }
    }

    /**
     * ADD through every plugin; on a failure the plugins that ran are deleted again (as libcni's
     * callers do) and the failure is thrown.
     *
     * @return the result of the last plugin
     */
    public JsonNode add(Sandbox sandbox) {
        JsonNode prev = null;
        int ran = 0;
        try {
            for (JsonNode plugin : conflist.get("plugins")) {
                prev = call("ADD", plugin, prev, sandbox);
                ran++;
            }
        } catch (CniException e) {
            try {
                del(sandbox, ran + 1, prev);
            } catch (CniException ignored) {
                // the ADD's failure is what the caller needs
            }
            throw e;
        }
        synchronized (results) {
            results.put(sandbox.containerId(), prev);
        }
        return prev;
    }

    /** DEL through every plugin in reverse order, with the cached ADD result as prevResult. */
    public void del(Sandbox sandbox) {
        JsonNode cached;
        synchronized (results) {
            cached = results.remove(sandbox.containerId());
        }
        del(sandbox, conflist.get("plugins").size(), cached);
    }

    private void del(Sandbox sandbox, int count, JsonNode prev) {
        CniException first = null;
        JsonNode plugins = conflist.get("plugins");
        for (int i = Math.min(count, plugins.size()) - 1; i >= 0; i--) {
            try {
                call("DEL", plugins.get(i), prev, sandbox);
            } catch (CniException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** One plugin call, as libcni's invoke package makes it. */
    public JsonNode call(String command, JsonNode plugin, JsonNode prevResult, Sandbox sandbox) {
        ObjectNode config = ((ObjectNode) plugin).deepCopy();
        config.put("cniVersion", conflist.get("cniVersion").asText());
        config.put("name", conflist.get("name").asText());
        if (prevResult != null) {
            config.set("prevResult", prevResult);
        }
        // libcni's injectRuntimeConfig: "runtimeConfig" holds exactly the capabilities the plugin declares true
        ObjectNode runtimeConfig = JSON.createObjectNode();
        plugin.path("capabilities").fields().forEachRemaining(c -> {
            if (c.getValue().asBoolean(false) && sandbox.capabilityArgs().containsKey(c.getKey())) {
                runtimeConfig.set(c.getKey(), sandbox.capabilityArgs().get(c.getKey()));
            }
        });
        if (!runtimeConfig.isEmpty()) {
            config.set("runtimeConfig", runtimeConfig);
        }
        String type = plugin.get("type").asText();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", sandbox.containerId());
        env.put("CNI_NETNS", sandbox.netns().toString());
        env.put("CNI_IFNAME", sandbox.ifName());
        env.put("CNI_ARGS", sandbox.cniArgs());
        env.put("CNI_PATH", String.join(":", binDirs.stream().map(Path::toString).toList()));
        Run r = run(executable(type), env, config.toString());
        if (r.exit() != 0) {
            int code = -1;
            String msg = r.stdout().isBlank() ? r.stderr() : r.stdout();
            try {
                JsonNode e = JSON.readTree(r.stdout());
                code = e.path("code").asInt(-1);
                msg = e.path("msg").asText() + (e.hasNonNull("details") ? ": " + e.get("details").asText() : "");
            } catch (IOException | RuntimeException ignored) {
                // not the spec's error object: keep the raw output
            }
            throw new CniException(type, r.exit(), code, msg.strip());
        }
        if (!command.equals("ADD")) {
            return prevResult;
        }
        try {
            return JSON.readTree(r.stdout());
        } catch (IOException e) {
            throw new CniException(type, 0, -1, "printed a result that is not JSON: " + r.stdout());
        }
    }

    private Path executable(String type) {
        for (Path dir : binDirs) {
            Path p = dir.resolve(type);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new CniException(type, -1, -1, "no plugin '" + type + "' in CNI_PATH " + binDirs);
    }

    /** What a plugin printed and returned. */
    public record Run(int exit, String stdout, String stderr) {
    }

    /** Runs a plugin executable with exactly this environment and stdin. */
    public static Run run(Path executable, Map<String, String> env, String stdin) {
        try {
            ProcessBuilder pb = new ProcessBuilder(executable.toString());
            pb.environment().clear();
            pb.environment().putAll(env);
            Process p = pb.start();
            try {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
                p.getOutputStream().close();
            } catch (IOException e) {
                // a plugin may answer without reading its stdin (VERSION): its answer is what counts
            }
            byte[] err = new byte[0];
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new CniException(executable.getFileName().toString(), -1, -1, "did not finish within 90 s");
            }
            return new Run(p.exitValue(), out, new String(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CniException(executable.getFileName().toString(), -1, -1, "cannot run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CniException(executable.getFileName().toString(), -1, -1, "interrupted");
        }
    }

    /** Every plugin type the list names, for a prerequisite check. */
    public List<String> types() {
        List<String> out = new ArrayList<>();
        conflist.get("plugins").forEach(p -> out.add(p.get("type").asText()));
        return out;
    }
}
