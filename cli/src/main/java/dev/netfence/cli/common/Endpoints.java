package dev.netfence.cli.common;

import dev.netfence.cli.UserInputException;
import dev.netfence.crds.manifest.WorkloadPods;
import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.net.IpAddress;
import java.util.Optional;
import java.util.stream.Collectors;

/** Turns what the user typed ({@code NS/POD} or an IP address) into flow endpoints, with the address family both ends share. */
public final class Endpoints {

    private Endpoints() {
    }

    /**
     * A pod named {@code NS/POD} (or {@code NS/KIND/NAME}, the pod a workload stands for:
     * {@code shop/deploy/web}) that has an IP; else a user error that lists what exists.
     */
    public static Pod pod(ClusterSnapshot snapshot, String option, String text) {
        int slash = text.indexOf('/');
        int second = slash < 0 ? -1 : text.indexOf('/', slash + 1);
        if (slash <= 0 || slash == text.length() - 1 || second == slash + 1 || second == text.length() - 1
                || (second >= 0 && text.indexOf('/', second + 1) >= 0)) {
            throw new UserInputException(option + " " + text + ": expected NAMESPACE/POD (for example x/a), "
                    + "NAMESPACE/KIND/NAME for a workload's pod (shop/deploy/web) or an IP address");
        }
        String ns = text.substring(0, slash);
        String name = text.substring(slash + 1);
        Optional<Pod> pod = snapshot.pod(ns, name).filter(p -> !WorkloadPods.isSecondReplica(p));
        if (pod.isEmpty()) {
            String inNamespace = snapshot.podsInNamespace(ns).stream().filter(p -> !WorkloadPods.isSecondReplica(p))
                    .map(Pod::name).collect(Collectors.joining(", "));
            throw new UserInputException(option + " " + text + ": no pod \"" + name + "\" in namespace \"" + ns
                    + "\" in the manifests" + (inNamespace.isEmpty()
                    ? " (no pods at all in namespace " + ns + ")" : "; pods in " + ns + ": " + inNamespace));
        }
        if (pod.get().ips().isEmpty()) {
            throw new UserInputException(option + " " + text + ": pod " + text + " has no IP address: set "
                    + "status.podIP (or status.podIPs) in its manifest to simulate its traffic");
        }
        return pod.get();
    }

    /** True when the text is an IP address rather than NS/POD. */
    public static boolean isAddress(String text) {
        return text.indexOf('/') < 0 && IpAddress.isValid(text);
    }

    /** The endpoint at an address: a pod with that IP, a node (or a host-network pod on it), or an address outside the cluster. */
    public static Endpoint address(ClusterSnapshot snapshot, IpAddress ip) {
        Optional<Pod> pod = snapshot.podByIp(ip);
        if (pod.isPresent()) {
            return new Endpoint.PodEndpoint(pod.get(), ip);
        }
        Optional<Node> node = snapshot.nodeByIp(ip);
        Optional<Pod> hostPod = snapshot.pods(p -> p.hostNetwork() && p.ips().contains(ip)).stream().findFirst();
        if (node.isPresent() || hostPod.isPresent()) {
            return new Endpoint.Host(ip, node.map(Node::name).orElse(hostPod.map(Pod::nodeName).orElse(null)),
                    hostPod.orElse(null));
        }
        return new Endpoint.Host(ip, null, null);
    }

    /**
     * Endpoints for a flow between two pods: over IPv4 when both have an IPv4 address, else over
     * IPv6 when both have one (dual-stack pods talk over either; single-stack ones only over their
     * own). Empty when they share no address family: no connection between them is possible.
     */
    public static Optional<Endpoint[]> between(Pod source, Pod destination) {
        for (boolean v6 : new boolean[] {false, true}) {
            if (hasFamily(source, v6) && hasFamily(destination, v6)) {
                return Optional.of(new Endpoint[] {Endpoint.of(source, v6), Endpoint.of(destination, v6)});
            }
        }
        return Optional.empty();
    }

    /** {@link #between} for a user's question: a user error when the pods share no address family. */
    public static Endpoint[] requireBetween(Pod source, Pod destination) {
        return between(source, destination).orElseThrow(() -> new UserInputException(source.key() + " ("
                + family(source) + ") and " + destination.key() + " (" + family(destination)
                + ") have no IP address family in common: no connection between them is possible"));
    }

    private static String family(Pod pod) {
        return hasFamily(pod, false) ? "IPv4 only" : "IPv6 only";
    }

    /** The endpoint of a pod talking to an address: the pod's address of the same family when it has one. */
    public static Endpoint podFacing(Pod pod, IpAddress peer) {
        return Endpoint.of(pod, peer.v6());
    }

    private static boolean hasFamily(Pod pod, boolean v6) {
        return pod.ips().stream().anyMatch(ip -> ip.v6() == v6);
    }
}
