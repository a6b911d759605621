package dev.netfence.policy.eval;

import dev.netfence.lab.LabTopology;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link LabE2eIT}'s cases on the bridged topology (Flannel's: {@code bridge} + {@code host-local} on
 * each node's {@code cni0}, nodes joined by VXLAN). x/a and x/b (and y/a, y/b, ...) share node-1's
 * bridge, so their traffic is bridged, not routed: the inet table's forward hook sees it through
 * br_netfilter ({@code net.bridge.bridge-nf-call-iptables} / {@code -ip6tables}, per network namespace
 * and 1 in a new one on this kernel, where br_netfilter is built in).
 */
class LabBridgedE2eIT extends LabE2eIT {

    @BeforeAll
    static void up() {
        start(LabTopology.BRIDGED_VXLAN);
    }
}
