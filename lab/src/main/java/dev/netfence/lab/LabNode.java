package dev.netfence.lab;

import dev.netfence.policy.net.IpAddress;
import java.util.List;

/**
 * A node of the lab: a namespace that forwards between its pods and the underlay.
 * {@code localAddresses} are the node's own manifest addresses plus those of its host-network
 * pods, put on its loopback so other nodes can reach them; {@code underlayV4}/{@code underlayV6}
 * come from the lab's own ranges and are never seen by policy; {@code podRanges} are host-local's
 * ranges for the node's pods (one per family it has pods of).
 */
public record LabNode(String name, String namespace, IpAddress underlayV4, IpAddress underlayV6,
                      List<IpAddress> localAddresses, List<LabPod> pods, List<PodRange> podRanges) {
    public LabNode {
        localAddresses = List.copyOf(localAddresses);
        pods = List.copyOf(pods);
        podRanges = List.copyOf(podRanges);
    }
}
