package dev.netfence.enforcer.kube;

import dev.netfence.policy.net.Cidr;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The pod CIDRs of the enforcer's own Node ({@code spec.podCIDRs}, else the older single
 * {@code spec.podCIDR}), from an informer on that one Node (a {@code metadata.name} field selector), for
 * the fail-closed sets when {@code netfence.enforcer.pod-cidrs} is not set. With them every address of
 * the node's pod range that no known pod has is dropped from the moment the enforcer applies, so a pod
 * whose interface and address exist (ptp or bridge ran) before the netfence plugin announced it is
 * held too. The API server sets {@code spec.podCIDRs} once ("may only be set once", the node IPAM
 * controller or the kubelet's registration) and refuses changes, so the listener fires when they first
 * appear (a node registered before the controller assigned its range) and not again.
 */
public final class NodePodCidrs implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NodePodCidrs.class);

    private final String node;
    private final SharedIndexInformer<Node> informer;
    private volatile List<Cidr> current = List.of();
    private volatile Consumer<List<Cidr>> listener = c -> { };

    private NodePodCidrs(KubernetesClient client, String node) {
        this.node = node;
        // inform() returns once the first list is done, so current() already holds what the Node says
        this.informer = client.nodes().withName(node).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node n) {
                changed(n);
            }

            @Override
            public void onUpdate(Node before, Node after) {
                changed(after);
            }

            @Override
            public void onDelete(Node n, boolean unknownFinalState) {
                // a deleted Node keeps its pods' addresses held as they were: nothing to loosen
            }
        });
    }

    /** Starts the informer on {@code node}; {@link #current()} is filled when this returns. */
    public static NodePodCidrs watch(KubernetesClient client, String node) {
        return new NodePodCidrs(client, node);
    }

    /** Called (from the informer's thread: it must only enqueue) when the Node's pod CIDRs change. */
    public void onChange(Consumer<List<Cidr>> l) {
        this.listener = Objects.requireNonNull(l);
    }

    /** The Node's pod CIDRs; empty while it has none (or does not exist). */
    public List<Cidr> current() {
        return current;
    }

    private void changed(Node n) {
        List<Cidr> parsed = parse(n);
        if (!parsed.equals(current)) {
            current = parsed;
            LOG.infof("node %s: pod CIDRs %s from spec.podCIDRs: addresses in them that no known pod has are dropped"
                    + " (fail-closed)", node, parsed);
            listener.accept(parsed);
        }
    }

    /** {@code spec.podCIDRs}, else {@code spec.podCIDR}; a value that is not a CIDR is reported and left out. */
    static List<Cidr> parse(Node n) {
        List<String> raw = new ArrayList<>();
        if (n.getSpec() != null) {
            if (n.getSpec().getPodCIDRs() != null && !n.getSpec().getPodCIDRs().isEmpty()) {
                raw.addAll(n.getSpec().getPodCIDRs());
            } else if (n.getSpec().getPodCIDR() != null && !n.getSpec().getPodCIDR().isBlank()) {
                raw.add(n.getSpec().getPodCIDR());
            }
        }
        List<Cidr> out = new ArrayList<>();
        for (String c : raw) {
            try {
                out.add(Cidr.parse(c.trim()));
            } catch (IllegalArgumentException e) {
                LOG.errorf("Node %s spec.podCIDRs: \"%s\" is not a CIDR; left out of the fail-closed sets",
                        n.getMetadata().getName(), c);
            }
        }
        return List.copyOf(out);
    }

    @Override
    public void close() {
        informer.close();
    }
}
