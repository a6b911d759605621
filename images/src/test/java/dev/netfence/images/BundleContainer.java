package dev.netfence.images;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One container of the install bundle, run with podman the way a kubelet would run it: the image, the
 * environment (literal values, {@code fieldRef}s given by the test as the API server would fill them,
 * {@code envFrom} the bundle's ConfigMaps), the security context (capabilities, no_new_privs, read-only
 * root, the runtime's default seccomp profile, runAsNonRoot checked against the image's numeric user as
 * the kubelet checks it), the volumes (emptyDir as tmpfs, Secrets and hostPaths from directories the
 * test makes, the service account token directory) and the memory limit. What the tests run is what the bundle says.
 */
final class BundleContainer {
    static final String SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

    private final InstallBundle bundle;
    private final PodSpec pod;
    private final Container container;

    BundleContainer(InstallBundle bundle, String workload, String containerName) {
        this.bundle = bundle;
        PodTemplateSpec template = bundle.podTemplate(workload);
        this.pod = template.getSpec();
        this.container = pod.getContainers().stream().filter(c -> c.getName().equals(containerName)).findFirst()
                .orElseThrow(() -> new AssertionError(workload + " has no container " + containerName));
    }

    String image() {
        return container.getImage();
    }

    boolean hostNetwork() {
        return Boolean.TRUE.equals(pod.getHostNetwork());
    }

    Container container() {
        return container;
    }

    PodSpec pod() {
        return pod;
    }

    /** The containerPort a probe's (possibly named) port refers to. */
    int port(IntOrString port) {
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return container.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName())).map(ContainerPort::getContainerPort)
                .findFirst().orElseThrow(() -> new AssertionError("no container port named " + port.getStrVal()));
    }

    HTTPGetAction readiness() {
        return httpGet(container.getReadinessProbe(), "readiness");
    }

    HTTPGetAction liveness() {
        return httpGet(container.getLivenessProbe(), "liveness");
    }

    private static HTTPGetAction httpGet(Probe probe, String what) {
        if (probe == null || probe.getHttpGet() == null) {
            throw new AssertionError("the container has no httpGet " + what + " probe");
        }
        return probe.getHttpGet();
    }

    private Path hostRoot;

    /** Where this container's hostPath volumes live: a directory standing in for the node's filesystem. */
    synchronized Path hostRoot() {
        if (hostRoot == null) {
            try {
                hostRoot = java.nio.file.Files.createTempDirectory("nf-node-root");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return hostRoot;
    }

    /**
     * The arguments of {@code podman run} for this container. {@code network} is {@code ns:PATH}
     * (the pod's network namespace); {@code fields} the values of the {@code fieldRef}s
     * ({@code spec.nodeName}, {@code metadata.name}, ...); {@code secrets} a directory per Secret name;
     * {@code serviceAccount} the directory mounted where Kubernetes mounts the token, with
     * {@code apiServer} as KUBERNETES_SERVICE_HOST:PORT.
     */
    List<String> runArguments(String name, String network, Map<String, String> fields, Map<String, Path> secrets,
            Path serviceAccount, String apiHost, int apiPort) {
        return runArguments(name, network, fields, secrets, Map.of(), serviceAccount, apiHost, apiPort);
    }

    /**
     * As above, with {@code hostPaths}: for each hostPath volume's {@code path}, the directory that
     * stands for it on this node (the lab node has no file system of its own).
     */
    List<String> runArguments(String name, String network, Map<String, String> fields, Map<String, Path> secrets,
            Map<String, Path> hostPaths, Path serviceAccount, String apiHost, int apiPort) {
        List<String> args = new ArrayList<>(List.of("run", "--detach", "--name", name, "--network", network));
        args.addAll(Podman.RUN_LIMITS);
        securityContext(args);
        Map<String, String> env = new LinkedHashMap<>();
        // what the kubelet sets for a pod's service account (in-cluster configuration of the Kubernetes client)
        env.put("KUBERNETES_SERVICE_HOST", apiHost);
        env.put("KUBERNETES_SERVICE_PORT", Integer.toString(apiPort));
        // a pod's hostname is its name; on the host network it is the node's
        env.put("HOSTNAME", hostNetwork() ? fields.getOrDefault("spec.nodeName", name) : fields.getOrDefault("metadata.name", name));
        for (EnvFromSource from : container.getEnvFrom()) {
            if (from.getConfigMapRef() == null) {
                throw new AssertionError("envFrom other than configMapRef is not translated: " + from);
            }
            env.putAll(bundle.configMap(from.getConfigMapRef().getName()).getData());
        }
        for (EnvVar e : container.getEnv()) {
            if (e.getValueFrom() == null) {
                env.put(e.getName(), e.getValue());
            } else if (e.getValueFrom().getFieldRef() != null) {
                String path = e.getValueFrom().getFieldRef().getFieldPath();
                String value = fields.get(path);
                if (value == null) {
                    throw new AssertionError("the test gives no value for fieldRef " + path + " (env " + e.getName() + ")");
                }
                env.put(e.getName(), value);
            } else {
                throw new AssertionError("env " + e.getName() + ": only fieldRef is translated");
            }
        }
        env.forEach((k, v) -> args.addAll(List.of("--env", k + "=" + v)));
        for (VolumeMount m : container.getVolumeMounts()) {
            Volume v = pod.getVolumes().stream().filter(x -> x.getName().equals(m.getName())).findFirst()
                    .orElseThrow(() -> new AssertionError("volumeMount " + m.getName() + " has no volume"));
            if (v.getEmptyDir() != null) {
                args.addAll(List.of("--tmpfs", m.getMountPath() + ":rw,mode=1777"));
            } else if (v.getSecret() != null) {
                Path dir = secrets.get(v.getSecret().getSecretName());
                if (dir == null) {
                    throw new AssertionError("the test gives no files for Secret " + v.getSecret().getSecretName());
                }
                args.addAll(List.of("--volume", dir + ":" + m.getMountPath() + ":ro"));
            } else if (v.getHostPath() != null) {
                // the node's own directories stand in as directories of the test's own (given by the test,
                // else under a per-container root), never this machine's /opt/cni or /etc/cni
                Path dir = hostPaths.get(v.getHostPath().getPath());
                if (dir == null) {
                    dir = hostRoot().resolve(v.getHostPath().getPath().replaceFirst("^/+", ""));
                }
                String type = v.getHostPath().getType() == null ? "" : v.getHostPath().getType();
                if (type.equals("DirectoryOrCreate")) {
                    try {
                        java.nio.file.Files.createDirectories(dir);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                } else if (type.equals("Directory") && !java.nio.file.Files.isDirectory(dir)) {
                    throw new AssertionError("hostPath " + v.getHostPath().getPath() + " (type Directory) must exist: the kubelet"
                            + " would not start the pod");
                }
                args.addAll(List.of("--volume", dir + ":" + m.getMountPath() + (Boolean.TRUE.equals(m.getReadOnly()) ? ":ro" : "")));
            } else {
                throw new AssertionError("volume " + v.getName() + ": only emptyDir, secret and hostPath are translated");
            }
        }
        args.addAll(List.of("--volume", serviceAccount + ":" + SERVICE_ACCOUNT_DIR + ":ro"));
        if (container.getResources() != null && container.getResources().getLimits() != null) {
            Quantity memory = container.getResources().getLimits().get("memory");
            if (memory != null) {
                args.addAll(List.of("--memory", Quantity.getAmountInBytes(memory).toBigInteger().toString()));
            }
        }
        if (container.getCommand() != null && !container.getCommand().isEmpty()) {
            throw new AssertionError("command overrides are not translated");
        }
        args.add(image());
        if (container.getArgs() != null) {
            args.addAll(container.getArgs());
        }
        return args;
    }

    private void securityContext(List<String> args) {
        PodSecurityContext podContext = pod.getSecurityContext() != null ? pod.getSecurityContext() : new PodSecurityContext();
        SecurityContext c = container.getSecurityContext() != null ? container.getSecurityContext() : new SecurityContext();
        String seccomp = c.getSeccompProfile() != null ? c.getSeccompProfile().getType()
                : podContext.getSeccompProfile() != null ? podContext.getSeccompProfile().getType() : "Unconfined";
        switch (seccomp) {
            case "RuntimeDefault" -> { } // podman's default profile is the runtime default
            case "Unconfined" -> args.addAll(List.of("--security-opt", "seccomp=unconfined"));
            default -> throw new AssertionError("seccompProfile " + seccomp + " is not translated");
        }
        if (Boolean.TRUE.equals(c.getPrivileged())) {
            args.add("--privileged");
        }
        if (Boolean.FALSE.equals(c.getAllowPrivilegeEscalation())) {
            args.addAll(List.of("--security-opt", "no-new-privileges"));
        }
        if (Boolean.TRUE.equals(c.getReadOnlyRootFilesystem())) {
            // only the volumes the bundle mounts are writable (podman would add tmpfs on /tmp, /run otherwise)
            args.addAll(List.of("--read-only", "--read-only-tmpfs=false"));
        }
        if (c.getCapabilities() != null) {
            c.getCapabilities().getDrop().forEach(cap -> args.add("--cap-drop=" + cap.toLowerCase()));
            c.getCapabilities().getAdd().forEach(cap -> args.add("--cap-add=" + cap.toLowerCase()));
        }
        Long runAsUser = c.getRunAsUser() != null ? c.getRunAsUser() : podContext.getRunAsUser();
        if (runAsUser != null) {
            args.addAll(List.of("--user", runAsUser.toString()));
        }
        boolean nonRoot = Boolean.TRUE.equals(c.getRunAsNonRoot() != null ? c.getRunAsNonRoot() : podContext.getRunAsNonRoot());
        if (nonRoot && runAsUser == null) {
            // the kubelet refuses to start such a container unless the image's user is numeric and not 0
            String user = Podman.inspect(image()).at("/Config/User").asText("");
            String uid = user.contains(":") ? user.substring(0, user.indexOf(':')) : user;
            if (!uid.matches("[0-9]+") || uid.equals("0")) {
                throw new AssertionError("runAsNonRoot: the kubelet would refuse image " + image() + " with user \"" + user
                        + "\" (it must be a numeric uid other than 0)");
            }
        }
    }

    /** The image config's user ("uid:gid"). */
    static String user(JsonNode image) {
        return image.at("/Config/User").asText("");
    }
}
