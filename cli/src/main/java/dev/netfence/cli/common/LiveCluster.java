package dev.netfence.cli.common;

import dev.netfence.cli.UserInputException;
import dev.netfence.crds.CriticalFlow;
import dev.netfence.crds.DefaultDeny;
import dev.netfence.crds.manifest.ApiObjects;
import dev.netfence.crds.manifest.Manifests;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/**
 * {@code --kubeconfig FILE} / {@code --context NAME}: read the cluster from its API instead of
 * files. The kubeconfig is found as kubectl and fabric8 find it: {@code --kubeconfig}, else the
 * files of {@code KUBECONFIG} (colon separated), else {@code ~/.kube/config}; the context is
 * {@code --context}, else the file's {@code current-context}. One list of each kind, no watch: the
 * command answers for the cluster as it was at that moment. Read: Namespaces, Pods, Nodes,
 * NetworkPolicies, Services, EndpointSlices, DefaultDenies, CriticalFlows and ClusterNetworkPolicies; kinds the user may
 * not list (RBAC), or Netfence's CRDs when they are not installed, are left out with a note, except
 * Pods, Namespaces and NetworkPolicies, without which no answer would be right.
 */
public class LiveCluster {

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "Read the cluster from the API server of this kubeconfig instead of files "
                    + "(default when --context is given: $KUBECONFIG, else ~/.kube/config).")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME",
            description = "The kubeconfig context to use (default: its current-context); reads the cluster from its API.")
    String context;

    /** True when the cluster is to be read from an API server. */
    public boolean requested() {
        return kubeconfig != null || context != null;
    }

    /** A client of the selected context (the caller closes it); user errors throw UserInputException. */
    public KubernetesClient client() {
        Config config = config(resolveContext());
        config.setRequestRetryBackoffLimit(0);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** Lists the objects; user errors (no kubeconfig, unknown context, unreachable, forbidden) throw UserInputException. */
    public Manifests read(PrintWriter err) {
        String contextName = resolveContext();
        Config config = config(contextName);
        // fail fast on an unreachable server: one attempt, not fabric8's default ten with backoff
        config.setRequestRetryBackoffLimit(0);
        String origin = "cluster " + contextName;
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
            List<HasMetadata> objects = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            String server = config.getMasterUrl();
            objects.addAll(list("namespaces", server, contextName, true, notes, () -> client.namespaces().list().getItems()));
            objects.addAll(list("pods", server, contextName, true, notes, () -> client.pods().inAnyNamespace().list().getItems()));
            objects.addAll(list("networkpolicies", server, contextName, true, notes,
                    () -> client.network().v1().networkPolicies().inAnyNamespace().list().getItems()));
            objects.addAll(list("nodes", server, contextName, false, notes, () -> client.nodes().list().getItems()));
            objects.addAll(list("services", server, contextName, false, notes,
                    () -> client.services().inAnyNamespace().list().getItems()));
            objects.addAll(list("endpointslices", server, contextName, false, notes,
                    () -> client.discovery().v1().endpointSlices().inAnyNamespace().list().getItems()));
            objects.addAll(list("defaultdenies.netfence.dev", server, contextName, false, notes,
                    () -> client.resources(DefaultDeny.class).inAnyNamespace().list().getItems()));
            objects.addAll(list("criticalflows.netfence.dev", server, contextName, false, notes,
                    () -> client.resources(CriticalFlow.class).list().getItems()));
            // upstream's CRD, in the version Netfence reads (a cluster without it has none: a note, as for the others)
            objects.addAll(list("clusternetworkpolicies.policy.networking.k8s.io (v1beta1)", server, contextName, false, notes,
                    () -> client.resources(dev.netfence.crds.clusterpolicy.ClusterNetworkPolicy.class).list().getItems()));
            notes.forEach(n -> err.println("note: " + n));
            Manifests manifests = ApiObjects.of(origin, objects);
            manifests.notes().forEach(n -> err.println("note: " + n));
            err.flush();
            return manifests;
        }
    }

    private static <T extends HasMetadata> Collection<T> list(String resource, String server, String contextName,
                                                              boolean required, List<String> notes, Supplier<List<T>> lister) {
        try {
            return lister.get();
        } catch (KubernetesClientException e) {
            int code = e.getCode();
            if (code == 404 && !required) {
                notes.add("cluster " + contextName + " serves no " + resource + " (CRD not installed?): none read");
                return List.of();
            }
            if ((code == 403 || code == 401) && !required) {
                notes.add("cluster " + contextName + ": may not list " + resource + " (" + (code == 403 ? "forbidden" : "unauthorized")
                        + "): none read");
                return List.of();
            }
            throw new UserInputException(failure(e, resource, server, contextName));
        }
    }

    /** What went wrong, in the words of kubectl, without Java class names. */
    static String failure(KubernetesClientException e, String resource, String server, String contextName) {
        int code = e.getCode();
        if (code == 403) {
            return "cluster " + contextName + " (" + server + "): forbidden to list " + resource + " in all namespaces: "
                    + "netfence needs get/list on namespaces, pods and networkpolicies cluster-wide (check with: kubectl auth "
                    + "can-i list " + resource + " --all-namespaces --context " + contextName + ")";
        }
        if (code == 401) {
            return "cluster " + contextName + " (" + server + "): unauthorized: the credentials of the context were refused "
                    + "(expired token or certificate?)";
        }
        if (code > 0) {
            String status = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : "";
            return "cluster " + contextName + " (" + server + "): listing " + resource + " failed with HTTP " + code
                    + (status.isEmpty() ? "" : ": " + status);
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String why = root.getMessage() == null || root == e ? "no answer" : root.getMessage();
        return "cannot reach the API server of context " + contextName + " at " + server + ": " + why;
    }

    /** The context to use, checked against the kubeconfig files so that a typo is named, with what exists. */
    private String resolveContext() {
        List<File> files = kubeconfigFiles();
        Set<String> contexts = new LinkedHashSet<>();
        String current = null;
        for (File f : files) {
            io.fabric8.kubernetes.api.model.Config parsed = parse(f);
            if (parsed.getContexts() != null) {
                parsed.getContexts().stream().map(NamedContext::getName).forEach(contexts::add);
            }
            if (current == null && parsed.getCurrentContext() != null && !parsed.getCurrentContext().isEmpty()) {
                current = parsed.getCurrentContext();   // the first file that sets it wins, as in kubectl
            }
        }
        String wanted = context != null ? context : current;
        String where = files.size() == 1 ? files.get(0).toString() : files.toString();
        if (wanted == null) {
            throw new UserInputException("kubeconfig " + where + " sets no current-context: name one with --context"
                    + (contexts.isEmpty() ? "" : " (contexts: " + String.join(", ", contexts) + ")"));
        }
        if (!contexts.contains(wanted)) {
            throw new UserInputException((context != null ? "--context " : "current-context ") + wanted
                    + ": no such context in kubeconfig " + where
                    + (contexts.isEmpty() ? " (it defines none)" : "; contexts: " + String.join(", ", contexts)));
        }
        return wanted;
    }

    private List<File> kubeconfigFiles() {
        if (kubeconfig != null) {
            if (!Files.isRegularFile(kubeconfig)) {
                throw new UserInputException("--kubeconfig " + kubeconfig + ": no such file");
            }
            return List.of(kubeconfig.toFile());
        }
        List<File> files = Config.getKubeconfigFilenames().stream().map(File::new).filter(File::isFile).toList();
        if (files.isEmpty()) {
            throw new UserInputException("no kubeconfig found (" + String.join(", ", Config.getKubeconfigFilenames())
                    + "): give one with --kubeconfig FILE or set KUBECONFIG");
        }
        return files;
    }

    private static io.fabric8.kubernetes.api.model.Config parse(File f) {
        try (InputStream in = Files.newInputStream(f.toPath())) {
            return Serialization.unmarshal(in, io.fabric8.kubernetes.api.model.Config.class);
        } catch (IOException | RuntimeException e) {
            throw new UserInputException("kubeconfig " + f + ": cannot be read as a kubeconfig (YAML with clusters, users "
                    + "and contexts)");
        }
    }

    private Config config(String contextName) {
        try {
            return kubeconfig != null ? Config.fromKubeconfig(contextName, kubeconfig.toFile()) : Config.autoConfigure(contextName);
        } catch (KubernetesClientException e) {
            throw new UserInputException("kubeconfig: context " + contextName + " cannot be used: "
                    + (e.getMessage() == null ? "incomplete" : e.getMessage()));
        }
    }
}
